package dev.herokuconnect.operator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herokuconnect.operator.connect.Model.ValidationCheck;
import dev.herokuconnect.operator.connect.Model.ValidationResults;
import dev.herokuconnect.operator.connect.ValidationPoller.Outcome;
import dev.herokuconnect.operator.connect.ValidationPoller.Policy;
import dev.herokuconnect.operator.connect.ValidationPoller.Progress;
import dev.herokuconnect.operator.connect.ValidationPoller.State;
import dev.herokuconnect.operator.testing.CountingServer;
import dev.herokuconnect.operator.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Validations as the CLI plugin runs them (POST, then GET result_url until the HTTP status is 200),
 * read in their public shape, and polled within bounds: issue 18's defect was a client waiting for a
 * "status: complete" field that the answer does not have, polling for ever.
 */
class ValidationPollingTest extends ClientOnFakeCase {
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  /** Between two GETs the poller's clock moves on; no real waiting. */
  final ValidationPoller.Pacer pacer = clock::advance;

  String mapping(String object) {
    ObjectNode config = JsonNodeFactory.instance.objectNode().put("access", "read_only");
    config.putObject("fields").putObject("Id");
    ((ObjectNode) config.get("fields")).putObject("SystemModstamp");
    return fake.dashboardCreate(connId, object, config);
  }

  static List<String> names(List<ValidationCheck> checks) {
    return checks.stream().map(ValidationCheck::displayName).toList();
  }

  @Test
  void aRunIsPolledUntilTheStatusIs200AndReadInThePublicShape() throws Exception {
    fake.setValidationRunningPolls(2);
    fake.setApiVersion(connId, "52.0");
    fake.forceMappingState(mapping("Account"), "BAD_CONFIG");
    mapping("Contact");
    ValidationPoller poller = new ValidationPoller(new Policy(10, Duration.ofMinutes(5), Duration.ofSeconds(10)), clock);

    Outcome done = poller.run(api(), connId, pacer);

    assertEquals(State.COMPLETE, done.state(), String.valueOf(done.reason()));
    assertEquals(3, done.progress().polls(), "202, 202, then 200");
    assertEquals(1, requests("POST", "/validations"));
    assertEquals(3, requests("GET", "/connections/" + connId + "/validations/"));
    ValidationResults r = done.results();
    assertEquals(List.of(), r.errors());
    assertEquals(List.of("Salesforce API Version"), names(r.warnings()));
    ValidationCheck version = r.warnings().get(0);
    assertEquals("MUST_USE_RECENT_API_VERSION", version.ruleId());
    assertEquals("FAILED", version.status());
    assertTrue(version.message().contains("Your connection is using version 52.0."), version.message());
    assertTrue(version.docUrl().endsWith("#check-salesforce-api-version"), version.docUrl());
    assertEquals(List.of("Database Configuration", "Salesforce Authorization"), names(r.passes()));
    assertEquals(List.of("Configured Logging"), names(r.skips()));
    assertEquals(List.of("Account", "Contact"), List.copyOf(r.mappings().keySet()));
    assertEquals("The mapping is in state BAD_CONFIG: bad config.", r.mappings().get("Account").errors().get(0).message());
    assertEquals(List.of("Mapping State"), names(r.mappings().get("Contact").passes()));
    assertEquals(1, r.errorCount());
    assertEquals(3, r.passCount());
    assertTrue(admitted().stream().filter(a -> a.endpoint().contains("validations")).allMatch(a -> a.budgetKey().equals(connId)),
        "each request paid from the connection's budget: " + admitted());
  }

  @Test
  void pollingStopsAfterMaxPollsWithTheReason() throws Exception {
    fake.setValidationRunningPolls(Integer.MAX_VALUE);
    ValidationPoller poller = new ValidationPoller(new Policy(3, Duration.ofHours(1), Duration.ofSeconds(1)), clock);

    Outcome failed = poller.run(api(), connId, pacer);

    assertEquals(State.FAILED, failed.state());
    assertNull(failed.results());
    assertEquals(3, requests("GET", "/validations/"), "three GETs and no more");
    assertTrue(failed.reason().startsWith("the validation was still running after 3 poll(s) in 2.0 s (at most 3 polls within 3600.0 s)"),
        failed.reason());
    assertEquals(State.FAILED, poller.poll(api(), failed.progress()).state());
    assertEquals(3, requests("GET", "/validations/"), "a failed run is not polled again");
  }

