package dev.herokuconnect.operator.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** A real Prometheus server on loopback, its config and storage in a temp dir (tests only). */
final class PrometheusServer implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/prometheus");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path dir;
  private final String base;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, Path dir, String base) {
    this.process = process;
    this.dir = dir;
    this.base = base;
  }

  /** Skips the calling test, saying why, when /usr/bin/prometheus is absent. */
  static void assumeInstalled() {
    Assumptions.assumeTrue(Files.isExecutable(BINARY),
        BINARY + " is absent: install it (apt-get install -y prometheus; .ci/run does) to run the end-to-end alert and dashboard tests");
  }

  /** Starts Prometheus scraping {@code target} (host:port) as job {@code job} every second, with {@code rules} loaded. */
  static PrometheusServer start(String job, String target, String rules) throws IOException {
    assumeInstalled();
    Path dir = Files.createTempDirectory("prometheus-test");
    Files.writeString(dir.resolve("alerts.yaml"), rules);
    Files.writeString(dir.resolve("prometheus.yml"), """
        global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms}
        rule_files: [alerts.yaml]
        scrape_configs:
          - job_name: %s
            static_configs: [{targets: ["%s"]}]
        """.formatted(job, target));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer server = new PrometheusServer(p, dir, "http://127.0.0.1:" + port);
    if (!Sandbox.await(Duration.ofSeconds(30), server::ready)) {
      String log = server.log();
      server.close();
      throw new IllegalStateException("Prometheus did not become ready:\n" + log);
    }
    return server;
  }

  private boolean ready() {
    if (!process.isAlive()) return false;
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode n = JSON.readTree(r.body());
      if (r.statusCode() != 200 || !"success".equals(n.path("status").asText())) {
        throw new IllegalStateException("Prometheus " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
      }
      return n.path("data");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An instant query; the result vector. */
  JsonNode query(String promql) {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
  }

  /** The pending and firing alerts. */
  List<JsonNode> alerts() {
    JsonNode list = get("/api/v1/alerts").path("alerts");
    return Stream.iterate(0, i -> i < list.size(), i -> i + 1).map(list::get).toList();
  }

  boolean firing(String alertname, String name) {
    return alerts().stream().anyMatch(a -> alertname.equals(a.path("labels").path("alertname").asText())
        && name.equals(a.path("labels").path("name").asText()) && "firing".equals(a.path("state").asText()));
  }

  boolean present(String alertname, String name) {
    return alerts().stream().anyMatch(a -> alertname.equals(a.path("labels").path("alertname").asText())
        && name.equals(a.path("labels").path("name").asText()));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(10), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }
}
