package dev.herokuconnect.operator.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 on the fake, over raw HTTP: a validation run answers its POST with result_url only, its
 * GETs 202 without a body while it runs, then 200 with the CLI plugin's DiagnoseResults; a
 * mapping's validations answer at once.
 */
class FakeValidationsTest extends FakeApiCase {

  String startRun() throws IOException {
    Reply started = call("POST", "/api/v3/connections/" + conn + "/validations", null);
    assertEquals(202, started.status());
    assertEquals(List.of("result_url"), fieldNames(started.body()), "nothing but result_url");
    return started.body().path("result_url").asText();
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void aRunAnswers202ThenItsResult() throws IOException {
    setUp();
    fake.setApiVersion(conn, "55.0");
    String account = call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT).body().path("id").asText();
    fake.forceMappingState(account, "BULK_LOAD_ERROR");
    fake.setValidationRunningPolls(2);
    String url = startRun();
    assertTrue(url.startsWith(fake.baseUrl() + "/api/v3/connections/" + conn + "/validations/"), "absolute, under the connection: " + url);
    String path = url.substring(fake.baseUrl().length());
    for (int i = 0; i < 2; i++) {
      Reply running = call("GET", path, null);
      assertEquals(202, running.status());
      assertNull(running.body(), "202 has no body");
    }
    Reply done = call("GET", path, null);
    assertEquals(200, done.status());
    JsonNode r = done.body();
    assertEquals(List.of("errors", "warnings", "passes", "skips", "mappings"), fieldNames(r));
    assertEquals(0, r.path("errors").size());
    JsonNode warning = r.path("warnings").get(0);
    assertEquals(List.of("display_name", "message", "doc_url", "rule_id", "status"), fieldNames(warning));
    assertEquals("Salesforce API Version", warning.path("display_name").asText());
    assertEquals("The latest available Salesforce API version is 62.0. Your connection is using version 55.0. "
        + "You should re-create your connection to use the latest version.", warning.path("message").asText());
    assertEquals("FAILED", warning.path("status").asText());
    assertEquals(List.of("display_name", "message", "doc_url"), fieldNames(r.path("passes").get(0)), "no status on a pass");
    assertEquals("SHOULD_HAVE_LOG_DRAIN", r.path("skips").get(0).path("rule_id").asText());
    JsonNode mapping = r.path("mappings").path("Account");
    assertEquals("Mapping State", mapping.path("errors").get(0).path("display_name").asText());
    assertTrue(mapping.path("mappings").isMissingNode(), "a mapping's results have no mappings");
    assertEquals(r, call("GET", path, null).body(), "a finished run keeps its result");
  }

  @Test
  void aRunBelongsToItsConnection() throws IOException {
    setUp();
    String path = startRun().substring(fake.baseUrl().length());
    String other = fake.addReadyConnection("other", "hc-2", "ops", "DATABASE_URL", "salesforce");
    String run = path.substring(path.lastIndexOf('/') + 1);
    assertEquals(404, call("GET", "/api/v3/connections/" + other + "/validations/" + run, null).status());
    assertEquals(404, call("GET", "/api/v3/connections/" + conn + "/validations/nope", null).status());
    fake.addToken("stranger-token", "stranger");
    assertEquals(404, call("GET", path, null, null, "stranger-token").status(), "not linked to the connection");
    assertEquals(202, call("GET", path, null).status());
    assertEquals(200, call("GET", path, null).status());
  }

  @Test
  void aMappingsValidationsAnswerAtOnce() throws IOException {
    setUp();
    String account = call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT).body().path("id").asText();
    Reply r = call("GET", "/api/v3/mappings/" + account + "/validations", null);
    assertEquals(200, r.status());
    assertEquals(List.of("errors", "warnings", "passes", "skips"), fieldNames(r.body()));
    assertEquals("The mapping is in state INITIAL.", r.body().path("passes").get(0).path("message").asText());
    assertEquals(404, call("GET", "/api/v3/mappings/00000000-0000-4000-8000-000000000999/validations", null).status());
  }
}
