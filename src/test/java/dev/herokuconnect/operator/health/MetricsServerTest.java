package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.MetricsAccess;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics served by the Prometheus exporter over real HTTP(S): formats, gzip, filtering, concurrency, token and TLS. */
class MetricsServerTest {
  static final String SERIES = "hco_test_scrapes_total";
  static final String TOKEN = "scrape-token-4f0a91";

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final List<MetricsServer> servers = new ArrayList<>();
  @TempDir Path dir;

  MetricsServerTest() {
    Counter.builder("hco.test.scrapes").description("a known series").register(registry).increment(3);
    registry.counter("hco.test.other").increment();
  }

  @AfterEach
  void close() {
    servers.forEach(MetricsServer::close);
  }

  MetricsServer start(MetricsAccess access) throws IOException {
    MetricsServer s = MetricsServer.start(0, registry.getPrometheusRegistry(), access);
    servers.add(s);
    return s;
  }

  static HttpRequest.Builder get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15));
  }

  HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void plainTextByDefaultOpenMetricsWhenAskedAndNothingButMetrics() throws Exception {
    String base = "http://127.0.0.1:" + start(MetricsAccess.OPEN).port();
    HttpResponse<String> text = send(http, get(base + "/metrics"));
    assertEquals(200, text.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("Content-Type").orElse(""));
    assertEquals(3, PromText.parse(text.body()).one(SERIES).value(), text.body());
    assertFalse(text.body().contains("# EOF"));

    HttpResponse<String> om = send(http, get(base + "/metrics").header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8"));
    assertEquals(200, om.statusCode());
    assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"), om.headers().toString());
    assertTrue(om.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF: " + om.body());
    assertTrue(om.body().contains("# TYPE hco_test_scrapes counter"), "OpenMetrics names the counter family without _total");

    HttpResponse<String> filtered = send(http, get(base + "/metrics?name[]=" + SERIES));
    assertTrue(filtered.body().contains(SERIES), filtered.body());
    assertFalse(filtered.body().contains("hco_test_other_total"), "name[] keeps only the named series: " + filtered.body());

    for (String path : List.of("/healthz", "/readyz", "/", "/favicon.ico")) {
      assertEquals(404, send(http, get(base + path)).statusCode(), path + " is not on the metrics port");
    }
  }

  /**
   * The JDK server matches a context by prefix, and the exporter's handlers do not check the path:
   * /metricsx and /metrics/x serve the metrics too (README says so). What matters is that the
   * token guards them all, so no path variation reads the metrics without it.
   */
  @Test
  void pathsStartingLikeMetricsServeItButNeverWithoutTheToken() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), TOKEN);
    String base = "http://127.0.0.1:" + start(new MetricsAccess(token, null, null)).port();
    for (String path : List.of("/metrics", "/metricsx", "/metrics/x", "/metrics?name[]=" + SERIES, "/-/healthy", "/-/healthyx", "/", "/x")) {
      assertEquals(401, send(http, get(base + path)).statusCode(), path + " without the token");
    }
    for (String path : List.of("/metricsx", "/metrics/x")) {
      HttpResponse<String> r = send(http, get(base + path).header("Authorization", "Bearer " + TOKEN));
      assertEquals(200, r.statusCode(), path);
      assertTrue(r.body().contains(SERIES), path + " serves the metrics: " + r.body());
    }
    assertEquals(404, send(http, get(base + "/x").header("Authorization", "Bearer " + TOKEN)).statusCode());
  }

  @Test
  void gzipWhenAsked() throws Exception {
    String url = "http://127.0.0.1:" + start(MetricsAccess.OPEN).port() + "/metrics";
    HttpResponse<byte[]> r = http.send(get(url).header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse("(none)"));
    String body;
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(r.body()))) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(3, PromText.parse(body).one(SERIES).value(), body);
  }

  /**
   * Scrapes are answered side by side: a collector that lets no scrape finish until four of them
   * are inside it at once (a single thread would time out). Four, not every thread: how many
   * connections the client opens at once is the client's business; SlowClientsTest shows the
   * capacity.
   */
  @Test
  void concurrentScrapesAreServedSideBySide() throws Exception {
    CountDownLatch together = new CountDownLatch(4);
    registry.getPrometheusRegistry().register((MultiCollector) () -> {
      together.countDown();
      try {
        if (!together.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("scrapes were served one at a time");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new MetricSnapshots();
    });
    String url = "http://127.0.0.1:" + start(MetricsAccess.OPEN).port() + "/metrics";
    List<CompletableFuture<HttpResponse<String>>> scrapes = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      scrapes.add(http.sendAsync(get(url).build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> s : scrapes) {
      HttpResponse<String> r = s.get(30, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(3, PromText.parse(r.body()).one(SERIES).value());
    }
  }

  @Test
  void aTakenPortNamesMetricsPort() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      StartupFailure f = assertThrows(StartupFailure.class, () -> MetricsServer.start(port, registry.getPrometheusRegistry(), MetricsAccess.OPEN));
      assertTrue(f.getMessage().startsWith("METRICS_PORT " + port + " is already in use ("), f.getMessage());
      assertTrue(f.getMessage().endsWith("): stop what listens there or set METRICS_PORT to a free port"), f.getMessage());
    }
  }

  @Test
  void aBearerTokenIsRequiredAndReReadWhenTheSecretRotates() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    String url = "http://127.0.0.1:" + start(new MetricsAccess(token, null, null)).port() + "/metrics";
    HttpResponse<String> none = send(http, get(url));
    assertEquals(401, none.statusCode());
    assertEquals("Bearer realm=\"metrics\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
    assertFalse(none.body().contains(SERIES));
    assertEquals(401, send(http, get(url).header("Authorization", "Bearer " + TOKEN + "x")).statusCode());
    assertEquals(401, send(http, get(url).header("Authorization", "Basic " + TOKEN)).statusCode());
    HttpResponse<String> ok = send(http, get(url).header("Authorization", "Bearer " + TOKEN));
    assertEquals(200, ok.statusCode());
    assertTrue(ok.body().contains(SERIES));

    // The kubelet swaps a Secret's files in place: the next request is checked against the new token.
    Files.writeString(token, "rotated-" + TOKEN);
    assertEquals(401, send(http, get(url).header("Authorization", "Bearer " + TOKEN)).statusCode(), "the old token no longer works");
    assertEquals(200, send(http, get(url).header("Authorization", "Bearer rotated-" + TOKEN)).statusCode());

    Files.delete(token);
    assertEquals(503, send(http, get(url).header("Authorization", "Bearer rotated-" + TOKEN)).statusCode(), "no file: closed, not open");
  }

  @Test
  void badTokenFilesStopTheStartNamingTheSettingAndThePath() throws Exception {
    Path missing = dir.resolve("absent");
    StartupFailure f = assertThrows(StartupFailure.class, () -> start(new MetricsAccess(missing, null, null)));
    assertEquals("METRICS_BEARER_TOKEN_FILE=" + missing + " cannot be read: no such file; mount the Secret key holding the "
        + "scrapers' token there, or unset METRICS_BEARER_TOKEN_FILE", f.getMessage());
    Path empty = Files.writeString(dir.resolve("empty"), " \n");
    StartupFailure e = assertThrows(StartupFailure.class, () -> start(new MetricsAccess(empty, null, null)));
    assertTrue(e.getMessage().startsWith("METRICS_BEARER_TOKEN_FILE=" + empty + " cannot be read: the file is empty;"), e.getMessage());
  }

  @Test
  void httpsWithTheMountedCertificateAndTheTokenToo() throws Exception {
    TestCertificates certs = TestCertificates.generate(dir, "RSA");
    Path token = Files.writeString(dir.resolve("token"), TOKEN);
    int port = start(new MetricsAccess(token, certs.certFile(), certs.keyFile())).port();
    HttpClient trusting = HttpClient.newBuilder().sslContext(certs.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
    String url = "https://127.0.0.1:" + port + "/metrics";
    HttpResponse<String> ok = send(trusting, get(url).header("Authorization", "Bearer " + TOKEN));
    assertEquals(200, ok.statusCode());
    assertEquals(3, PromText.parse(ok.body()).one(SERIES).value());
    assertEquals(401, send(trusting, get(url)).statusCode(), "TLS does not replace the token");
    assertThrows(IOException.class, () -> send(http, get(url)), "a client that does not trust the certificate is refused");
    assertThrows(IOException.class, () -> send(http, get("http://127.0.0.1:" + port + "/metrics")), "no plain HTTP on a TLS port");
  }

  /**
   * cert-manager renews, the kubelet swaps the files: the next connection gets the new certificate,
   * no restart. New files that cannot serve (here a key that is not PEM) leave the old one serving.
   */
  @Test
  void aRenewedCertificateIsServedFromTheNextConnection() throws Exception {
    TestCertificates first = TestCertificates.generate(Files.createDirectories(dir.resolve("first")), "RSA");
    TestCertificates renewed = TestCertificates.generate(Files.createDirectories(dir.resolve("renewed")), "EC");
    Path mounted = Files.createDirectories(dir.resolve("mounted"));
    Path cert = Files.copy(first.certFile(), mounted.resolve("tls.crt"));
    Path key = Files.copy(first.keyFile(), mounted.resolve("tls.key"));
    int port = start(new MetricsAccess(null, cert, key)).port();
    assertEquals(first.certificate(), servedCertificate(port, first, renewed));

    Files.copy(renewed.certFile(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(key, "half written");
    assertEquals(first.certificate(), servedCertificate(port, first, renewed), "files that cannot serve: the old certificate stays");

    Files.copy(renewed.keyFile(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(renewed.certificate(), servedCertificate(port, first, renewed), "the renewed certificate, without a restart");
  }

  /** The certificate a new client (new TLS session) is shown. */
  static java.security.cert.Certificate servedCertificate(int port, TestCertificates... trusted) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.trusting(
        java.util.Arrays.stream(trusted).map(TestCertificates::certificate).toArray(java.security.cert.X509Certificate[]::new))).build();
    HttpResponse<String> r = client.send(get("https://127.0.0.1:" + port + "/metrics").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.sslSession().orElseThrow().getPeerCertificates()[0];
  }

  @Test
  void anEcKeyServesToo() throws Exception {
    TestCertificates certs = TestCertificates.generate(dir, "EC");
    int port = start(new MetricsAccess(null, certs.certFile(), certs.keyFile())).port();
    HttpClient trusting = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
    assertEquals(200, send(trusting, get("https://127.0.0.1:" + port + "/metrics")).statusCode());
  }

  /** README and TlsFiles: "RSA, EC or Ed25519". */
  @Test
  void anEd25519KeyServesToo() throws Exception {
    TestCertificates certs = TestCertificates.generate(dir, "Ed25519");
    int port = start(new MetricsAccess(null, certs.certFile(), certs.keyFile())).port();
    HttpClient trusting = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
    assertEquals(200, send(trusting, get("https://127.0.0.1:" + port + "/metrics")).statusCode());
  }

  @Test
  void badTlsFilesStopTheStartNamingTheSettingAndThePath() throws Exception {
    TestCertificates rsa = TestCertificates.generate(dir, "RSA");
    TestCertificates ec = TestCertificates.generate(dir, "EC");
    Path missing = dir.resolve("absent.key");
    assertEquals("METRICS_TLS_KEY_FILE=" + missing + ": it cannot be read: no such file", startFails(rsa.certFile(), missing));
    Path missingCert = dir.resolve("absent.crt");
    assertEquals("METRICS_TLS_CERT_FILE=" + missingCert + ": it cannot be read: no such file", startFails(missingCert, rsa.keyFile()));

    Path pkcs1 = Files.writeString(dir.resolve("pkcs1.key"), TestCertificates.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
    assertEquals("METRICS_TLS_KEY_FILE=" + pkcs1 + ": it holds a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY); only PKCS#8 (BEGIN PRIVATE KEY) "
        + "is read: " + TlsFiles.PKCS8_HOWTO, startFails(rsa.certFile(), pkcs1));
    Path sec1 = Files.writeString(dir.resolve("sec1.key"), TestCertificates.pem("EC PRIVATE KEY", new byte[] {1, 2, 3}));
    assertTrue(startFails(ec.certFile(), sec1).contains("SEC1 EC key (BEGIN EC PRIVATE KEY)"));

    Path notPem = Files.writeString(dir.resolve("tls.crt"), "hello");
    assertEquals("METRICS_TLS_CERT_FILE=" + notPem + ": it holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        startFails(notPem, rsa.keyFile()));
    Path garbled = Files.writeString(dir.resolve("garbled.crt"), TestCertificates.pem("CERTIFICATE", new byte[] {48, 3, 1, 2, 3}));
    assertTrue(startFails(garbled, rsa.keyFile()).startsWith("METRICS_TLS_CERT_FILE=" + garbled + ": a certificate in it is malformed"));
    Path badKey = Files.writeString(dir.resolve("bad.key"), TestCertificates.pem("PRIVATE KEY", new byte[] {48, 3, 1, 2, 3}));
    assertEquals("METRICS_TLS_KEY_FILE=" + badKey + ": the PKCS#8 key is malformed or neither RSA, EC nor Ed25519",
        startFails(rsa.certFile(), badKey));

    String mismatch = startFails(rsa.certFile(), ec.keyFile());
    assertTrue(mismatch.startsWith("METRICS_TLS_KEY_FILE=" + ec.keyFile() + " is not the private key of the certificate in "
        + "METRICS_TLS_CERT_FILE=" + rsa.certFile()), mismatch);
  }

  String startFails(Path cert, Path key) {
    return assertThrows(StartupFailure.class, () -> start(new MetricsAccess(null, cert, key))).getMessage();
  }
}
