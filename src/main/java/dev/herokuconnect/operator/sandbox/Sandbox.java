package dev.herokuconnect.operator.sandbox;

import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.health.KubernetesRequestMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.BooleanSupplier;

/**
 * Everything the operator needs, in this process: an in-memory Kubernetes API (the fabric8
 * mock server in CRUD mode, over real HTTP on loopback) with the CRDs installed, and the fake
 * Connect API. Used by {@code demo}, the tests and the benchmark.
 */
public final class Sandbox implements AutoCloseable {
  public static final List<String> CRD_RESOURCES = List.of(
      "META-INF/fabric8/herokuconnections.herokuconnect.dev-v1.yml",
      "META-INF/fabric8/herokumappings.herokuconnect.dev-v1.yml");

  /** The mock server logs every request through java.util.logging; held here so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubernetesMockServer kube;
  private final KubernetesClient client;
  private final FakeConnectApi fake;
  private final Clock clock;
  private HerokuConnectOperator operator;

  public Sandbox(Clock clock) throws IOException {
    this.clock = clock;
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    this.kube = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new KubernetesMixedDispatcher(expectations), false);
    kube.init(InetAddress.getLoopbackAddress(), 0);
    this.client = kube.createClient(b -> b.withHttpClientBuilderConsumer(KubernetesRequestMetrics::addTo));
    allowLeases();
    this.fake = new FakeConnectApi(clock);
    for (String crd : CRD_RESOURCES) {
      try (InputStream in = Sandbox.class.getClassLoader().getResourceAsStream(crd)) {
        if (in == null) throw new IOException("CRD " + crd + " is not on the classpath; run `make build`");
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
  }

  /**
   * The mock server has no authorizer; this answers the SelfSubjectRulesReview that leader
   * election makes at start as a cluster would for the chart's lease Role.
   */
  private void allowLeases() {
    SelfSubjectRulesReview review = new SelfSubjectRulesReviewBuilder()
        .withNewStatus().withIncomplete(false)
        .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
        .withVerbs("get", "create", "update").endResourceRule()
        .endStatus().build();
    kube.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews").andReturn(201, review).always();
  }

  /**
   * The next {@code times} requests {@code method path} (no query) to the Kubernetes API are
   * answered {@code code} with a Status, as an API server refusing them would (fault tests).
   */
  public void answerKubernetes(String method, String path, int code, int times) {
    var status = new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure").withCode(code)
        .withMessage(method + " " + path + " refused by the sandbox (" + code + ")").build();
    var expect = kube.expect();
    var request = switch (method) {
      case "GET" -> expect.get();
      case "POST" -> expect.post();
      case "PUT" -> expect.put();
      case "PATCH" -> expect.patch();
      case "DELETE" -> expect.delete();
      default -> throw new IllegalArgumentException("method " + method + ": one of GET, POST, PUT, PATCH, DELETE");
    };
    request.withPath(path).andReturn(code, status).times(times);
  }

  public Sandbox() throws IOException {
    this(Clock.systemUTC());
  }

  public KubernetesClient client() { return client; }

  public FakeConnectApi fake() { return fake; }

  public Clock clock() { return clock; }

  public HerokuConnectOperator operator() { return operator; }

  /**
   * The process settings that point the operator at the fake: discovery and the Platform API on it, and the token
   * allowed only to its host (its loopback address, by that name: "localhost" stays outside).
   */
  public Map<String, String> connectEnv() {
    return Map.of(OperatorConfig.DISCOVERY_URL, fake.baseUrl(),
        dev.herokuconnect.operator.connect.HostAllowlist.SETTING, fake.host(),
        dev.herokuconnect.operator.platform.PlatformApi.URL_SETTING, fake.baseUrl()); // the fake also plays api.heroku.com
  }

  /** Operator settings for the sandbox: {@link #connectEnv()}, quick intervals, no health or metrics port. */
  public OperatorConfig config() {
    return OperatorConfig.fromEnv(connectEnv())
        .withIntervals(Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(5))
        .withoutEndpoints();
  }

  public HerokuConnectOperator startOperator(OperatorConfig config) throws IOException {
    operator = HerokuConnectOperator.start(client, config, clock, false);
    return operator;
  }

  /** Stops the operator abruptly (no cleanup of anything remote, no last record of the spend), as a crash would. */
  public void stopOperator() {
    if (operator != null) operator.crash();
    operator = null;
  }

  /** Stops the operator as SIGTERM does: it records the true API spend before it goes. */
  public void stopOperatorGracefully() {
    if (operator != null) operator.close();
    operator = null;
  }

  /** kubectl apply of a multi-document YAML stream. */
  public List<HasMetadata> apply(InputStream yaml) {
    List<HasMetadata> items = client.load(yaml).items();
    for (HasMetadata item : items) {
      if (item.getMetadata().getNamespace() != null) ensureNamespace(item.getMetadata().getNamespace());
      applyOne(item);
    }
    return items;
  }

  /** Create or update; an update that races another writer (409) is tried again, as kubectl apply does. */
  private void applyOne(HasMetadata item) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.resource(item).createOr(NonDeletingOperation::update);
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 5) throw e;
      }
    }
  }

  public void ensureNamespace(String ns) {
    if (client.namespaces().withName(ns).get() == null) {
      client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns)
          .endMetadata().build()).create();
    }
  }

  /** Polls until {@code condition} holds or the deadline passes; true if it held. */
  public static boolean await(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return true;
      try {
        Thread.sleep(50); // polling interval, not a synchronisation stand-in: the condition decides
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }

  @Override
  public void close() {
    stopOperatorGracefully();
    fake.close();
    client.close();
    kube.destroy();
  }
}
