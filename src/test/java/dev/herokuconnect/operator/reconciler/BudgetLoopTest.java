package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The budget as users see it, a layer down ({@link LoopWorld}): conditions, status.rateLimit, and
 * what reaches the API. Moved from the sandbox's BudgetBehaviourTest; what was spent surviving a
 * restart of the process stays there.
 */
class BudgetLoopTest extends LoopWorldCase {

  static boolean has(HerokuConnection c, String type, String reason) {
    return Conditions.isTrueWith(c.getStatus(), type, reason);
  }

  @Test
  void anEmptyBucketSaysRateLimitedWithTheTimeAndSendsNothing() throws Exception {
    try (LoopWorld small = new LoopWorld(c -> c.withDailyBudget(8))) { // a burst of 2: discovery takes both
      small.cluster.remove("HerokuConnection/crm/sales");
      small.fake.addConnection("acme-new", "herokuconnect-new-1"); // a new add-on, as in the sandbox: discovery, then setup
      small.applyConnection(LoopWorld.connectionNamed("sales", "acme-new"));
      HerokuConnection c = small.reconcileConnection("sales");
      assertTrue(has(c, Conditions.RECONCILING, Reasons.RATE_LIMITED), c.getStatus().getConditions().toString());
      String msg = Conditions.find(c.getStatus(), Conditions.RECONCILING).get().getMessage();
      assertTrue(msg.contains("next request at 20"), msg);
      int sent = small.fake.requests().size();
      small.refreshConnection("sales");
      assertEquals(sent, small.fake.requests().size(), "nothing sent while the bucket is empty");
      assertTrue(small.fake.requests().stream().noneMatch(r -> r.status() == 429));
    }
  }

  @Test
  void a429StopsEverythingToThatConnectionUntilTheNamedTime() {
    w.reconcileConnection("sales");
    w.fake.setDailyLimit(w.fake.requestsInWindow(w.connectionId)); // someone else spent the day's requests
    HerokuConnection c = w.refreshConnection("sales");
    assertTrue(has(c, Conditions.RECONCILING, Reasons.THROTTLED), c.getStatus().getConditions().toString());
    assertNotNull(c.getStatus().getRateLimit().getThrottledUntil());
    assertTrue(Instant.parse(c.getStatus().getRateLimit().getThrottledUntil()).isAfter(w.clock.instant().plusSeconds(3600)));
    assertEquals(1, w.fake.requests().stream().filter(r -> r.status() == 429).count());
    w.apply("account", "Account", "");
    assertTrue(Conditions.isTrueWith(w.reconcile("account").getStatus(), Conditions.RECONCILING, Reasons.THROTTLED), "throttled too");
    w.refreshConnection("sales");
    assertEquals(1, w.fake.requests().stream().filter(r -> r.status() == 429).count(), "no second request after the 429");
  }

  /**
   * Issue 16: a spec change whose first attempt fails keeps USER priority, so with the bucket
   * below the background floor (the last fifth, kept for people) its retry goes out at once
   * instead of waiting for the bucket to refill above the floor. On the sandbox's intervals
   * (settling 0.5 s), followed on the SDK's timers for 30 s.
   */
  @Test
  void aFailedSpecChangeIsRetriedPromptlyWithTheBucketBelowTheBackgroundFloor() throws Exception {
    try (LoopWorld quick = new LoopWorld(LoopWorld.SANDBOX_INTERVALS)) {
      quick.apply("account", "Account", "");
      quick.untilReady("account");
      String id = quick.connectionId;
      int left = 100; // of 1,125; background work may not take the last 225
      while (quick.budget.usage(id).remaining() > left) quick.budget.admit(id, "earlier work", Priority.USER);
      quick.fake.failRequests("PUT", "/mappings/", 500, 1);
      quick.apply("account", "Account", "sfPollingSeconds: 900");
      LoopWorld.Requeues timers = quick.requeues().mapping("account");
      assertTrue(put(quick, 500).isPresent(), "the first attempt was sent and failed");
      Instant failed = put(quick, 500).get().at();
      timers.runFor(Duration.ofSeconds(30));
      boolean retried = put(quick, 200).isPresent();
      String reconciling = Conditions.find(quick.mapping("account").getStatus(), Conditions.RECONCILING).map(c -> c.getMessage()).orElse("");
      System.out.printf("failed spec change with %d of %d tokens left: %s%n", left, quick.budget.usage(id).dailyLimit() / 4,
          retried ? "retried after " + Duration.between(failed, put(quick, 200).get().at()).toMillis() + " ms" : "not retried: " + reconciling);
      assertTrue(retried, "the retry of a spec change keeps USER priority: " + reconciling);
      assertTrue(Duration.between(failed, put(quick, 200).get().at()).compareTo(Duration.ofSeconds(10)) < 0,
          "retried within the error backoff, not after a refill");
      assertEquals(2L, quick.mapping("account").getStatus().getObservedGeneration(), "acted on generation 2");
      assertEquals(1, quick.fake.requests().stream().filter(r -> r.method().equals("PUT") && r.status() == 200).count(), "one retry");
    }
  }

  static Optional<RecordedRequest> put(LoopWorld w, int status) {
    return w.fake.requests().stream().filter(r -> r.method().equals("PUT") && r.status() == status).findFirst();
  }
}
