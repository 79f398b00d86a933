package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What needs the operator on a (mock) Kubernetes API: a Secret changed under a watch, a restart of
 * the process, discovery across objects, namespaces. The connection sync's own cases run a layer
 * down, in {@link ConnectionLoopTest}.
 */
class ConnectionReconcilerTest extends OperatorTestBase {


  @Test
  void revokedTokenStallsAndAFixedSecretRecovers() {
    readyConnection();
    fake.revokeToken(TOKEN);
    reconcileConnectionNow();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.UNAUTHORIZED), "stalls on 401");
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("heroku-api"), msg);
    assertFalse(describe(c).contains(TOKEN), "the token never reaches status");
    fake.addToken("rotated-token-77", "ops@example.com");
    sb.client().secrets().inNamespace(NS).withName("heroku-api").edit(s -> {
      s.setData(java.util.Map.of("token", java.util.Base64.getEncoder().encodeToString("rotated-token-77".getBytes())));
      return s;
    });
    awaitConnection(x -> Conditions.isTrue(x.getStatus(), Conditions.READY), "Ready after the Secret is fixed");
  }

  @Test
  void discoveryNoneOrSeveral() {
    String second = fake.addConnection("acme-crm", "herokuconnect-other-2");
    applySecretAndConnection();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.CONNECTION_AMBIGUOUS), "ambiguous");
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("herokuconnect-shiny-1") && msg.contains("herokuconnect-other-2") && msg.contains("resourceName"), msg);
    apply(connection("resourceName: herokuconnect-other-2"));
    c = awaitConnection(x -> second.equals(x.getStatus().getConnectionId()), "picks the named add-on");

    // Resolved: another add-on is an identity change, refused (issue 16), not followed.
    apply(connection("resourceName: nope"));
    c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.INVALID_SPEC), "refuses the move");
    String refused = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(refused.contains("'herokuconnect-other-2'") && refused.contains("'nope'"), refused);
    assertEquals(second, c.getStatus().getConnectionId(), "still bound to the add-on it resolved");
    // Unresolved: a resourceName that names no add-on is not found.
    apply(connection("resourceName: nope").replace("name: sales", "name: sales-nope"));
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection x = sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales-nope").get();
      return x != null && connectionReason(Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND).test(x)
          && Conditions.find(x.getStatus(), Conditions.STALLED).get().getMessage().contains("nope");
    }), "not found");
  }

  @Test
  void restartAnnotationActsOnceAcrossOperatorRestarts() throws Exception {
    readyConnection();
    fake.forceConnectionState(connectionId, "SYSTEM_ERROR");
    reconcileConnectionNow();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.REMOTE_ERROR), "shows the error state");
    assertTrue(Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage().contains("restart-requested-at"));
    annotateConnection(Crds.RESTART_REQUESTED_AT, "2026-11-22T10:00:00Z");
    c = awaitConnection(x -> "2026-11-22T10:00:00Z".equals(x.getStatus().getLastHandledRestartAt()), "restarted");
    awaitConnection(x -> Conditions.isTrue(x.getStatus(), Conditions.READY), "Ready after restart");
    assertEquals(1, count("POST", "/actions/restart"));
    sb.stopOperator();
    sb.startOperator(config());
    reconcileConnectionNow();
    assertEquals(1, count("POST", "/actions/restart"), "not repeated by a new operator process");
  }

  @Test
  void observeOnlyNeverLinksTheUserToFindAnAddon() {
    apply(secret(TOKEN) + "---\n" + connection("").replace("metadata: {name: sales, namespace: crm}",
        "metadata: {name: sales, namespace: crm, annotations: {herokuconnect.dev/reconcile-policy: observe}}"));
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND), "stalls");
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("observe-only does not link"), msg);
    assertTrue(fake.requests().stream().noneMatch(dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest::isWrite), "no write at all: " + fake.requests());
  }

  @Test
  void secretsOfOtherNamespacesAreNeverRead() {
    sb.ensureNamespace("other");
    apply(secret(TOKEN).replace("namespace: crm", "namespace: other"));
    apply(connection(""));
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.UNAUTHORIZED), "stalls");
    assertTrue(fake.requests().isEmpty());
    Secret s = sb.client().secrets().inNamespace("other").withName("heroku-api").get();
    assertNotNull(s, "the other namespace's Secret exists but is not used");
    assertTrue(Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage().contains("crm/heroku-api"));
  }
}
