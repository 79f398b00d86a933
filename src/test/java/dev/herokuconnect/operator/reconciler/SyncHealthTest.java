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
}