  @Test
  void pollingStopsAfterMaxTimeWithoutAnotherRequest() throws Exception {
    fake.setValidationRunningPolls(Integer.MAX_VALUE);
    ValidationPoller poller = new ValidationPoller(new Policy(1000, Duration.ofSeconds(60), Duration.ofSeconds(10)), clock);

    Outcome failed = poller.run(api(), connId, pacer);

    assertEquals(State.FAILED, failed.state());
    assertEquals(6, requests("GET", "/validations/"), "GETs at 0, 10 … 50 s; at 60 s the time is up");
    assertEquals(6, failed.progress().polls());
    assertTrue(failed.reason().contains("after 6 poll(s) in 60.0 s"), failed.reason());
  }

  @Test
  void oneStepAtATimeForACallerThatKeepsTheProgress() {
    fake.setValidationRunningPolls(1);
    ValidationPoller poller = new ValidationPoller(Policy.DEFAULT, clock);
    String resultUrl = api().startValidation(connId).resultUrl();
    assertTrue(resultUrl.startsWith(fake.apiRoot() + "/connections/" + connId + "/validations/"), resultUrl);
    Progress started = new Progress(resultUrl, clock.instant(), 0);

    Outcome first = poller.poll(api(), started);
    assertEquals(State.RUNNING, first.state());
    assertEquals(1, first.progress().polls());
    clock.advance(Duration.ofSeconds(10));
    Outcome second = poller.poll(api(), first.progress());
    assertEquals(State.COMPLETE, second.state());
    assertEquals(2, second.progress().polls());
    assertEquals(List.of("Salesforce Authorization"), names(second.results().passes()).subList(1, 2));

    clock.advance(Duration.ofMinutes(6));
    Outcome late = poller.poll(api(), new Progress(resultUrl, started.startedAt(), 2));
    assertEquals(State.FAILED, late.state(), "past the default 5 minutes");
  }

  @Test
  void theReaderOfTheOldShapeSeesRunningThenCompleteWithFindings() {
    fake.setValidationRunningPolls(1);
    fake.forceMappingState(mapping("Account"), "ABORTED");
    fake.forceConnectionState(connId, "UNAUTHORIZED");
    ConnectApi api = api();
    Model.ValidationRun run = api.startValidation(connId);
    assertNull(run.status(), "the POST answers result_url only");

    assertEquals("running", api.validationResult(run.resultUrl()).status());
    Model.ValidationRun done = api.validationResult(run.resultUrl());
    assertEquals("complete", done.status());
    List<String> findings = new ArrayList<>();
    for (JsonNode f : done.results()) findings.add(f.path("level").asText() + " " + f.path("object").asText() + ": " + f.path("message").asText());
    assertEquals(List.of(
        "error Salesforce Authorization: The connection is not authorized to use Salesforce (state UNAUTHORIZED): open its authorization URL.",
        "passed Database Configuration: The connection uses DATABASE_URL, schema salesforce.",
        "passed Salesforce API Version: Your connection is using the latest available Salesforce API version, 62.0.",
        "warning Account: Mapping State: The mapping is in state ABORTED: Operation aborted; reload to resume sync."), findings);
    assertEquals("complete", api.validationResult(run.resultUrl()).status(), "a finished run keeps its result");
  }

  @Test
  void aMappingsValidationsAnswerAtOnce() {
    String account = mapping("Account");
    fake.forceMappingState(account, "SYSTEM_ERROR");
    ValidationResults r = api().mappingValidations(account);
    assertEquals(List.of("Mapping State"), names(r.errors()));
    assertEquals("FAILED", r.errors().get(0).status());
    assertEquals(List.of(), r.passes());
    assertTrue(r.mappings().isEmpty(), "one mapping's checks have no mappings");
    assertEquals(1, requests("GET", "/mappings/" + account + "/validations"));
    assertThrows(ConnectApiException.NotFound.class, () -> api().mappingValidations("00000000-0000-4000-8000-000000000999"));
  }

  @Test
  void aResultThatOmitsItsListsReadsAsEmpty() throws Exception {
    try (CountingServer region = new CountingServer()) {
      region.answering("{\"mappings\": {\"Account\": {}}}");
      ConnectApi api = new ConnectApi(http, region.url(fake.host()) + "/api/v3", connId, RequestGate.Priority.USER);
      Model.ValidationReply reply = api.validationReply(region.url(fake.host()) + "/api/v3/connections/" + connId + "/validations/456");
      assertTrue(reply.complete());
      assertEquals(List.of(), reply.results().errors());
      assertEquals(List.of(), reply.results().mappings().get("Account").warnings());
      assertEquals(0, reply.results().errorCount());
    }
  }
}
