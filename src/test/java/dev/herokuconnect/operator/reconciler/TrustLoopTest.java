package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.Manifests;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 a layer down ({@link LoopWorld}): a connection's identity is recorded once and an edit
 * that would move it is refused, not followed; conditions tell the truth about the whole chain.
 * Moved from the sandbox's TrustTest (the refused objectName and connectionRef edits and the reload
 * asked for while observe-only were already here, in {@link MappingLoopTest}); the hand-overs
 * "within seconds", which need the SDK to wake the next claimant, stay in the sandbox.
 */
class TrustLoopTest extends LoopWorldCase {

  long writes() {
    return w.fake.requests().stream().filter(r -> r.isWrite()).count();
  }

  @Test
  void anAppNameChangeOfAResolvedConnectionIsRefusedNotIgnored() {
    w.untilConnection(LoopWorld.NS, "sales", c -> Conditions.isTrue(c.getStatus(), Conditions.READY));
    w.fake.addConnection("acme-other", "herokuconnect-other-2");
    long writes = writes();
    w.applyConnection(Manifests.connection("").replace("appName: acme-crm", "appName: acme-other")); // where CEL is not enforced
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(Conditions.isTrueWith(c.getStatus(), Conditions.STALLED, Reasons.INVALID_SPEC), c.getStatus().getConditions().toString());
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    System.out.println("appName change: " + msg);
    assertTrue(msg.contains("spec.appName") && msg.contains("'acme-crm'") && msg.contains("'acme-other'"), msg);
    assertTrue(msg.contains("Orphan"), "says how to move: " + msg);
    assertFalse(Conditions.isTrue(c.getStatus(), Conditions.READY));
    assertEquals(w.connectionId, c.getStatus().getConnectionId(), "still bound to its add-on");
    assertEquals(writes, writes(), "nothing written");
    w.applyConnection(Manifests.connection("")); // set back: Ready again
    w.untilConnection(LoopWorld.NS, "sales", x -> Conditions.isTrue(x.getStatus(), Conditions.READY));
  }

  @Test
  void aMappingIsNotReadyWhileItsConnectionIsInAnErrorState() {
    w.reconcileConnection("sales");
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.fake.forceConnectionState(w.connectionId, "DB_UNAVAILABLE");
    HerokuConnection c = w.refreshConnection("sales");
    assertTrue(Conditions.isTrueWith(c.getStatus(), Conditions.STALLED, Reasons.REMOTE_ERROR), c.getStatus().getConditions().toString());
    HerokuMapping m = w.refreshMapping("account");
    assertFalse(Conditions.isTrue(m.getStatus(), Conditions.READY), "not Ready");
    var ready = Conditions.find(m.getStatus(), Conditions.READY).get();
    System.out.println("mapping under a connection in DB_UNAVAILABLE: Ready=" + ready.getStatus() + " " + ready.getReason()
        + ": " + ready.getMessage());
    assertEquals(Reasons.CONNECTION_NOT_READY, ready.getReason());
    assertTrue(ready.getMessage().contains("DB_UNAVAILABLE"), ready.getMessage());
  }
}
