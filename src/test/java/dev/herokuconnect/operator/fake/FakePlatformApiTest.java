package dev.herokuconnect.operator.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.util.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake's Platform API over raw HTTP: what any client sees, headers included. */
class FakePlatformApiTest {
  static final String TOKEN = "fake-platform-token";
  static final String V3 = "application/vnd.heroku+json; version=3";
  final ObjectMapper json = new ObjectMapper();
  final OkHttpClient http = new OkHttpClient();
  MutableClock clock;
  FakeConnectApi fake;

  record Reply(int status, JsonNode body, String remaining, String retryAfter) {}

  @BeforeEach
  void start() throws IOException {
    clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    fake = new FakeConnectApi(clock);
    fake.addToken(TOKEN, "ops");
    fake.platform().addApp("crm");
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  Reply call(String method, String path, String body, String accept) throws IOException {
    Request.Builder b = new Request.Builder().url(fake.baseUrl() + path).header("Authorization", "Bearer " + TOKEN);
    if (accept != null) b.header("Accept", accept);
    RequestBody rb = body == null ? (method.equals("GET") || method.equals("DELETE") ? null : RequestBody.create(new byte[0]))
        : RequestBody.create(body, MediaType.get("application/json"));
    try (Response r = http.newCall(b.method(method, rb).build()).execute()) {
      String text = r.body() == null ? "" : r.body().string();
      return new Reply(r.code(), text.isEmpty() ? null : json.readTree(text), r.header("RateLimit-Remaining"), r.header("Retry-After"));
    }
  }

  Reply call(String method, String path, String body) throws IOException {
    return call(method, path, body, V3);
  }

  @Test
  void withoutTheVersionedAcceptTheApiRefuses() throws IOException {
    Reply r = call("GET", "/apps/crm/addons", null, "application/json");
    assertEquals(400, r.status());
    assertEquals("bad_request", r.body().path("id").asText());
    assertEquals(200, call("GET", "/apps/crm/addons", null).status());
  }

  @Test
  void everyAnswerCarriesRateLimitRemaining() throws IOException {
    assertEquals("4499", call("POST", "/apps/crm/addons", "{\"plan\":{\"name\":\"herokuconnect:demo\"}}").remaining(), "201, the CLI's plan form");
    assertEquals("4498", call("GET", "/apps/nope/addons", null).remaining(), "404");
    assertEquals("4497", call("POST", "/apps/crm/addons", "{\"plan\":\"herokuconnect:gold\"}").remaining(), "422");
    assertEquals(4497, fake.platform().remaining("ops"));
  }

  @Test
  void anEmptyPoolAnswers429UntilItRefillsAtTheHourlyRate() throws IOException {
    fake.platform().setRemaining("ops", 0);
    Reply r = call("GET", "/apps/crm/addons", null);
    assertEquals(429, r.status());
    assertEquals("rate_limit", r.body().path("id").asText());
    assertEquals("https://devcenter.heroku.com/articles/platform-api-reference#rate-limits", r.body().path("url").asText());
    assertEquals("0", r.remaining());
    assertNull(r.retryAfter(), "Heroku documents no Retry-After");
    clock.advance(Duration.ofMinutes(1)); // 75 back
    Reply after = call("GET", "/apps/crm/addons", null);
    assertEquals(200, after.status());
    assertEquals("74", after.remaining());
    fake.platform().setRemaining("ops", 0);
    fake.platform().setSendRetryAfter(true);
    assertEquals("1", call("GET", "/apps/crm/addons", null).retryAfter(), "one request back within a second at 4,500/h");
  }

  @Test
  void provisioningTakesTheConfiguredReadsAndNamesFollowTheSchema() throws IOException {
    fake.platform().setProvisioning(2, null);
    Reply created = call("POST", "/apps/crm/addons", "{\"plan\":\"herokuconnect\",\"name\":\"hc-crm\"}");
    assertEquals(201, created.status());
    assertEquals("herokuconnect:demo", created.body().path("plan").path("name").asText(), "the service alone: its default plan");
    String id = created.body().path("id").asText();
    assertEquals("provisioning", call("GET", "/apps/crm/addons/" + id, null).body().path("state").asText());
    assertEquals("provisioning", call("GET", "/apps/crm/addons/hc-crm", null).body().path("state").asText());
    assertEquals("provisioned", call("GET", "/apps/crm/addons/" + id, null).body().path("state").asText());
    assertEquals("provisioned", fake.platform().state(id));
    assertEquals("NEW", fake.connectionState(id));
    Reply badName = call("POST", "/apps/crm/addons", "{\"plan\":\"herokuconnect:demo\",\"name\":\"9lives\"}");
    assertEquals(422, badName.status());
    assertEquals("invalid_params", badName.body().path("id").asText());
    Reply notFound = call("GET", "/apps/crm/addons/hc-none", null);
    assertEquals(404, notFound.status());
    assertEquals("add_on", notFound.body().path("resource").asText());
  }
}
