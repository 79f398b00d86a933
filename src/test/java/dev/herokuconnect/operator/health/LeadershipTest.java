package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Leader election as /healthz and /readyz see it, driven through the callbacks JOSDK calls. */
class LeadershipTest {
  @Test
  void offAlwaysLeadsAndIsNeverStuck() {
    Leadership off = Leadership.off();
    assertTrue(off.leading());
    assertNull(off.stuck());
  }

  @Test
  void noHolderSeenPastTheLimitIsStuckUntilOneIsSeen() {
    Leadership l = Leadership.electing(Duration.ZERO);
    assertFalse(l.leading());
    String stuck = l.stuck();
    assertTrue(stuck != null && stuck.startsWith("leader election: no holder of the Lease seen in ")
        && stuck.endsWith("; check the Role for leases (get, create, update, patch) and LEADER_ELECTION_NAMESPACE"), stuck);
    var callbacks = l.callbacks();
    callbacks.onNewLeader("pod-a");
    assertNull(l.stuck(), "another instance holds it: a healthy standby");
    assertEquals("pod-a", l.holder());
    callbacks.onStartLeading();
    assertTrue(l.leading());
    callbacks.onStopLeading();
    assertFalse(l.leading());
  }

  @Test
  void withinTheLimitNothingIsStuckYet() {
    assertNull(Leadership.electing(Duration.ofHours(1)).stuck());
  }
}
