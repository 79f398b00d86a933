package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The budget as users see it: conditions, status.rateLimit, and what reaches the API. */
class BudgetBehaviourTest extends OperatorTestBase {
  int budget = 4500;

  @Override
  OperatorConfig config() {
    return sb.config().withDailyBudget(budget);
  }

  @Test
  void anEmptyBucketSaysRateLimitedWithTheTimeAndSendsNothing() throws Exception {
    sb.stopOperator();
    budget = 8; // a burst of 2: discovery takes both
    sb.startOperator(config());
    applySecretAndConnection();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.RECONCILING, Reasons.RATE_LIMITED), "rate limited");
    String msg = Conditions.find(c.getStatus(), Conditions.RECONCILING).get().getMessage();
    assertTrue(msg.contains("next request at 20"), msg);
    int sent = fake.requests().size();
    reconcileConnectionNow();
    assertEquals(sent, fake.requests().size(), "nothing sent while the bucket is empty");
    assertTrue(fake.requests().stream().noneMatch(r -> r.status() == 429));
  }

  @Test
  void a429StopsEverythingToThatConnectionUntilTheNamedTime() {
    readyConnection();
    fake.setDailyLimit(fake.requestsInWindow(connectionId)); // someone else spent the day's requests
    reconcileConnectionNow();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.RECONCILING, Reasons.THROTTLED), "throttled");
    assertNotNull(c.getStatus().getRateLimit().getThrottledUntil());
    assertTrue(Instant.parse(c.getStatus().getRateLimit().getThrottledUntil()).isAfter(Instant.now().plusSeconds(3600)));
    long throttled = fake.requests().stream().filter(r -> r.status() == 429).count();
    assertEquals(1, throttled);
    apply(mapping("account", "Account", ""));
    awaitMapping("account", mappingReason(Conditions.RECONCILING, Reasons.THROTTLED), "throttled too");
    reconcileConnectionNow();
    assertEquals(1, fake.requests().stream().filter(r -> r.status() == 429).count(), "no second request after the 429");
  }

  @Test
  void whatWasSpentSurvivesARestart() throws Exception {
    readyConnection();
    apply(mapping("account", "Account", "") + "---\n" + mapping("contact", "Contact", ""));
    awaitMappingReady("account");
    awaitMappingReady("contact");
    reconcileConnectionNow();
    HerokuConnection before = conn();
    int used = before.getStatus().getRateLimit().getUsed();
    assertEquals(fake.requestsInWindow(connectionId), used, "status.rateLimit.used counts every request to the connection");
    assertTrue(before.getStatus().getRateLimit().getReserved() >= used);
    sb.stopOperator();
    sb.startOperator(config());
    reconcileConnectionNow();
    int after = conn().getStatus().getRateLimit().getUsed();
    assertTrue(after >= before.getStatus().getRateLimit().getReserved(), "a new process starts from what was reserved: " + after);
  }

  /**
   * Issue 16: a spec change whose first attempt fails keeps USER priority, so with the bucket
   * below the background floor (the last fifth, kept for people) its retry goes out at once
   * instead of waiting for the bucket to refill above the floor.
   */
  @Test
  void aFailedSpecChangeIsRetriedPromptlyWithTheBucketBelowTheBackgroundFloor() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    ApiBudget spent = sb.operator().budget();
    int left = 100; // of 1,125; background work may not take the last 225
    assertTrue(Sandbox.await(WAIT, () -> {
      try {
        while (spent.usage(connectionId).remaining() > left) spent.admit(connectionId, "earlier work", Priority.USER);
      } catch (ConnectApiException.RateLimited recording) {
        // a record of the spend was being written by another thread: the next round goes on
      }
      return spent.usage(connectionId).remaining() <= left;
    }), "spent the bucket down to " + left);
    fake.failRequests("PUT", "/mappings/", 500, 1);
    apply(mapping("account", "Account", "sfPollingSeconds: 900"));
    assertTrue(Sandbox.await(WAIT, () -> put(500).isPresent()), "the first attempt was sent and failed");
    Instant failed = put(500).get().at();
    boolean retried = Sandbox.await(WAIT, () -> put(200).isPresent());
    String reconciling = Conditions.find(map("account").getStatus(), Conditions.RECONCILING).map(c -> c.getMessage()).orElse("");
    Matcher next = Pattern.compile("next request at (\\S+?);?\\s").matcher(reconciling + " ");
    System.out.printf("failed spec change with %d of %d tokens left: %s%n", left, spent.usage(connectionId).dailyLimit() / 4, retried
        ? "retried after " + Duration.between(failed, put(200).get().at()).toMillis() + " ms"
        : "not retried within " + WAIT.toSeconds() + " s" + (next.find() ? "; it waits "
            + Duration.between(failed, Instant.parse(next.group(1))).toMinutes() + " min (RateLimited until " + next.group(1) + ")" : ""));
    assertTrue(retried, "the retry of a spec change keeps USER priority: " + reconciling);
    assertTrue(Duration.between(failed, put(200).get().at()).compareTo(Duration.ofSeconds(10)) < 0,
        "retried within the error backoff, not after a refill");
    awaitMapping("account", m -> Long.valueOf(2).equals(m.getStatus().getObservedGeneration()), "acted on generation 2");
    assertEquals(1, fake.requests().stream().filter(r -> r.method().equals("PUT") && r.status() == 200).count(), "one retry");
  }

  Optional<RecordedRequest> put(int status) {
    return fake.requests().stream().filter(r -> r.method().equals("PUT") && r.status() == status).findFirst();
  }
}
