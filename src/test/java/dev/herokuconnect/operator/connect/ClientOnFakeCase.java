package dev.herokuconnect.operator.connect;

import dev.herokuconnect.operator.fake.FakeConnectApi;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The client against the fake over HTTP, through a gate that records what it admitted and with which priority. */
abstract class ClientOnFakeCase {
  static final String TOKEN = "hrku-test-0123456789abcdef";
  record Admitted(String budgetKey, String endpoint, RequestGate.Priority priority) {}

  final List<Admitted> admitted = new ArrayList<>();
  final RequestGate recordingGate = (key, endpoint, priority) -> {
    synchronized (admitted) {
      admitted.add(new Admitted(key, endpoint, priority));
    }
  };
  FakeConnectApi fake;
  ConnectHttp http;
  String connId;

  @BeforeEach
  void start() throws IOException {
    fake = new FakeConnectApi();
    fake.addToken(TOKEN, "ops@example.com");
    fake.setSyncTiming(Duration.ZERO, Duration.ZERO);
    connId = fake.addReadyConnection("crm-prod", "herokuconnect-round-12345", "ops@example.com", "DATABASE_URL", "salesforce");
    http = new ConnectHttp(new ApiToken(TOKEN), recordingGate,
        ConnectHttp.Options.defaults().withHosts(HostAllowlist.parse(fake.host())), java.time.Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  ConnectApi api() {
    return new ConnectApi(http, fake.apiRoot(), connId, RequestGate.Priority.USER);
  }

  /** Requests the fake answered whose path contains {@code part}, with {@code method}. */
  long requests(String method, String part) {
    return fake.requests().stream().filter(r -> r.method().equals(method) && r.path().contains(part)).count();
  }

  List<Admitted> admitted() {
    synchronized (admitted) {
      return List.copyOf(admitted);
    }
  }
}
