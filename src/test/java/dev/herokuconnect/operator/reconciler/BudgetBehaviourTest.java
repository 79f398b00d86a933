package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.HerokuConnection;
import org.junit.jupiter.api.Test;

/**
 * The budget across a restart of the process: what was spent survives it. The budget as users see
 * it otherwise (conditions, status.rateLimit, what reaches the API) runs a layer down, in {@link BudgetLoopTest}.
 */
class BudgetBehaviourTest extends OperatorTestBase {
  int budget = 4500;

  @Override
  OperatorConfig config() {
    return sb.config().withDailyBudget(budget);
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
