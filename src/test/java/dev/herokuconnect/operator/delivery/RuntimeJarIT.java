package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jars as built by `mvn package` (failsafe, after package): the runtime jar the image runs
 * carries no test double and runs the operator; the full jar keeps `demo`; and a start that
 * cannot succeed ends the process with one line. Every process gets a clean environment and a
 * kubeconfig pointing at loopback only.
 */
class RuntimeJarIT {
  static final Path RUNTIME = Path.of(System.getProperty("runtime.jar", "target/heroku-connect-operator-runtime.jar"));
  static final Path FULL = Path.of(System.getProperty("full.jar", "target/heroku-connect-operator.jar"));
  static final String VERSION = System.getProperty("project.version");
  static final String TOKEN = "it-token-7f3e-never-printed";
  static final List<String> FORBIDDEN = List.of("dev/herokuconnect/operator/fake/", "dev/herokuconnect/operator/sandbox/",
      "dev/herokuconnect/operator/cli/DemoCommand", "dev/herokuconnect/operator/util/MutableClock",
      "dev/herokuconnect/operator/util/ScaledClock", "io/fabric8/mockwebserver/", "io/fabric8/kubernetes/client/server/mock/",
      "okhttp3/mockwebserver/", "io/vertx/", "io/netty/", "examples/");

  @TempDir Path dir;
  KubernetesMockServer kube;
  KubernetesClient client;
  final List<Process> processes = new ArrayList<>();

