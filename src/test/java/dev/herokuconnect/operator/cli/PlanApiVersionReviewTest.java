package dev.herokuconnect.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review reproduction: plan and the operator disagree on a Salesforce API version change of a
 * connection that is PAUSED remotely while its spec does not pause it.
 */
class PlanApiVersionReviewTest {
  static final String TOKEN = "plan-review-token-never-printed";
  @TempDir Path dir;
  FakeConnectApi fake;
  String connectionId;

  @BeforeEach
  void world() throws Exception {
    fake = new FakeConnectApi(Clock.systemUTC());
    fake.addToken(TOKEN, "ops@example.com");
    connectionId = fake.addReadyConnection("acme-crm", "herokuconnect-prod-9", "ops@example.com", "DATABASE_URL", "salesforce");
    fake.dashboardCreate(connectionId, "Account", PlanCommandTest.config("read_only", List.of("Id", "Name", "SystemModstamp"), 600));
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  /**
   * Found in review (fixed): the connection is PAUSED (someone paused it in the dashboard), spec.paused is false, and
   * the spec asks for 62.0 on a 52.0 connection. The operator resumes it (ConnectionDecisions), then
   * previews, pauses for the change, changes and resumes: writes resume, pause, change, resume, and
   * the connection ends IDLE. plan prints "(change; the connection stays paused)" and the steps
   * resume, change-sf-api-version: no pause (the change would be refused on an IDLE connection as
   * plan lists it) and the connection does not stay paused.
   */
  @Test
  void planShowsTheStepsTheOperatorSendsForAPausedConnectionItsSpecResumes() throws Exception {
    fake.setApiVersion(connectionId, "52.0");
    fake.forceConnectionState(connectionId, "PAUSED");
    Path f = dir.resolve("sales.yaml");
    Files.writeString(f, PlanCommandTest.connection("sales", "DATABASE_URL", false)
        .replace("paused: false", "paused: false\n  salesforce: {apiVersion: '62.0'}"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("-f", f.toString(), "-o", "json", "--discovery-url", fake.baseUrl()));
    int code = PlanCommand.run(args.toArray(String[]::new), Map.of("HEROKU_API_KEY", TOKEN, "HEROKU_CONNECT_API_HOSTS", fake.host()),
        new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(0, code);
    JsonNode sales = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)).path("connections").get(0);
    assertFalse(sales.toString().contains("stays paused"), "plan says the connection stays paused; the operator resumes it: "
        + sales.path("changes"));
    assertEquals("[\"resume\",\"pause\",\"change-sf-api-version\",\"resume\"]", sales.path("steps").toString(),
        "plan's steps are not the writes the operator sends (resume, pause, change-sf-api-version, resume): " + sales);
  }
}
