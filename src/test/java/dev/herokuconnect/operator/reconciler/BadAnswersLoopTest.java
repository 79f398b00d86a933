package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.fake.FakeConnectApi.Garbage;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.Manifests;
import io.fabric8.kubernetes.api.model.Condition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Garbage from the API, a layer down ({@link LoopWorld}): a clear condition, then recovery.
 * Moved from the sandbox's BadAnswersAndSecretsTest; the scan for the token in everything the
 * operator logs (its Kubernetes client and the SDK included) stays there.
 */
class BadAnswersLoopTest extends LoopWorldCase {

  @ParameterizedTest
  @EnumSource(value = Garbage.class, names = {"HTML_PAGE", "INVALID_JSON", "MISSING_FIELDS", "HUGE_BODY"})
  void garbageGivesAClearConditionAndTheOperatorRecovers(Garbage garbage) {
    w.reconcileConnection("sales");
    w.fake.setGarbage(garbage);
    HerokuConnection c = w.refreshConnection("sales");
    assertTrue(Conditions.isTrueWith(c.getStatus(), Conditions.RECONCILING, Reasons.REMOTE_ERROR), garbage + ": "
        + c.getStatus().getConditions());
    String msg = Conditions.find(c.getStatus(), Conditions.RECONCILING).map(Condition::getMessage).orElse("");
    assertTrue(msg.contains("GET /connections/{id}?deep"), msg);
    System.out.println(garbage + " -> " + msg);
    w.fake.setGarbage(Garbage.NONE);
    c = w.refreshConnection("sales");
    assertTrue(Conditions.isTrue(c.getStatus(), Conditions.READY) && !Conditions.isTrue(c.getStatus(), Conditions.RECONCILING),
        "recovers: " + c.getStatus().getConditions());
  }

  @Test
  void anUnknownStateIsShownVerbatimAndTreatedAsSettling() {
    w.reconcileConnection("sales");
    w.fake.setGarbage(Garbage.UNKNOWN_STATE);
    HerokuConnection c = w.refreshConnection("sales");
    assertEquals("QUANTUM_FLUX", c.getStatus().getState(), "shows the state");
    assertTrue(Conditions.isTrue(c.getStatus(), Conditions.RECONCILING));
    assertFalse(Conditions.isTrue(c.getStatus(), Conditions.STALLED));
  }

  @Test
  void plainHttpToARemoteHostIsRefusedWithAClearMessage() {
    w.cluster.remove("HerokuConnection/crm/sales");
    w.applyConnection(Manifests.connection("connectionId: " + w.connectionId + "\napiUrl: http://connect-oregon.heroku.com/api/v3"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(Conditions.isTrueWith(c.getStatus(), Conditions.STALLED, Reasons.INVALID_SPEC), c.getStatus().getConditions().toString());
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("plain http") && msg.contains("https"), msg);
  }
}
