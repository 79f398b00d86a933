package dev.herokuconnect.operator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Point 2: "refused before any request: zero requests leave" — the allowlist is checked once, on the first URL; redirects are followed. */
class ReviewRedirectTest {
  @Test
  void aRedirectFromAnAllowedHostIsFollowedToAHostNotInTheAllowlist() throws Exception {
    List<String> seenByOther = new CopyOnWriteArrayList<>();
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext("/", ex -> {
      seenByOther.add(ex.getRequestURI() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
      byte[] body = "{\"id\":\"x\",\"state\":\"IDLE\",\"mappings\":[]}".getBytes();
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    other.start();
    HttpServer allowed = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    allowed.createContext("/", ex -> {
      ex.getResponseHeaders().add("Location", "http://localhost:" + other.getAddress().getPort() + "/elsewhere");
      ex.sendResponseHeaders(307, -1);
      ex.close();
    });
    allowed.start();
    try {
      HostAllowlist hosts = HostAllowlist.parse("127.0.0.1"); // localhost is NOT allowed
      ConnectHttp http = new ConnectHttp(new ApiToken("tok-123"), RequestGate.OPEN,
          ConnectHttp.Options.defaults().withHosts(hosts).withReadTimeout(Duration.ofSeconds(5)), Clock.systemUTC());
      ConnectApi api = new ConnectApi(http, "http://127.0.0.1:" + allowed.getAddress().getPort() + "/api/v3", "k",
          RequestGate.Priority.USER);
      try {
        api.getConnection("c1", true);
      } catch (RuntimeException refused) {
        // what should happen: the redirect's target is refused
      }
      assertEquals(List.of(), seenByOther, "no request may reach a host outside " + HostAllowlist.SETTING);
    } finally {
      allowed.stop(0);
      other.stop(0);
    }
  }

  /**
   * A 429 whose body names a wait that does not fit a long escapes ConnectHttp as NumberFormatException, an
   * IllegalArgumentException: ManagedLoop reports that as Stalled InvalidSpec with no requeue, and the gate never
   * hears of the 429.
   */
  @Test
  void a429WithAnOversizedWaitIsNotAConnectApiException() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      byte[] body = "{\"message\":\"Rate limit exceeded: available in 99999999999999999999 seconds\"}".getBytes();
      ex.sendResponseHeaders(429, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      ConnectHttp http = new ConnectHttp(new ApiToken("tok-123"), RequestGate.OPEN,
          ConnectHttp.Options.defaults().withHosts(HostAllowlist.parse("127.0.0.1")), Clock.systemUTC());
      ConnectApi api = new ConnectApi(http, "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v3", "k",
          RequestGate.Priority.USER);
      RuntimeException thrown = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> api.getConnection("c1", true));
      org.junit.jupiter.api.Assertions.assertInstanceOf(ConnectApiException.Throttled.class, thrown, "got " + thrown);
    } finally {
      server.stop(0);
    }
  }
}
