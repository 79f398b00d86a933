package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import org.junit.jupiter.api.Test;

/**
 * What needs the operator on a (mock) Kubernetes API: a Secret changed under a watch, a restart of
 * the process. The connection sync's own cases (discovery, observe-only, Secrets of other
 * namespaces among them) run a layer down, in {@link ConnectionLoopTest}.
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
}
