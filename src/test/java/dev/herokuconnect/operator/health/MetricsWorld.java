package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.sandbox.Sandbox;
import dev.herokuconnect.operator.testing.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * The sandbox (mock Kubernetes + fake Connect API over loopback HTTP) with the operator running
 * and its metrics port open, and one Ready HerokuConnection "sales" in "crm" with two mappings,
 * "account" and "contact". For the metrics and alert tests.
 */
public final class MetricsWorld implements AutoCloseable {
  public static final String NS = "crm";
  static final String TOKEN = "metrics-token-7d1c9b2e";
  public static final Duration WAIT = Duration.ofSeconds(60);

  public final OffsetClock clock = new OffsetClock();
  public final Sandbox sb;
  public final FakeConnectApi fake;
  public final String connectionId;
  public final HerokuConnectOperator operator;
  private final HttpClient http = HttpClient.newHttpClient();

  /** {@code refresh}: how often healthy objects are read again. */
  public MetricsWorld(Duration refresh) throws IOException {
    sb = new Sandbox(clock);
    fake = sb.fake();
    fake.addToken(TOKEN, "ops@example.com");
    connectionId = fake.addConnection("acme-crm", "herokuconnect-shiny-1");
    OperatorConfig config = sb.config().withIntervals(refresh, Duration.ofMillis(500), Duration.ofSeconds(5)).withMetricsPort(0);
    operator = sb.startOperator(config);
  }

  /** A Ready connection with the mappings "account" (Account) and "contact" (Contact), both Ready. */
  public MetricsWorld readyWithTwoMappings() {
    apply(Manifests.secret(TOKEN) + "---\n" + Manifests.connection(""));
    await(() -> conn() != null && conn().getStatus() != null && conn().getStatus().getAuthorizationUrl() != null, "asks for authorization");
    fake.completeAuthorization(connectionId);
    await(() -> ready(conn()), "connection Ready");
    for (String[] m : new String[][] {{"account", "Account", "600"}, {"contact", "Contact", "300"}}) {
      apply(Manifests.mapping(m[0], m[1], "sfPollingSeconds: " + m[2]));
    }
    await(() -> ready(map("account")) && ready(map("contact")), "both mappings Ready");
    return this;
  }

  public List<HasMetadata> apply(String yaml) {
    return sb.apply(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  public HerokuConnection conn() {
    return sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales").get();
  }

  public HerokuMapping map(String name) {
    return sb.client().resources(HerokuMapping.class).inNamespace(NS).withName(name).get();
  }

  public String mappingId(String name) {
    return map(name).getStatus().getMappingId();
  }

  static boolean ready(dev.herokuconnect.operator.crd.ConditionedStatus s) {
    return s != null && s.getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static boolean ready(HerokuConnection c) { return c != null && ready(c.getStatus()); }

  static boolean ready(HerokuMapping m) { return m != null && ready(m.getStatus()); }

  public void await(java.util.function.BooleanSupplier condition, String what) {
    if (!Sandbox.await(WAIT, condition)) throw new AssertionError("never " + what);
  }

  /** Polls /metrics until {@code p} holds for the parsed scrape (deadline {@link #WAIT}); the last scrape. */
  public PromText awaitScrape(Predicate<PromText> p, String what) {
    PromText[] last = new PromText[1];
    if (!Sandbox.await(WAIT, () -> p.test(last[0] = PromText.parse(scrape())))) {
      throw new AssertionError("/metrics never showed " + what + ":\n" + scrape());
    }
    return last[0];
  }

  public String metricsUrl() {
    return "http://127.0.0.1:" + operator.metricsPort() + "/metrics";
  }

  public String scrape() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metricsUrl())).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) throw new AssertionError("/metrics answered " + r.statusCode());
      return r.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sets an annotation on a HerokuMapping as kubectl annotate does (a merge patch). */
  public void annotateMapping(String name, String key, String value) {
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName(name)
        .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  /** Sets an annotation on the HerokuConnection as kubectl annotate does (a merge patch). */
  public void annotateConnection(String key, String value) {
    sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales")
        .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  @Override
  public void close() {
    sb.close();
  }
}
