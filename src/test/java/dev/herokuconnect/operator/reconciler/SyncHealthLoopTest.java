package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.ValidationStatus;
import dev.herokuconnect.operator.reconciler.connection.Validations;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Validation on request and write errors a person can read, each within the API budget, a layer
 * down ({@link LoopWorld}; the sandbox's SyncHealthTest, whose hour of reconciles ran on a clock
 * 120 times faster, now runs on the world's clock).
 */
class SyncHealthLoopTest extends LoopWorldCase {

  HerokuConnection validate(String value) {
    LoopWorld.annotate(w.connection("sales"), Crds.VALIDATE_REQUESTED_AT, value);
    return w.untilConnection(LoopWorld.NS, "sales", x -> value.equals(x.getStatus().getLastHandledValidateAt())
        && Validations.COMPLETE.equals(x.getStatus().getValidation().getState()));
  }

  long events(String name, String reason) {
    return w.events.stream().filter(e -> e.startsWith(name + " " + reason + ":") || e.startsWith(name + " !" + reason + ":")).count();
  }

  @Test
  void validationRunsOncePerRequestedValueAndIsSummarisedInStatus() {
    w.cluster.remove("HerokuConnection/crm/sales");
    String id = w.fake.addConnection("acme-new", "herokuconnect-new-1");
    w.applyConnection(LoopWorld.connectionNamed("sales", "acme-new"));
    w.untilConnection(LoopWorld.NS, "sales", c -> c.getStatus().getAuthorizationUrl() != null); // asks for authorization
    ValidationStatus before = validate("v0").getStatus().getValidation();
    assertEquals(1, before.getErrors().size(), "Salesforce is not authorized yet: " + before.getErrors());
    assertEquals("Salesforce Authorization", before.getErrors().get(0).getObject(), "the check's display_name");
    assertTrue(w.hasEvent("sales", "ValidationFailed"));

    w.fake.completeAuthorization(id);
    w.clock.advance(Duration.ofMinutes(11));
    w.untilConnection(LoopWorld.NS, "sales", x -> Conditions.isTrue(x.getStatus(), Conditions.READY));
    ValidationStatus v = validate("v1").getStatus().getValidation();
    System.out.printf("validation: v0 %d passed / %d errors, v1 %d passed / %d errors; requests: %d POST, %d GET result%n",
        before.getPassed(), before.getErrors().size(), v.getPassed(), v.getErrors().size(), w.count("POST", "/validations"),
        w.count("GET", "/validations/"));
    assertEquals("v1", v.getRequestedAt());
    assertEquals(3, v.getPassed(), "database, salesforce and the mappings check");
    assertEquals(0, v.getErrors().size());
    assertTrue(w.hasEvent("sales", "Validated"));
    w.refreshConnection("sales");
    w.refreshConnection("sales");
    assertEquals(2, w.count("POST", "/validations"), "once per requested value");
  }

  @Test
  void writeErrorsAreReadOnlyWhenTheCountGoesUpAndShownInStatus() {
    w.reconcileConnection("sales");
    w.apply("account", "Account", "");
    w.untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    w.refreshMapping("account");
    assertEquals(0, w.count("GET", "/errors"), "no read while the count is zero");
    w.fake.addWriteError(id, 101, "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone is required");
    w.fake.addWriteError(id, 102, "DUPLICATE_VALUE: duplicate value found: External_Id__c");
    w.refreshConnection("sales"); // a refresh of the shared snapshot shows counts.errors = 2
    HerokuMapping m = w.reconcile("account"); // woken by the new snapshot in the operator
    assertEquals(2, m.getStatus().getRecentErrors().size(), "shows the errors: " + m.getStatus().getRecentErrors());
    assertEquals("102", m.getStatus().getRecentErrors().get(0).getRecordId(), "newest first");
    assertTrue(m.getStatus().getRecentErrors().get(0).getMessage().startsWith("DUPLICATE_VALUE"));
    assertEquals(2L, m.getStatus().getErrorsSeen());
    assertEquals(1, events("account", "WriteErrors"));
    w.refreshMapping("account");
    w.refreshConnection("sales");
    w.refreshMapping("account");
    System.out.printf("write errors: %d error read(s) for one increase, after 3 more reconciles; status.recentErrors[0] = %s: %s%n",
        w.count("GET", "/errors"), m.getStatus().getRecentErrors().get(0).getRecordId(), m.getStatus().getRecentErrors().get(0).getMessage());
    assertEquals(1, w.count("GET", "/errors"), "no read while the count is unchanged");
  }

  /**
   * Issue 16: while GET /mappings/{id}/errors fails, it is sent at most once per refresh interval
   * however often the mapping is reconciled, and read again once it answers. One hour of the
   * world's clock (10 min refresh), a refresh asked for every minute.
   */
  @Test
  void aFailingErrorReadIsSentAtMostOncePerRefreshInterval() {
    Duration refresh = Duration.ofMinutes(10); // the world's refresh interval
    w.apply("account", "Account", "");
    w.untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    w.fake.failRequests("GET", "/errors", 500, Integer.MAX_VALUE);
    w.fake.addWriteError(id, 101, "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone is required");
    w.refreshConnection("sales"); // the shared snapshot shows counts.errors = 1: from now on every reconcile wants to read
    Instant from = w.clock.instant();
    Instant to = from.plus(Duration.ofHours(1));
    int reconciles = 0;
    while (w.clock.instant().isBefore(to)) { // people and changes reconcile it far more often than every refresh
      w.refreshMapping("account");
      reconciles++;
      w.clock.advance(Duration.ofMinutes(1)); // ten times per refresh interval (each refresh is a deep GET: ~45 ms here)
    }
    long reads = w.fake.requests().stream()
        .filter(r -> r.path().endsWith("/errors") && !r.at().isBefore(from) && r.at().isBefore(to)).count();
    long bound = Duration.ofHours(1).dividedBy(refresh) + 1;
    System.out.printf("write errors: GET /errors failing for one hour (refresh %s): %d read(s) in %d reconciles (bound %d; %.0f a day)%n",
        refresh, reads, reconciles, bound, reads * 24.0);
    assertTrue(reconciles > 2 * bound, "the mapping was reconciled often enough to show the bound: " + reconciles);
    assertTrue(reads <= bound, reads + " reads in an hour; at most one per refresh interval (" + bound + ")");
    assertTrue(reads >= 2, "a failed read is tried again after the interval: " + reads);
    assertEquals(null, w.mapping("account").getStatus().getErrorsSeen(), "nothing read, so nothing counted as seen");

    w.fake.endOutage();
    HerokuMapping m = w.mapping("account");
    for (int pass = 0; pass < 15 && m.getStatus().getRecentErrors().size() != 1; pass++) {
      w.clock.advance(Duration.ofMinutes(1)); // the next try comes with a reconcile after the interval
      m = w.refreshMapping("account");
    }
    assertEquals(1, m.getStatus().getRecentErrors().size(), "read the errors once the endpoint answers");
    assertEquals("101", m.getStatus().getRecentErrors().get(0).getRecordId());
    assertEquals(1L, m.getStatus().getErrorsSeen());
  }
}
