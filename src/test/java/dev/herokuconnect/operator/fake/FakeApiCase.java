package dev.herokuconnect.operator.fake;

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

/** A fake on a clock the test moves, one add-on (not linked yet), and raw HTTP calls to it. */
abstract class FakeApiCase {
  static final String TOKEN = "fake-token-1";
  static final String ACCOUNT = "{\"object_name\":\"Account\",\"config\":{\"access\":\"read_only\","
      + "\"fields\":{\"Id\":{},\"SystemModstamp\":{},\"Name\":{}},\"indexes\":{\"Id\":{\"unique\":true}}}}";
  final ObjectMapper json = new ObjectMapper();
  final OkHttpClient http = new OkHttpClient();
  MutableClock clock;
  FakeConnectApi fake;
  String conn;

  @BeforeEach
  void start() throws IOException {
    clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    fake = new FakeConnectApi(clock);
    fake.addToken(TOKEN, "ops");
    fake.setSyncTiming(Duration.ofSeconds(10), Duration.ofSeconds(20));
    conn = fake.addConnection("crm", "hc-1");
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  record Reply(int status, JsonNode body, String retryAfter) {}

  Reply call(String method, String path, String body, String contentType, String token) throws IOException {
    Request.Builder b = new Request.Builder().url(fake.baseUrl() + path);
    if (token != null) b.header("Authorization", "Bearer " + token);
    RequestBody rb = body == null ? (method.equals("POST") || method.equals("PUT") || method.equals("PATCH") ? RequestBody.create(new byte[0]) : null)
        : RequestBody.create(body, contentType == null ? null : MediaType.get(contentType));
    try (Response r = http.newCall(b.method(method, rb).build()).execute()) {
      String text = r.body() == null ? "" : r.body().string();
      return new Reply(r.code(), text.isEmpty() ? null : json.readTree(text), r.header("Retry-After"));
    }
  }

  Reply call(String method, String path, String body) throws IOException {
    return call(method, path, body, "application/json", TOKEN);
  }

  void setUp() throws IOException {
    call("POST", "/auth/crm", null);
    call("PATCH", "/api/v3/connections/" + conn, "{\"db_key\":\"DATABASE_URL\",\"schema_name\":\"salesforce\"}");
    fake.completeAuthorization(conn);
  }
}
