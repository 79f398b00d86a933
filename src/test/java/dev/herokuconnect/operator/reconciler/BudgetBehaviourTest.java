package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.HerokuConnection;
import java.time.Instant;
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
}
