package dev.herokuconnect.operator.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on loopback that counts what reaches it and answers every request with one
 * JSON body: the stand-in for a host the token must not be sent to, or for an API that hands
 * out links to one. Reached by a host name chosen by the test, so an allowlist holding
 * 127.0.0.1 can refuse the same server under the name localhost.
 */
public final class CountingServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile String answer = "{}";

  public CountingServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      byte[] body = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  /** What every request gets from now on. */
  public CountingServer answering(String json) {
    answer = json;
    return this;
  }

  /** http://HOST:PORT, with the host name the caller wants the allowlist to see. */
  public String url(String host) {
    return "http://" + host + ":" + server.getAddress().getPort();
  }

  /** How many requests reached this server. */
  public int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
