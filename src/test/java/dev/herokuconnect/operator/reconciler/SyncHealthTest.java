package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.ValidationStatus;
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
    assertEquals("salesforce", before.getErrors().get(0).getObject());
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
}