  record Run(int code, String out, String err, Duration took) {}

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    if (client != null) client.close();
    if (kube != null) kube.destroy();
  }

  @Test
  void theRuntimeJarCarriesNoTestDouble() throws Exception {
    assertTrue(Files.isRegularFile(RUNTIME), RUNTIME + " is built by mvn package");
    List<String> found = new ArrayList<>();
    try (JarFile jar = new JarFile(RUNTIME.toFile())) {
      jar.stream().map(e -> e.getName()).filter(n -> FORBIDDEN.stream().anyMatch(n::startsWith)).forEach(found::add);
      assertNotNull(jar.getEntry("dev/herokuconnect/operator/HerokuConnectOperator.class"));
      assertNotNull(jar.getEntry("io/javaoperatorsdk/operator/Operator.class"));
      Manifest m = jar.getManifest();
      assertEquals(VERSION, m.getMainAttributes().getValue("Implementation-Version"));
      assertEquals("dev.herokuconnect.operator.cli.Main", m.getMainAttributes().getValue("Main-Class"));
    }
    assertEquals(List.of(), found, "nothing of the fake, the sandbox, the demo or the mock server");
    try (JarFile jar = new JarFile(FULL.toFile())) {
      assertNotNull(jar.getEntry("dev/herokuconnect/operator/cli/DemoCommand.class"), "the full jar keeps the demo");
      assertNotNull(jar.getEntry("io/fabric8/kubernetes/client/server/mock/KubernetesMockServer.class"));
      assertEquals(VERSION, jar.getManifest().getMainAttributes().getValue("Implementation-Version"));
    }
  }

  @Test
  void theRuntimeJarAnswersHelpVersionAndDemo() throws Exception {
    Run help = run(RUNTIME, Map.of(), "--help");
    assertEquals(0, help.code(), help.err());
    assertTrue(help.out().contains("Usage:") && help.out().contains("export"), help.out());
    Run version = run(RUNTIME, Map.of(), "--version");
    assertEquals(0, version.code(), version.err());
    assertEquals(VERSION, version.out().strip());
    Run demo = run(RUNTIME, Map.of(), "demo");
    assertEquals(1, demo.code(), "an error, not a usage error (64) nor plan's 'changes' (2)");
    assertEquals("the demo is not part of this image; use the full jar: make demo (java -jar target/heroku-connect-operator.jar demo)",
        demo.err().strip());
    Run export = run(RUNTIME, Map.of(), "export", "--help");
    assertEquals(0, export.code(), export.err());
  }

  @Test
  void theFullJarRunsTheDemo() throws Exception {
    Run demo = run(FULL, Map.of(), "demo");
    assertEquals(0, demo.code(), demo.out() + demo.err());
    assertTrue(demo.out().contains("All objects Ready"), demo.out());
  }

  @Test
  void theRuntimeJarRunsTheOperatorAndItsLivenessFollowsTheApi() throws Exception {
    mockKubernetes(true);
    int port = freePort();
    int metricsPort = freePort();
    Process p = start(RUNTIME, Map.of("KUBECONFIG", kubeconfig(kube.createClient().getMasterUrl().toString()).toString(),
        "HEALTH_PORT", String.valueOf(port), "METRICS_PORT", String.valueOf(metricsPort)), "run");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    assertTrue(Sandbox.await(Duration.ofSeconds(60), () -> status(http, port, "/readyz") == 200), () -> "ready: " + output(p));
    assertEquals(200, status(http, port, "/healthz"));
    assertEquals(200, status(http, metricsPort, "/metrics"), "the Prometheus exporter is in the runtime jar");
    kube.destroy();
    assertTrue(Sandbox.await(Duration.ofSeconds(30), () -> status(http, port, "/healthz") == 503), () -> "liveness fails: " + output(p));
    assertFalse(output(p).contains(TOKEN), "the token is never printed");
  }

  @Test
  void anUnreachableApiEndsTheProcessWithOneLine() throws Exception {
    int closed = freePort();
    Run r = run(RUNTIME, Map.of("KUBECONFIG", kubeconfig("https://127.0.0.1:" + closed).toString()), "run");
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(List.of("heroku-connect-operator cannot start: cannot reach the Kubernetes API at https://127.0.0.1:" + closed
        + ": Failed to connect to /127.0.0.1:" + closed
        + "; check the kubeconfig (KUBECONFIG, current context) or, in a pod, the service account and the network"),
        r.err().lines().toList());
    assertTrue(r.took().toSeconds() < 30, "ends within 30 s: " + r.took());
    assertFalse(r.out().contains(TOKEN) || r.err().contains(TOKEN));
  }

  @Test
  void missingCrdsEndTheProcessWithOneLine() throws Exception {
    mockKubernetes(false);
    Run r = run(RUNTIME, Map.of("KUBECONFIG", kubeconfig(client.getMasterUrl().toString()).toString(), "HEALTH_PORT",
        String.valueOf(freePort()), "METRICS_PORT", String.valueOf(freePort())), "run");
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(List.of("heroku-connect-operator cannot start: CRD herokuconnections.herokuconnect.dev is not installed: "
        + "kubectl apply --server-side -f crds/"), r.err().lines().toList());
  }

  @Test
  void aTakenHealthPortEndsTheProcessWithOneLine() throws Exception {
    mockKubernetes(true);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Run r = run(RUNTIME, Map.of("KUBECONFIG", kubeconfig(client.getMasterUrl().toString()).toString(), "HEALTH_PORT",
          String.valueOf(port), "METRICS_PORT", String.valueOf(freePort())), "run");
      assertEquals(1, r.code(), r.out() + r.err());
      assertEquals(List.of("heroku-connect-operator cannot start: HEALTH_PORT " + port
          + " is already in use (Address already in use): stop what listens there or set HEALTH_PORT to a free port"), r.err().lines().toList());
    }
  }

  @Test
  void aMissingMetricsTlsFileEndsTheProcessWithOneLine() throws Exception {
    mockKubernetes(true);
    Run r = run(RUNTIME, Map.of("KUBECONFIG", kubeconfig(client.getMasterUrl().toString()).toString(), "HEALTH_PORT",
        String.valueOf(freePort()), "METRICS_PORT", String.valueOf(freePort()), "METRICS_TLS_CERT_FILE", "/nonexistent/tls.crt",
        "METRICS_TLS_KEY_FILE", "/nonexistent/tls.key"), "run");
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(List.of("heroku-connect-operator cannot start: METRICS_TLS_CERT_FILE=/nonexistent/tls.crt: it cannot be read: no such file"),
        r.err().lines().toList());
  }

  // --- helpers

  void mockKubernetes(boolean withCrds) throws IOException {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    kube = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, new KubernetesMixedDispatcher(expectations), false);
    kube.init(InetAddress.getLoopbackAddress(), 0);
    client = kube.createClient();
    if (!withCrds) return;
    for (String crd : Sandbox.CRD_RESOURCES) {
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(crd)) {
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
  }

  Path kubeconfig(String server) throws IOException {
    Path f = dir.resolve("kubeconfig-" + System.nanoTime());
    Files.writeString(f, """
        apiVersion: v1
        kind: Config
        clusters: [{name: it, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
        users: [{name: it, user: {token: "%s"}}]
        contexts: [{name: it, context: {cluster: it, user: it, namespace: default}}]
        current-context: it
        """.formatted(server, TOKEN));
    return f;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static int status(HttpClient http, int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  Process start(Path jar, Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out-" + processes.size()).toFile())
        .redirectError(dir.resolve("err-" + processes.size()).toFile());
    pb.environment().clear(); // nothing from this machine: no ~/.kube, no in-cluster variables
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().put("HOME", dir.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  String output(Process p) {
    int i = processes.indexOf(p);
    try {
      return Files.readString(dir.resolve("out-" + i)) + Files.readString(dir.resolve("err-" + i));
    } catch (IOException e) {
      return e.toString();
    }
  }

  Run run(Path jar, Map<String, String> env, String... args) throws Exception {
    long t0 = System.nanoTime();
    Process p = start(jar, env, args);
    if (!p.waitFor(150, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("still running after 150 s: " + String.join(" ", args) + "\n" + output(p));
    }
    int i = processes.indexOf(p);
    return new Run(p.exitValue(), Files.readString(dir.resolve("out-" + i), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("err-" + i), StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - t0));
  }
}
