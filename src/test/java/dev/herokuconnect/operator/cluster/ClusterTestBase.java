package dev.herokuconnect.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import dev.herokuconnect.operator.testing.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * One real API server per test class ({@link KubeApiServerExtension}); per test a fresh
 * namespace, a fresh fake Connect API over HTTP, and the operator in this process (as the
 * Sandbox runs it: {@code HerokuConnectOperator.start(client, config, clock, false)}), watching
 * only that namespace, through a client whose writes the {@link WriteRecorder} sees.
 */
abstract class ClusterTestBase {
  /** The test class's own server: each class holds one in a static {@code @RegisterExtension} field. */
  abstract KubeApiServerExtension cluster();

  static final String TOKEN = "test-token-5f0e8a1c";
  static final Duration WAIT = KubeApiServerExtension.WAIT;
  static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  String ns;
  KubernetesClient kube;
  FakeConnectApi fake;
  String connectionId;
  WriteRecorder recorder;
  KubernetesClient operatorClient;
  HerokuConnectOperator operator;

  @BeforeEach
  void world(TestInfo info) throws Exception {
    cluster().assumeRunning();
    kube = cluster().client();
    String method = info.getTestMethod().map(m -> m.getName()).orElse("t").toLowerCase().replaceAll("[^a-z0-9]", "");
    String name = "t" + NAMESPACES.incrementAndGet() + "-" + method;
    ns = name.length() > 40 ? name.substring(0, 40) : name;
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    fake = new FakeConnectApi(Clock.systemUTC());
    fake.addToken(TOKEN, "ops@example.com");
    connectionId = fake.addConnection("acme-crm", "herokuconnect-shiny-1");
    startOperator();
  }

  /** As Sandbox.config(): discovery on the fake (its host the only one allowed), quick intervals, no health port; only this test's namespace. */
  OperatorConfig config() {
    return OperatorConfig.fromEnv(Map.of(OperatorConfig.DISCOVERY_URL, fake.baseUrl(),
            dev.herokuconnect.operator.connect.HostAllowlist.SETTING, fake.host()))
        .withIntervals(Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(5))
        .withoutEndpoints()
        .withWatchNamespaces(Set.of(ns));
  }

  /** A new operator process: its own client (and recorder), as after a restart. */
  void startOperator() throws Exception {
    recorder = new WriteRecorder();
    operatorClient = cluster().newClient(recorder);
    operator = HerokuConnectOperator.start(operatorClient, config(), Clock.systemUTC(), false);
  }

  /** Stops the operator abruptly, as a crash would. */
  void crashOperator() {
    if (operator != null) operator.crash();
    operator = null;
    if (operatorClient != null) operatorClient.close();
    operatorClient = null;
  }

  @AfterEach
  void stopWorld() {
    if (operator != null) operator.close();
    operator = null;
    if (operatorClient != null) operatorClient.close();
    if (fake != null) fake.close();
    // The namespace stays (with whatever the stopped operator left): the server goes at the end of the class.
  }

  /** kubectl apply of the shared test manifests, moved into this test's namespace. */
  List<HasMetadata> apply(String yaml) {
    String moved = yaml.replace("namespace: crm", "namespace: " + ns);
    List<HasMetadata> items = kube.load(new ByteArrayInputStream(moved.getBytes(StandardCharsets.UTF_8))).items();
    for (HasMetadata item : items) kube.resource(item).createOr(NonDeletingOperation::update);
    return items;
  }

  /** A connection that is set up and authorized, Ready. */
  void readyConnection() {
    apply(Manifests.secret(TOKEN) + "---\n" + Manifests.connection(""));
    awaitConnection(c -> c.getStatus() != null && c.getStatus().getAuthorizationUrl() != null, "asks for authorization");
    fake.completeAuthorization(connectionId);
    awaitConnection(c -> Conditions.isTrue(c.getStatus(), Conditions.READY), "Ready");
  }

  HerokuConnection conn() {
    return kube.resources(HerokuConnection.class).inNamespace(ns).withName("sales").get();
  }

  HerokuMapping map(String name) {
    return kube.resources(HerokuMapping.class).inNamespace(ns).withName(name).get();
  }

  HerokuConnection awaitConnection(Predicate<HerokuConnection> p, String what) {
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection c = conn();
      return c != null && p.test(c);
    }), () -> "connection never " + what + ": " + describe(conn()));
    return conn();
  }

  HerokuMapping awaitMapping(String name, Predicate<HerokuMapping> p, String what) {
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuMapping m = map(name);
      return m != null && p.test(m);
    }), () -> "mapping " + name + " never " + what + ": " + describe(map(name)));
    return map(name);
  }

  HerokuMapping awaitMappingReady(String name) {
    return awaitMapping(name, m -> Conditions.isTrue(m.getStatus(), Conditions.READY), "Ready");
  }

  String describe(HasMetadata o) {
    return o == null ? "(absent)" : kube.getKubernetesSerialization().asYaml(o);
  }

  long count(String method, String pathPart) {
    return fake.requests().stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
  }

  /** What the operator's writes to the two kinds looked like, for failure messages. */
  String writes() {
    StringBuilder b = new StringBuilder();
    for (WriteRecorder.Write w : recorder.writes()) b.append("\n  ").append(w);
    return b.toString();
  }
}
