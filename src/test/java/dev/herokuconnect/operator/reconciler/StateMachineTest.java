package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What needs the operator process and the SDK: a budget record that survives a restart or a
 * graceful stop, and a 429 met by a mapping shown on its connection at once (the budget wakes the
 * connection through the SDK). Ownership, stale snapshots, deletions that must complete and the
 * credentials hold run a layer down, in {@link StateMachineLoopTest}. Each test prints the figure it measures.
 */
class StateMachineTest extends OperatorTestBase {

  @Test
  void theBudgetRecordSurvivesARestartWhileTheTokenIsMissing() throws Exception {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    reconcileConnectionNow();
    int used = conn().getStatus().getRateLimit().getUsed();
    int reserved = conn().getStatus().getRateLimit().getReserved();
    sb.stopOperator();
    sb.client().secrets().inNamespace(NS).withName("heroku-api").edit(s -> { // a rotation, half done
      s.setData(java.util.Map.of());
      s.setStringData(java.util.Map.of());
      return s;
    });
    sb.startOperator(config());
    reconcileConnectionNow();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.UNAUTHORIZED), "stalls on the missing key");
    System.out.printf("restart with the token missing: used %d, reserved %d before; used %d, reserved %d after%n",
        used, reserved, c.getStatus().getRateLimit().getUsed(), c.getStatus().getRateLimit().getReserved());
    assertTrue(c.getStatus().getRateLimit().getUsed() >= used, "the record is not lost");
    assertTrue(c.getStatus().getRateLimit().getReserved() >= reserved);
  }

  @Test
  void aGracefulStopRecordsTheTrueSpend() throws Exception {
    readyConnection();
    reconcileConnectionNow();
    int reservedBefore = conn().getStatus().getRateLimit().getReserved();
    sb.stopOperatorGracefully();
    int used = conn().getStatus().getRateLimit().getUsed();
    int reserved = conn().getStatus().getRateLimit().getReserved();
    System.out.printf("graceful stop: reserved %d while running, recorded used %d / reserved %d at stop (fake counted %d)%n",
        reservedBefore, used, reserved, fake.requestsInWindow(connectionId));
    assertEquals(fake.requestsInWindow(connectionId), used);
    assertEquals(used, reserved, "no phantom block for the next process");
    sb.startOperator(config());
  }

  @Test
  void a429MetByAMappingIsShownOnTheConnectionAtOnce() {
    readyConnection();
    fake.setDailyLimit(connectionId, fake.requestsInWindow(connectionId) + 1); // one more request, then 429
    apply(mapping("account", "Account", "") + "---\n" + mapping("contact", "Contact", ""));
    HerokuConnection c = awaitConnection(connectionReason(Conditions.RECONCILING, Reasons.THROTTLED), "shows the 429");
    assertNotNull(c.getStatus().getRateLimit().getThrottledUntil());
    assertTrue(Instant.parse(c.getStatus().getRateLimit().getThrottledUntil()).isAfter(Instant.now().plusSeconds(3600)));
    assertTrue(!Conditions.isTrue(c.getStatus(), Conditions.READY), "not Ready while nothing can be sent");
    assertEquals(0, c.getStatus().getRateLimit().getRemaining(), "nothing can go before the 429's wait is over");
    int after = fake.requests().size();
    reconcileConnectionNow();
    reconcileMappingNow("account");
    assertEquals(after, fake.requests().size(), "nothing goes to the connection while the 429's wait lasts");
    System.out.printf("429 from a mapping: connection shows Throttled until %s; %d request(s) answered 429 (in flight together)%n",
        c.getStatus().getRateLimit().getThrottledUntil(), fake.requests().stream().filter(r -> r.status() == 429).count());
  }
}
