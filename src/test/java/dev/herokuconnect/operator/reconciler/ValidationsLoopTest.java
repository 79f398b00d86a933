package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.ValidationStatus;
import dev.herokuconnect.operator.crd.ValidationStatus.Finding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 8 and the validation defect, a layer down ({@link LoopWorld}): validate-requested-at
 * on a HerokuMapping (GET /mappings/{id}/validations once per value into its status.validation), and
 * a HerokuConnection's run polled as the public client does (202 running, 200 done), read in the
 * public shape, within bounds: a run that never finishes ends Failed with the reason, and its
 * polling stops.
 */
class ValidationsLoopTest extends LoopWorldCase {
  static void annotate(HasMetadata o, String key, String value) {
    Map<String, String> a = o.getMetadata().getAnnotations() == null ? new HashMap<>() : new HashMap<>(o.getMetadata().getAnnotations());
    a.put(key, value);
    o.getMetadata().setAnnotations(a);
  }

  String readyMapping(String name, String object) {
    w.apply(name, object, "");
    w.untilReady(name);
    return w.mapping(name).getStatus().getMappingId();
  }

  long polls() {
    return w.count("GET", "/connections/" + w.connectionId + "/validations/");
  }

  @Test
  void aMappingsValidationRunsOncePerValueIntoItsStatus() {
    String id = readyMapping("account", "Account");
    w.fake.forceMappingState(id, "BAD_CONFIG");
    annotate(w.mapping("account"), Crds.VALIDATE_REQUESTED_AT, "v1");
    HerokuMapping m = w.reconcile("account");
    ValidationStatus v = m.getStatus().getValidation();
    assertEquals("v1", v.getRequestedAt());
    assertEquals(ValidationStatus.COMPLETE, v.getState());
    assertEquals(List.of("Mapping State"), v.getErrors().stream().map(Finding::getObject).toList(), "the check's name");
    assertTrue(v.getErrors().get(0).getMessage().startsWith("The mapping is in state BAD_CONFIG"), v.getErrors().get(0).getMessage());
    assertEquals(0, v.getPassed());
    assertEquals("v1", m.getStatus().getLastHandledValidateAt());
    assertEquals(1, w.count("GET", "/mappings/" + id + "/validations"));
    assertTrue(w.hasEvent("account", "ValidationFailed"), w.events.toString());

    w.reconcile("account");
    w.restart();
    w.reconcile("account");
    assertEquals(1, w.count("GET", "/mappings/" + id + "/validations"), "once per value, restarts included");

    w.fake.forceMappingState(id, null);
    annotate(w.mapping("account"), Crds.VALIDATE_REQUESTED_AT, "v2");
    v = w.reconcile("account").getStatus().getValidation();
    assertEquals(ValidationStatus.COMPLETE, v.getState());
    assertEquals(1, v.getPassed());
    assertEquals(List.of(), v.getErrors());
    assertTrue(w.hasEvent("account", "Validated"));
    assertEquals(2, w.count("GET", "/mappings/" + id + "/validations"));
    assertEquals(0, w.count("POST", "/validations"), "a mapping's validation is one GET, no run to start");
  }

  @Test
  void aMappingsValidationWhileObserveOnlyIsSkippedLikeTheConnections() {
    String id = readyMapping("account", "Account");
    annotate(w.mapping("account"), Crds.RECONCILE_POLICY, Crds.POLICY_OBSERVE);
    annotate(w.mapping("account"), Crds.VALIDATE_REQUESTED_AT, "v1");
    ValidationStatus v = w.reconcile("account").getStatus().getValidation();
    assertEquals(ValidationStatus.SKIPPED, v.getState());
    assertEquals("v1", v.getRequestedAt());
    assertTrue(v.getReason().contains("observe-only"), v.getReason());
    assertEquals("v1", w.mapping("account").getStatus().getLastHandledValidateAt());
    assertTrue(w.hasEvent("account", "ValidationSkipped"), w.events.toString());
    annotate(w.mapping("account"), Crds.RECONCILE_POLICY, Crds.POLICY_MANAGE);
    w.reconcile("account");
    assertEquals(0, w.count("GET", "/mappings/" + id + "/validations"), "never sent, not later either");

    annotate(w.connection("sales"), Crds.RECONCILE_POLICY, Crds.POLICY_OBSERVE);
    annotate(w.connection("sales"), Crds.VALIDATE_REQUESTED_AT, "c1");
    ValidationStatus c = w.reconcileConnection("sales").getStatus().getValidation();
    assertEquals(ValidationStatus.SKIPPED, c.getState(), "the connection's the same way");
    assertEquals(0, w.count("POST", "/validations"));
    assertTrue(w.hasEvent("sales", "ValidationSkipped"));
  }

