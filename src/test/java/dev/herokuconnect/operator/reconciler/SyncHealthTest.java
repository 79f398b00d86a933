package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.ValidationStatus;
import dev.herokuconnect.operator.reconciler.connection.Validations;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.util.ScaledClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Validation on request and write errors a person can read, each within the API budget. */
class SyncHealthTest extends OperatorTestBase {

  HerokuConnection validate(String value) {
    annotateConnection(Crds.VALIDATE_REQUESTED_AT, value);
    return awaitConnection(x -> value.equals(x.getStatus().getLastHandledValidateAt())
        && Validations.COMPLETE.equals(x.getStatus().getValidation().getState()), "validated " + value);
  }

  @Test
  void validationRunsOncePerRequestedValueAndIsSummarisedInStatus() {
    applySecretAndConnection();
    awaitConnection(c -> c.getStatus() != null && c.getStatus().getAuthorizationUrl() != null, "asks for authorization");
    ValidationStatus before = validate("v0").getStatus().getValidation();
    assertEquals(1, before.getErrors().size(), "Salesforce is not authorized yet: " + before.getErrors());
    assertEquals("Salesforce Authorization", before.getErrors().get(0).getObject(), "the check's display_name");
    assertTrue(hasEvent("sales", "ValidationFailed"));

    fake.completeAuthorization(connectionId);
    awaitConnection(x -> Conditions.isTrue(x.getStatus(), Conditions.READY), "Ready");
    ValidationStatus v = validate("v1").getStatus().getValidation();
    System.out.printf("validation: v0 %d passed / %d errors, v1 %d passed / %d errors; requests: %d POST, %d GET result%n",
        before.getPassed(), before.getErrors().size(), v.getPassed(), v.getErrors().size(), count("POST", "/validations"),
        count("GET", "/validations/"));
    assertEquals("v1", v.getRequestedAt());
    assertEquals(3, v.getPassed(), "database, salesforce and the mappings check");
    assertEquals(0, v.getErrors().size());
    assertTrue(hasEvent("sales", "Validated"));
    reconcileConnectionNow();
    reconcileConnectionNow();
    assertEquals(2, count("POST", "/validations"), "once per requested value");
  }

  @Test
  void writeErrorsAreReadOnlyWhenTheCountGoesUpAndShownInStatus() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    reconcileMappingNow("account");
    assertEquals(0, count("GET", "/errors"), "no read while the count is zero");
    fake.addWriteError(id, 101, "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone is required");
    fake.addWriteError(id, 102, "DUPLICATE_VALUE: duplicate value found: External_Id__c");
    reconcileConnectionNow(); // a refresh of the shared snapshot shows counts.errors = 2
    var m = awaitMapping("account", x -> x.getStatus().getRecentErrors().size() == 2, "shows the errors");
    assertEquals("102", m.getStatus().getRecentErrors().get(0).getRecordId(), "newest first");
    assertTrue(m.getStatus().getRecentErrors().get(0).getMessage().startsWith("DUPLICATE_VALUE"));
    assertEquals(2L, m.getStatus().getErrorsSeen());
    assertEquals(1, events("account").stream().filter(e -> e.getReason().equals("WriteErrors")).count());
    reconcileMappingNow("account");
    reconcileConnectionNow();
    reconcileMappingNow("account");
    System.out.printf("write errors: %d error read(s) for one increase, after 3 more reconciles; status.recentErrors[0] = %s: %s%n",
        count("GET", "/errors"), m.getStatus().getRecentErrors().get(0).getRecordId(), m.getStatus().getRecentErrors().get(0).getMessage());
    assertEquals(1, count("GET", "/errors"), "no read while the count is unchanged");
  }

  /**
   * Issue 16: while GET /mappings/{id}/errors fails, it is sent at most once per refresh interval
   * however often the mapping is reconciled, and read again once it answers. One hour of the
   * operator's time (default 5 min refresh) runs on a clock 120 times faster.
   */
  @Test
  void aFailingErrorReadIsSentAtMostOncePerRefreshInterval() throws Exception {
    ScaledClock clock = new ScaledClock(Instant.now(), 120);
    startScaledWorld(clock);
    Duration refresh = dev.herokuconnect.operator.config.OperatorConfig.fromEnv(java.util.Map.of()).refreshInterval(); // the world runs on defaults
    readyConnection();
    apply(mapping("account", "Account", ""));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    fake.failRequests("GET", "/errors", 500, Integer.MAX_VALUE);
    fake.addWriteError(id, 101, "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone is required");
    reconcileConnectionNow(); // the shared snapshot shows counts.errors = 1: from now on every reconcile wants to read
    Instant from = clock.instant();
    Instant to = from.plus(Duration.ofHours(1));
    int reconciles = 0;
    while (clock.instant().isBefore(to)) { // people and changes reconcile it far more often than every refresh
      reconcileMappingNow("account");
      reconciles++;
    }
    long reads = fake.requests().stream()
        .filter(r -> r.path().endsWith("/errors") && !r.at().isBefore(from) && r.at().isBefore(to)).count();
    long bound = Duration.ofHours(1).dividedBy(refresh) + 1;
    System.out.printf("write errors: GET /errors failing for one hour (refresh %s): %d read(s) in %d reconciles (bound %d; %.0f a day)%n",
        refresh, reads, reconciles, bound, reads * 24.0);
    assertTrue(reconciles > 2 * bound, "the mapping was reconciled often enough to show the bound: " + reconciles);
    assertTrue(reads <= bound, reads + " reads in an hour; at most one per refresh interval (" + bound + ")");
    assertTrue(reads >= 2, "a failed read is tried again after the interval: " + reads);
    assertEquals(null, map("account").getStatus().getErrorsSeen(), "nothing read, so nothing counted as seen");

    fake.endOutage();
    var m = awaitMapping("account", x -> {
      if (x.getStatus().getRecentErrors().size() == 1) return true;
      reconcileMappingNow("account"); // the next try comes with a reconcile after the interval
      return false;
    }, "read the errors once the endpoint answers");
    assertEquals("101", m.getStatus().getRecentErrors().get(0).getRecordId());
    assertEquals(1L, m.getStatus().getErrorsSeen());
  }
}
