package dev.herokuconnect.operator.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** The fake's behaviours over raw HTTP, with a clock the test moves. */
class FakeConnectApiTest extends FakeApiCase {

  @Test
  void connectionIsInvisibleUntilLinked() throws IOException {
    assertEquals(404, call("GET", "/api/v3/connections/" + conn, null).status());
    assertEquals(0, call("GET", "/connections?app=crm", null).body().path("count").asInt());
    Reply link = call("POST", "/auth/crm", null);
    assertEquals(fake.baseUrl(), link.body().path("results").get(0).path("region_url").asText());
    assertEquals(200, call("GET", "/api/v3/connections/" + conn, null).status());
  }

  @Test
  void stateMachineNewThenNeedAuthenticationThenIdle() throws IOException {
    call("POST", "/auth/crm", null);
    assertEquals("NEW", call("GET", "/api/v3/connections/" + conn, null).body().path("state").asText());
    assertEquals(400, call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT).status(), "not set up yet");
    call("PATCH", "/api/v3/connections/" + conn, "{\"db_key\":\"DATABASE_URL\",\"schema_name\":\"salesforce\"}");
    assertEquals("NEED_AUTHENTICATION", fake.connectionState(conn));
    String url = call("POST", "/api/v3/connections/" + conn + "/authorize_url", "{\"environment\":\"production\"}")
        .body().path("redirect").asText();
    assertEquals(200, call("GET", url.substring(fake.baseUrl().length()), null, null, null).status(), "a person opens it");
    assertEquals("IDLE", fake.connectionState(conn));
    fake.forceConnectionState(conn, "DB_UNAVAILABLE");
    assertEquals(202, call("POST", "/api/v3/connections/" + conn + "/actions/restart", null).status());
    assertEquals("IDLE", fake.connectionState(conn), "restart clears error states");
    fake.busyFor(conn, Duration.ofMinutes(1));
    assertEquals(400, call("POST", "/api/v3/connections/" + conn + "/actions/pause", null).status());
    clock.advance(Duration.ofMinutes(2));
    assertEquals(202, call("POST", "/api/v3/connections/" + conn + "/actions/pause", null).status());
    assertEquals("PAUSED", fake.connectionState(conn));
  }

  @Test
  void mappingStatesMoveWithTimeAndRevisionsGuardEdits() throws IOException {
    setUp();
    Reply created = call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT);
    assertEquals(201, created.status());
    String id = created.body().path("id").asText();
    assertEquals("INITIAL", created.body().path("state").asText());
    clock.advance(Duration.ofSeconds(15));
    assertEquals("RELOAD_TABLE", call("GET", "/api/v3/mappings/" + id, null).body().path("state").asText());
    clock.advance(Duration.ofSeconds(20));
    JsonNode synced = call("GET", "/api/v3/mappings/" + id, null).body();
    assertEquals("DATA_SYNCED", synced.path("state").asText());
    assertTrue(synced.path("counts").path("db").asLong() > 0);

    String edit = "{\"config\":{\"access\":\"read_only\",\"revision\":1,\"fields\":{\"Id\":{},\"SystemModstamp\":{}}}}";
    assertEquals(200, call("PUT", "/api/v3/mappings/" + id, edit).status());
    assertEquals(409, call("PUT", "/api/v3/mappings/" + id, edit).status(), "revision 1 is stale");
    assertEquals(400, call("PUT", "/api/v3/mappings/" + id, "{\"config\":{\"access\":\"read_only\"}}").status(), "revision required");
    assertEquals("SCHEMA_CHANGED", fake.mappings(conn).get(0).state());
    assertEquals(400, call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT.replace("Account", "ACCOUNT")).status(),
        "a second mapping of the same object, whatever the case");
    assertEquals(400, call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT.replace("Account", "Nonsense")).status());
    assertEquals(202, call("POST", "/api/v3/mappings/" + id + "/actions/abort", null).status());
    assertEquals("ABORTED", fake.mappings(conn).get(0).state());
    assertEquals(202, call("POST", "/api/v3/mappings/" + id + "/actions/reload", null).status());
    assertEquals("RELOAD_TABLE", fake.mappings(conn).get(0).state());
    assertEquals(204, call("DELETE", "/api/v3/mappings/" + id, null).status());
    assertEquals(404, call("DELETE", "/api/v3/mappings/" + id, null).status());
  }

  @Test
  void rollingDailyLimitAnswers429WithTheTrueWait() throws IOException {
    setUp();
    fake.setDailyLimit(fake.requestsInWindow(conn) + 2);
    clock.advance(Duration.ofHours(1));
    call("GET", "/api/v3/connections/" + conn, null);
    clock.advance(Duration.ofHours(1));
    call("GET", "/api/v3/connections/" + conn, null);
    Reply throttled = call("GET", "/api/v3/connections/" + conn, null);
    assertEquals(429, throttled.status());
    // the oldest request in the window (set-up, 2 h ago) frees its slot in 22 h
    assertEquals("Request was throttled. Expected available in 79200 seconds.", throttled.body().path("message").asText());
    assertEquals("79200", throttled.retryAfter());
    clock.advance(Duration.ofHours(22));
    assertEquals(200, call("GET", "/api/v3/connections/" + conn, null).status());
  }

  @Test
  void authContentTypeAndMethodOverride() throws IOException {
    setUp();
    assertEquals(401, call("GET", "/api/v3/connections/" + conn, null, null, null).status());
    assertEquals(401, call("GET", "/api/v3/connections/" + conn, null, null, "wrong").status());
    assertEquals(415, call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT, "text/plain", TOKEN).status());
    String id = call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT).body().path("id").asText();
    Request overridden = new Request.Builder().url(fake.baseUrl() + "/api/v3/mappings/" + id)
        .header("Authorization", "Bearer " + TOKEN).header("X-HTTP-Method-Override", "DELETE")
        .post(RequestBody.create(new byte[0])).build();
    try (Response r = http.newCall(overridden).execute()) {
      assertEquals(204, r.code());
    }
    FakeConnectApi.RecordedRequest last = fake.requests().get(fake.requests().size() - 1);
    assertEquals("DELETE", last.method());
    assertEquals(conn, last.connectionId());
  }

  @Test
  void faultsAfterApplyStillChangeState() throws IOException {
    setUp();
    fake.setFailureRate(1.0);
    int failures = 0;
    for (String object : List.of("Account", "Contact", "Lead", "Case", "Opportunity", "Campaign", "Task", "Event")) {
      Reply r;
      try {
        r = call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT.replace("Account", object));
      } catch (IOException dropped) {
        failures++;
        continue;
      }
      assertTrue(r.status() >= 500, "every answer is a failure: " + r.status());
      failures++;
    }
    assertEquals(8, failures);
    fake.setFailureRate(0);
    assertFalse(fake.mappings(conn).isEmpty(), "some creates happened although the answer was lost");
  }

  @Test
  void exportsAndImportsMerge() throws IOException {
    setUp();
    call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT);
    JsonNode exported = call("GET", "/api/v3/connections/" + conn + "/actions/export", null).body();
    assertEquals(1, exported.path("version").asInt());
    assertFalse(exported.path("mappings").get(0).path("config").has("revision"));
    String contact = "{\"mappings\":[{\"object_name\":\"Contact\",\"config\":{\"access\":\"read_only\",\"fields\":{\"Id\":{},\"SystemModstamp\":{}}}}]}";
    assertEquals(202, call("POST", "/api/v3/connections/" + conn + "/actions/import", contact).status());
    assertEquals(List.of("Account", "Contact"), fake.mappings(conn).stream().map(FakeConnectApi.MappingView::objectName).toList(),
        "mappings not in the file are left alone");
  }

  @Test
  void writeErrorsOfTheLast24HoursNewestFirstPagedAndCounted() throws IOException {
    setUp();
    String account = call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT).body().path("id").asText();
    String contact = call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT.replace("Account", "Contact"))
        .body().path("id").asText();
    JsonNode none = call("GET", "/api/v3/mappings/" + account + "/errors", null).body();
    assertEquals(0, none.path("count").asInt());
    assertTrue(none.path("next").isNull() && none.path("previous").isNull() && none.path("results").isEmpty(), none.toString());

    long old = fake.addWriteError(account, 41, "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record");
    clock.advance(Duration.ofHours(2));
    fake.addWriteError(contact, 7, "INVALID_EMAIL_ADDRESS: Email: invalid email address: bob@");
    clock.advance(Duration.ofMinutes(1));
    long newest = fake.addWriteError(account, 42, "REQUIRED_FIELD_MISSING: Required fields are missing: [Name]");

    JsonNode page = call("GET", "/api/v3/mappings/" + account + "/errors", null).body();
    assertEquals(2, page.path("count").asInt());
    JsonNode first = page.path("results").get(0);
    assertEquals(newest, first.path("id").asLong(), "newest first");
    assertTrue(first.path("id").isIntegralNumber() && first.path("record_id").isIntegralNumber(), first.toString());
    assertEquals("account", first.path("table_name").asText());
    assertEquals(42, first.path("record_id").asLong());
    assertEquals("REQUIRED_FIELD_MISSING: Required fields are missing: [Name]", first.path("message").asText());
    assertEquals("2026-01-01T02:01:00Z", first.path("created_at").asText());
    assertEquals(List.of("created_at", "id", "message", "record_id", "table_name"), sortedNames(first));
    assertEquals(old, page.path("results").get(1).path("id").asLong());

    fake.setPageSize(2);
    JsonNode p1 = call("GET", "/api/v3/connections/" + conn + "/errors", null).body();
    assertEquals(3, p1.path("count").asInt());
    assertEquals(List.of(42L, 7L), recordIds(p1));
    String next = p1.path("next").asText();
    assertEquals(fake.apiRoot() + "/connections/" + conn + "/errors?offset=2", next);
    JsonNode p2 = call("GET", next.substring(fake.baseUrl().length()), null).body();
    assertEquals(List.of(41L), recordIds(p2));
    assertTrue(p2.path("next").isNull());
    assertEquals(fake.apiRoot() + "/connections/" + conn + "/errors?offset=0", p2.path("previous").asText());

    assertEquals(2, errorsCount(account), "counts.errors in the deep GET counts the same errors");
    assertEquals(1, errorsCount(contact));
    clock.advance(Duration.ofHours(22)); // the first error is now 24 h 1 min old
    assertEquals(1, call("GET", "/api/v3/mappings/" + account + "/errors", null).body().path("count").asInt());
    assertEquals(1, errorsCount(account), "the count forgets it too");

    assertEquals(404, call("GET", "/api/v3/mappings/00000000-0000-4000-8000-000000000999/errors", null).status());
    assertEquals(404, call("GET", "/api/v3/connections/00000000-0000-4000-8000-000000000999/errors", null).status());
    assertEquals(401, call("GET", "/api/v3/mappings/" + account + "/errors", null, null, null).status());
    assertTrue(fake.requests().stream().noneMatch(r -> r.path().endsWith("/errors") && r.isWrite()));
  }

  private long errorsCount(String mappingId) throws IOException {
    for (JsonNode m : call("GET", "/api/v3/connections/" + conn + "?deep=true", null).body().path("mappings")) {
      if (m.path("id").asText().equals(mappingId)) return m.path("counts").path("errors").asLong();
    }
    throw new AssertionError("no mapping " + mappingId + " in the deep GET");
  }

  private static List<Long> recordIds(JsonNode page) {
    List<Long> out = new java.util.ArrayList<>();
    page.path("results").forEach(e -> out.add(e.path("record_id").asLong()));
    return out;
  }

  private static List<String> sortedNames(JsonNode node) {
    List<String> out = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out.stream().sorted().toList();
  }
}