  @Test
  void aConnectionsRunIsReadInThePublicShapeWithItsMappings() {
    String account = readyMapping("account", "Account");
    readyMapping("contact", "Contact");
    w.fake.forceMappingState(account, "BAD_CONFIG");
    w.fake.setApiVersion(w.connectionId, "52.0");
    w.fake.setValidationRunningPolls(2);
    annotate(w.connection("sales"), Crds.VALIDATE_REQUESTED_AT, "v1");
    ValidationStatus v = null;
    for (int pass = 0; pass < 10; pass++) {
      v = w.reconcileConnection("sales").getStatus().getValidation();
      if (!ValidationStatus.RUNNING.equals(v.getState())) break;
      w.clock.advance(Duration.ofSeconds(10));
    }
    assertEquals(ValidationStatus.COMPLETE, v.getState(), String.valueOf(v.getReason()));
    assertEquals(1, w.count("POST", "/validations"));
    assertEquals(3, polls(), "202, 202, then 200: the status code decides");
    assertEquals(3, v.getPolls());
    assertEquals(List.of("Salesforce API Version"), v.getWarnings().stream().map(Finding::getObject).toList());
    assertEquals(List.of("Account"), v.getErrors().stream().map(Finding::getObject).toList(), "the mappings' checks are in the summary");
    assertEquals(3, v.getPassed(), "database, authorization, Contact's mapping state");
    assertEquals(1, v.getSkipped(), "the log drain");
    assertTrue(w.hasEvent("sales", "ValidationFailed"));
    assertEquals("v1", w.connection("sales").getStatus().getLastHandledValidateAt());
  }

  /** The defect: a run that never answers 200 kept a validation Running and polling for ever. */
  @Test
  void aConnectionsRunThatNeverFinishesEndsFailedAfterABoundedNumberOfPolls() {
    w.fake.setValidationRunningPolls(Integer.MAX_VALUE);
    annotate(w.connection("sales"), Crds.VALIDATE_REQUESTED_AT, "v1");
    int passes = 0;
    ValidationStatus v;
    do {
      v = w.reconcileConnection("sales").getStatus().getValidation();
      w.clock.advance(Duration.ofSeconds(10)); // the delay the operator asks for between two polls
    } while (ValidationStatus.RUNNING.equals(v.getState()) && ++passes < 200);
    System.out.printf("a run that never finishes: %s after %d passes, %d polls: %s%n", v.getState(), passes, polls(), v.getReason());
    assertEquals(ValidationStatus.FAILED, v.getState());
    assertTrue(v.getReason().startsWith("the validation was still running after "), v.getReason());
    assertTrue(polls() <= 30 && polls() >= 20, "bounded: " + polls());
    assertEquals(polls(), (long) v.getPolls());
    assertEquals("v1", w.connection("sales").getStatus().getLastHandledValidateAt(), "handled: a new value asks again");
    assertTrue(w.hasEvent("sales", "ValidationNotFinished"), w.events.toString());
    long after = polls();
    for (int i = 0; i < 5; i++) {
      w.clock.advance(Duration.ofMinutes(11));
      w.reconcileConnection("sales");
    }
    assertEquals(after, polls(), "the polling stopped");
    assertEquals(1, w.count("POST", "/validations"));
  }

  @Test
  void aRunsBoundsSurviveARestart() {
    w.fake.setValidationRunningPolls(Integer.MAX_VALUE);
    annotate(w.connection("sales"), Crds.VALIDATE_REQUESTED_AT, "v1");
    for (int i = 0; i < 10; i++) {
      w.reconcileConnection("sales");
      w.clock.advance(Duration.ofSeconds(10));
    }
    long before = polls();
    w.restart();
    ValidationStatus v;
    int passes = 0;
    do {
      v = w.reconcileConnection("sales").getStatus().getValidation();
      w.clock.advance(Duration.ofSeconds(10));
    } while (ValidationStatus.RUNNING.equals(v.getState()) && ++passes < 200);
    assertEquals(ValidationStatus.FAILED, v.getState());
    assertTrue(polls() <= 30, "the count and the start time are in status: a restart does not reset them (" + before + " before, "
        + polls() + " in all)");
    assertEquals(1, w.count("POST", "/validations"), "the run is not started again");
  }
}
