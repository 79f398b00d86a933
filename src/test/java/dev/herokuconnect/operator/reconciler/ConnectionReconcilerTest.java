package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionReconcilerTest extends OperatorTestBase {


  @Test
  void discoversSetsUpAndAsksForAuthorizationOncePerEntry() {
    applySecretAndConnection();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION), "asks for authorization");
    assertEquals(connectionId, c.getStatus().getConnectionId());
    assertEquals(fake.apiRoot(), c.getStatus().getApiUrl());
    assertEquals("herokuconnect-shiny-1", c.getStatus().getResourceName());
    assertTrue(c.getStatus().getAuthorizationUrl().contains("/oauth/start/" + connectionId));
    assertEquals(1, count("PATCH", "/connections/"), "db_key and schema set once");
    assertTrue(fake.requests().stream().anyMatch(r -> r.path().endsWith("/authorize_url") && r.body().contains("\"production\"")));
    assertTrue(hasEvent("sales", Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
    reconcileConnectionNow();
    reconcileConnectionNow();
    assertEquals(1, count("POST", "/authorize_url"), "asked once while the state lasts");

    fake.completeAuthorization(connectionId);
    c = awaitConnection(x -> Conditions.isTrue(x.getStatus(), Conditions.READY), "Ready");
    assertNull(c.getStatus().getAuthorizationUrl(), "cleared once authorized");
    assertNotNull(c.getStatus().getOrganizationId());
    assertEquals("OK", c.getStatus().getMappingsSummaryState());
    assertEquals(4500, c.getStatus().getRateLimit().getDailyLimit());
    assertTrue(c.getStatus().getRateLimit().getUsed() > 0);
    assertEquals(1L, c.getStatus().getObservedGeneration());

    fake.forceConnectionState(connectionId, "UNAUTHORIZED"); // the Salesforce grant expired
    reconcileConnectionNow();
    awaitConnection(connectionReason(Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION), "asks again");
    assertEquals(2, count("POST", "/authorize_url"), "a new entry into the state asks once more");
    assertEquals(1, count("POST", "/auth/acme-crm"), "discovery ran once; the id is kept in status");
  }

  @Test
  void missingSecretStallsAndItsCreationRecovers() {
    apply(connection(""));
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.UNAUTHORIZED), "stalls");
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("Secret crm/heroku-api") && msg.contains("'token'"), msg);
    assertTrue(fake.requests().isEmpty(), "nothing sent without a token");
    apply(secret(TOKEN));
    awaitConnection(connectionReason(Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION), "proceeds when the Secret appears");
  }

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
  void setupOnlyWhenItDiffers() {
    readyConnection();
    long patches = count("PATCH", "/connections/");
    reconcileConnectionNow();
    assertEquals(patches, count("PATCH", "/connections/"), "no PATCH when the API already agrees");
    apply(connection("").replace("schema: salesforce", "schema: sf_data"));
    awaitConnection(x -> "sf_data".equals(x.getStatus().getSchemaName()), "schema changed");
    assertEquals(patches + 1, count("PATCH", "/connections/"));
  }

  @Test
  void pauseWaitsForIdleThenResumes() {
    readyConnection();
    fake.busyFor(connectionId, Duration.ofSeconds(3));
    apply(connection("paused: true"));
    awaitConnection(connectionReason(Conditions.RECONCILING, "Pausing"), "waits for IDLE");
    HerokuConnection c = awaitConnection(x -> "PAUSED".equals(x.getStatus().getState()), "paused");
    awaitConnection(x -> Conditions.find(x.getStatus(), Conditions.READY).map(r -> r.getReason().equals(Reasons.PAUSED)).orElse(false), "Paused");
    assertFalse(Conditions.isTrue(c.getStatus(), Conditions.STALLED));
    assertEquals(List.of(202), fake.requests().stream().filter(r -> r.path().endsWith("/actions/pause")).map(r -> r.status()).toList(),
        "pause was sent once, only once the connection was IDLE");
    assertTrue(hasEvent("sales", "Paused"));
    apply(connection("paused: false"));
    awaitConnection(x -> Conditions.isTrue(x.getStatus(), Conditions.READY), "resumed and Ready");
    assertEquals(1, count("POST", "/actions/resume"));
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
  void observeOnlyWritesNothing() {
    fake.linkUser(connectionId, "ops@example.com"); // an add-on someone already uses: observe-only finds it by search alone
    apply(secret(TOKEN) + "---\n" + connection("").replace("metadata: {name: sales, namespace: crm}",
        "metadata: {name: sales, namespace: crm, annotations: {herokuconnect.dev/reconcile-policy: observe}}"));
    HerokuConnection c = awaitConnection(x -> "NEW".equals(x.getStatus() == null ? null : x.getStatus().getState()), "observed");
    assertEquals(0, count("PATCH", "/connections/"));
    assertTrue(Conditions.find(c.getStatus(), Conditions.READY).get().getMessage().contains("observe"));
    assertEquals(0, count("POST", "/auth/"), "discovery searched and did not link the user");
    assertEquals(1, fake.requests().stream().filter(r -> r.path().equals("/connections")).count(), "one search: " + fake.requests());
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
