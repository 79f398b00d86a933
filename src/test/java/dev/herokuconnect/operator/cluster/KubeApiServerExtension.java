package dev.herokuconnect.operator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.Utils;
import io.fabric8.kubeapitest.binary.OSInfo;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.okhttp.OkHttpClientFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kubernetes control plane for one test class (register it as a static field with
 * {@code @RegisterExtension}): etcd and kube-apiserver started by fabric8's kube-api-test in
 * offline mode, plus kube-controller-manager running the namespace and garbage-collector
 * controllers (kube-api-test starts no controller manager; without it a deleted namespace
 * stays Terminating for ever). Then the CRDs from {@code crds/}.
 *
 * <p>The binaries are Kubernetes 1.20.2, built from Debian bookworm's {@code kubernetes} source
 * package by {@code .ci/kube-binaries.sh} (etcd is Debian's {@code etcd-server}), and cached in
 * {@code ~/.cache/heroku-connect-operator/kube-1.20.2/bin} ({@code KUBE_BINARIES} overrides).
 * kube-api-test wants them laid out as {@code <dir>/k8s/<version>-<os>-<arch>/} together with a
 * kubectl (which it runs to wait for the {@code default} namespace): each server gets a fresh
 * temporary directory holding links to them, its own certificates and the etcd data, removed
 * at the end. The kubectl is the one {@code make tools} fetches ({@code KUBECTL_BIN}), else
 * one on the PATH. Nothing touches {@code ~/.kube/config}.
 *
 * <p>1.20 knows no CEL: the CRDs are applied without their {@code x-kubernetes-validations}
 * (stripped here, and counted; the CEL rules have their own tests). Everything else is the
 * real thing: schema validation and pruning, the status subresource, resourceVersion
 * conflicts, finalizers, namespace deletion, garbage collection, and RBAC (kube-api-test starts
 * kube-apiserver with {@code --authorization-mode RBAC}; the tests' own client is in
 * system:masters, {@link #newClientAs} acts as another user).
 *
 * <p>Without the binaries each test is skipped with a message saying how to build them; with
 * {@code CI=true} it fails instead, so CI cannot pass without running these tests.
 */
public final class KubeApiServerExtension implements BeforeAllCallback, AfterAllCallback {
  static final String VERSION = "1.20.2";
  static final Path CRD_DIR = Path.of("crds");

  private Path dir;
  private KubeAPIServer server;
  private Process controllerManager;
  private Path kubeconfig;
  private KubernetesClient client;
  private int strippedRules;
  private String unavailable;
  private final boolean crds;

  /** A server with the CRDs from crds/ installed (what the operator tests need). */
  public KubeApiServerExtension() {
    this(true);
  }

  private KubeApiServerExtension(boolean crds) {
    this.crds = crds;
  }

  /** A server without the CRDs: for tests that install them another way (helm). */
  public static KubeApiServerExtension withoutCrds() {
    return new KubeApiServerExtension(false);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path bin = Path.of(env("KUBE_BINARIES", System.getProperty("user.home") + "/.cache/heroku-connect-operator/kube-" + VERSION + "/bin"));
    Path kubectl = kubectl();
    List<String> missing = new ArrayList<>();
    for (String b : List.of("etcd", "kube-apiserver", "kube-controller-manager")) {
      if (!Files.isExecutable(bin.resolve(b))) missing.add(bin.resolve(b).toString());
    }
    if (kubectl == null) missing.add("kubectl (make tools, or KUBECTL_BIN)");
    if (!missing.isEmpty()) {
      String msg = "No Kubernetes " + VERSION + " binaries for the real-API-server tests: missing " + missing
          + ". Build them once (about 13 minutes, needs root and apt): .ci/kube-binaries.sh (or make kube-tools)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new IllegalStateException(msg + " [CI=true: failing, not skipping]");
      unavailable = msg; // each test is then skipped with this message (counted as skipped, listed by surefire)
      return;
    }
    long start = System.nanoTime();
    dir = Files.createTempDirectory("hco-kube-api-test-");
    Path layout = dir.resolve("k8s").resolve(VERSION + Utils.platformSuffix(new OSInfo()));
    Files.createDirectories(layout);
    Files.createSymbolicLink(layout.resolve("etcd"), bin.resolve("etcd").toRealPath());
    Files.createSymbolicLink(layout.resolve("kube-apiserver"), bin.resolve("kube-apiserver").toRealPath());
    Files.createSymbolicLink(layout.resolve("kubectl"), kubectl.toRealPath());
    server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withTestDir(dir.toString())
        .withApiServerVersion(VERSION)
        .withOfflineMode(true)
        .withUpdateKubeConfig(false)
        .withStartupTimeout(180_000) // a shared 2-core machine under load
        .build());
    Runtime.getRuntime().addShutdownHook(stopOnExit); // a JVM that ends early (timeout, ^C) leaves no servers behind
    server.start();
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, server.getKubeConfigYaml());
    controllerManager = new ProcessBuilder(bin.resolve("kube-controller-manager").toString(),
        "--kubeconfig=" + kubeconfig,
        "--controllers=namespace,garbagecollector",
        "--leader-elect=false",
        "--port=0", "--secure-port=0", // serves nothing: only its controllers are wanted
        "--use-service-account-credentials=false")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("kube-controller-manager.log").toFile())
        .start();
    client = newClient(null);
    if (crds) installCrds();
    System.out.printf("kube-apiserver %s (etcd, kube-controller-manager) up with the CRDs in %d ms; %d x-kubernetes-validations rules stripped%n",
        client.getKubernetesVersion().getGitVersion(), (System.nanoTime() - start) / 1_000_000, strippedRules);
  }

  private static Path kubectl() {
    for (String candidate : new String[] {System.getenv("KUBECTL_BIN"), ".tools/kubectl/kubectl"}) {
      if (candidate != null && !candidate.isBlank() && Files.isExecutable(Path.of(candidate))) return Path.of(candidate).toAbsolutePath();
    }
    for (String p : env("PATH", "").split(":")) {
      if (!p.isEmpty() && Files.isExecutable(Path.of(p, "kubectl"))) return Path.of(p, "kubectl");
    }
    return null;
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Skips the calling test when there is no server (no binaries, not in CI). */
  public void assumeRunning() {
    Assumptions.assumeTrue(unavailable == null, () -> unavailable);
  }

  /** The admin's kubeconfig (for helm and kubectl). */
  public Path kubeconfig() { return kubeconfig; }

  /** The kubectl the server was started with (make tools, KUBECTL_BIN or the PATH). */
  public static Path kubectlBinary() { return kubectl(); }

  /** The test's client: cluster admin (client certificate in system:masters), TLS verified against the server's own certificate. */
  public KubernetesClient client() { return client; }

  /** A new client to the same server; {@code interceptor} (may be null) sees every HTTP exchange. */
  public KubernetesClient newClient(Interceptor interceptor) {
    return build(config -> { }, interceptor == null ? List.of() : List.of(interceptor));
  }

  /**
   * A new client that acts as {@code user} in {@code groups}: the admin's certificate (group
   * system:masters, which may impersonate anyone) with the Impersonate-User and Impersonate-Group
   * headers, so the API server authorizes every request as that user. kube-api-test starts
   * kube-apiserver with {@code --authorization-mode RBAC} (and no other mode), so that user may do
   * exactly what RBAC grants it. Each interceptor sees every HTTP exchange, in order.
   */
  public KubernetesClient newClientAs(String user, List<String> groups, Interceptor... interceptors) {
    return build(config -> {
      config.setImpersonateUsername(user);
      config.setImpersonateGroups(groups.toArray(String[]::new));
    }, List.of(interceptors));
  }

  private KubernetesClient build(java.util.function.Consumer<Config> adjust, List<Interceptor> interceptors) {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      config.setRequestTimeout(30_000); // not 10 s: this machine is shared and sometimes slow
      adjust.accept(config);
      KubernetesClientBuilder b = new KubernetesClientBuilder().withConfig(config);
      if (!interceptors.isEmpty()) {
        b.withHttpClientFactory(new OkHttpClientFactory() {
          @Override
          protected void additionalConfig(OkHttpClient.Builder builder) {
            interceptors.forEach(builder::addInterceptor);
          }
        });
      }
      return b.build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The last lines the controller manager wrote (for failure messages). */
  public String controllerManagerLog(int lines) {
    try {
      List<String> all = Files.readAllLines(dir.resolve("kube-controller-manager.log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public boolean controllerManagerAlive() { return controllerManager != null && controllerManager.isAlive(); }

  /** The CRDs from crds/, without x-kubernetes-validations (CEL, unknown to 1.20), then waits until they are Established. */
  private void installCrds() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(CRD_DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        JsonNode tree = yaml.readTree(f.toFile());
        strippedRules += strip(tree, "x-kubernetes-validations");
        CustomResourceDefinition crd = client.getKubernetesSerialization().convertValue(tree, CustomResourceDefinition.class);
        client.resource(crd).create();
        names.add(crd.getMetadata().getName());
      }
    }
    if (names.isEmpty()) throw new IllegalStateException("no CRDs in " + CRD_DIR.toAbsolutePath());
    for (String name : names) {
      // a CRD just created may have a status without conditions yet: wait until Established shows
      client.apiextensions().v1().customResourceDefinitions().withName(name).waitUntilCondition(c -> c != null && c.getStatus() != null
          && c.getStatus().getConditions() != null
          && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
          60, TimeUnit.SECONDS);
    }
  }

  /** Removes every {@code key} in the tree; returns how many rules went with them. */
  static int strip(JsonNode node, String key) {
    int n = 0;
    if (node instanceof ObjectNode o) {
      JsonNode removed = o.remove(key);
      if (removed != null) n += Math.max(1, removed.size());
    }
    for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) n += strip(it.next(), key);
    return n;
  }

  private final Thread stopOnExit = new Thread(this::stopProcesses, "kube-api-server-stop");

  private void stopProcesses() {
    if (controllerManager != null) controllerManager.destroyForcibly();
    if (server != null) server.stop();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // shutting down already, or never registered (skipped)
    }
    if (client != null) client.close();
    if (controllerManager != null) {
      controllerManager.destroy();
      if (!controllerManager.waitFor(10, TimeUnit.SECONDS)) controllerManager.destroyForcibly().waitFor();
    }
    if (server != null) server.stop();
    if (dir != null) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** How long a deadline may be on this machine (shared, 2 cores). */
  static final Duration WAIT = Duration.ofSeconds(60);
}
