package dev.herokuconnect.operator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/**
 * A keep-alive connection the server closes while it sits in the client's pool (servers and
 * routers close idle ones): the next GET on it fails before it is sent. A GET goes once more, on
 * a new connection, instead of ending the pass in RemoteError (seen in the demo: the mappings'
 * reads failed with "unexpected end of stream" for half a minute).
 */
class StaleConnectionTest {
  @Test
  void aGetOnAConnectionTheServerClosedGoesAgainOnANewOne() throws Exception {
    AtomicInteger answered = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) { /* the request's head */ }
            OutputStream out = s.getOutputStream();
            // keep-alive by HTTP/1.1's default (no Connection: close), then closed at once: a stale pooled connection
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            answered.incrementAndGet();
          } catch (java.io.IOException closed) {
            return;
          }
        }
      }, "closing-server");
      t.setDaemon(true);
      t.start();
      ConnectHttp http = new ConnectHttp(new ApiToken("test-token-stale"), RequestGate.OPEN,
          ConnectHttp.Options.defaults().withHosts(HostAllowlist.parse("127.0.0.1")), java.time.Clock.systemUTC());
      HttpUrl url = HttpUrl.get("http://127.0.0.1:" + server.getLocalPort() + "/api/v3/connections/c1");
      ConnectHttp.Call get = new ConnectHttp.Call("GET", url, null, "GET /connections/{id}", "c1", RequestGate.Priority.USER);
      for (int i = 1; i <= 3; i++) {
        http.send(get); // the 2nd and 3rd meet the connection the server closed after the one before
        assertEquals(i, answered.get(), "each GET answered once");
      }
    }
  }
}
