package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * An object whose finalizer a person removed by hand goes without a cleanup: nothing the
 * operator kept for it may stay behind, least of all a client holding its token. Each finished
 * cleanup keeps only what belongs to objects that exist (the loop's retain).
 */
class GoneWithoutCleanupTest extends LoopWorldCase {
  @Test
  void aConnectionRemovedWithoutACleanupLeavesNoClientBehind() {
    w.reconcileConnection("sales");
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.apply("contact", "Contact", "deletionPolicy: Orphan");
    w.untilReady("contact");
    assertEquals(1, w.connector.held(), "the connection's client (with its token) is cached");
    // kubectl patch hconn sales --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'; kubectl delete hconn sales
    w.cluster.remove("HerokuConnection/" + LoopWorld.NS + "/sales");
    assertTrue(w.delete("contact"), "an Orphan mapping's cleanup is done without its connection");
    assertEquals(0, w.connector.held(), "the removed connection's client went with the next finished cleanup");
  }
}
