package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh world per test: the mock Kubernetes API and the fake Connect API over HTTP, with the
 * operator running in-process on quick intervals.
 */
abstract class OperatorTestBase {
  static final String NS = "crm";
  static final String TOKEN = "test-token-5f0e8a1c";
  static final Duration WAIT = Duration.ofSeconds(30);

  Sandbox sb;
  FakeConnectApi fake;
  String connectionId;

  @BeforeEach
  void startWorld() throws Exception {
    startWorld(new Sandbox(), this::config);
  }

  private void startWorld(Sandbox world, java.util.function.Supplier<OperatorConfig> settings) throws Exception {
    sb = world;
    fake = sb.fake();
    fake.addToken(TOKEN, "ops@example.com");
    connectionId = fake.addConnection("acme-crm", "herokuconnect-shiny-1");
    sb.startOperator(settings.get());
  }

  /**
   * Replaces this test's world with one whose operator and fake API run on {@code clock} (a
   * {@link dev.herokuconnect.operator.util.ScaledClock} makes an hour pass in seconds), with the
   * operator's default settings on that time scale.
   */
  void startScaledWorld(dev.herokuconnect.operator.util.ScaledClock clock) throws Exception {
    sb.close();
    Sandbox world = new Sandbox(clock);
    startWorld(world, () -> OperatorConfig.fromEnv(world.connectEnv()).withoutEndpoints()
        .withTimeScale(clock.rate()));
  }

  OperatorConfig config() {
    return sb.config();
  }

  @AfterEach
  void stopWorld() {
    sb.close();
  }

  List<HasMetadata> apply(String yaml) {
    return sb.apply(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  void applySecretAndConnection() {
    apply(secret(TOKEN) + "---\n" + connection(""));
  }

  static String secret(String token) {
    return dev.herokuconnect.operator.testing.Manifests.secret(token);
  }

  static String connection(String extraSpec) {
    return dev.herokuconnect.operator.testing.Manifests.connection(extraSpec);
  }

  static String mapping(String name, String object, String extraSpec) {
    return dev.herokuconnect.operator.testing.Manifests.mapping(name, object, extraSpec);
  }

  /** A connection that is set up and authorized, Ready. */
  void readyConnection() {
    applySecretAndConnection();
    awaitConnection(c -> c.getStatus() != null && c.getStatus().getAuthorizationUrl() != null, "asks for authorization");
    fake.completeAuthorization(connectionId);
    awaitConnection(c -> Conditions.isTrue(c.getStatus(), Conditions.READY), "Ready");
  }

  HerokuConnection conn() {
    return sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales").get();
  }

  HerokuMapping map(String name) {
    return sb.client().resources(HerokuMapping.class).inNamespace(NS).withName(name).get();
  }

  HerokuConnection awaitConnection(Predicate<HerokuConnection> p, String what) {
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection c = conn();
      return c != null && p.test(c);
    }), "connection never " + what + ": " + describe(conn()));
    return conn();
  }

  HerokuMapping awaitMapping(String name, Predicate<HerokuMapping> p, String what) {
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuMapping m = map(name);
      return m != null && p.test(m);
    }), "mapping " + name + " never " + what + ": " + describe(map(name)));
    return map(name);
  }

  HerokuMapping awaitMappingReady(String name) {
    return awaitMapping(name, m -> Conditions.isTrue(m.getStatus(), Conditions.READY), "Ready");
  }

  static Predicate<HerokuMapping> mappingReason(String type, String reason) {
    return m -> m.getStatus() != null && Conditions.find(m.getStatus(), type)
        .filter(c -> "True".equals(c.getStatus()) && reason.equals(c.getReason())).isPresent();
  }

  static Predicate<HerokuConnection> connectionReason(String type, String reason) {
    return c -> c.getStatus() != null && Conditions.find(c.getStatus(), type)
        .filter(x -> "True".equals(x.getStatus()) && reason.equals(x.getReason())).isPresent();
  }

  static String message(HasMetadata o, List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).map(Condition::getMessage).findFirst().orElse("");
  }

  String describe(HasMetadata o) {
    return o == null ? "(absent)" : sb.client().getKubernetesSerialization().asYaml(o);
  }

  long count(String method, String pathPart) {
    return fake.requests().stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
  }

  List<Event> events(String objectName) {
    return sb.client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().equals(objectName)).toList();
  }

  boolean hasEvent(String objectName, String reason) {
    return events(objectName).stream().anyMatch(e -> e.getReason().equals(reason));
  }

  /** Asks for a refresh through the annotation and waits until the operator has handled it. */
  void reconcileMappingNow(String name) {
    String at = "t" + System.nanoTime();
    annotateMapping(name, dev.herokuconnect.operator.crd.Crds.RECONCILE_REQUESTED_AT, at);
    awaitMapping(name, m -> m.getStatus() != null && at.equals(m.getStatus().getLastHandledReconcileAt()), "handled the refresh " + at);
  }

  void reconcileConnectionNow() {
    String at = "t" + System.nanoTime();
    annotateConnection(dev.herokuconnect.operator.crd.Crds.RECONCILE_REQUESTED_AT, at);
    awaitConnection(c -> c.getStatus() != null && at.equals(c.getStatus().getLastHandledReconcileAt()), "handled the refresh " + at);
  }

  void annotateMapping(String name, String key, String value) {
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName(name).patch(MERGE, annotationPatch(key, value));
  }

  void annotateConnection(String key, String value) {
    sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales").patch(MERGE, annotationPatch(key, value));
  }

  /** A merge patch, as kubectl annotate sends: no resourceVersion, so no conflict with status writes. */
  static final io.fabric8.kubernetes.client.dsl.base.PatchContext MERGE =
      io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE);

  static String annotationPatch(String key, String value) {
    return "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}";
  }

  /** Lets the operator run a few more reconcile rounds (used only to show that nothing happens). */
  void letItRun(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    Sandbox.await(d.plusSeconds(1), () -> System.nanoTime() >= until);
  }
}
