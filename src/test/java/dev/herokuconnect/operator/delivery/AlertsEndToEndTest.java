package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.health.MetricsWorld;
import dev.herokuconnect.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real Prometheus on loopback scrapes the operator running in the sandbox against the fake
 * Connect API, with the chart's alert rules (small thresholds): a mapping forced into an error
 * state, a write error, and a Salesforce poll made old fire the matching alerts, and a reload
 * resolves them. Then every dashboard panel's query must return data from that Prometheus. Then an
 * unacknowledged notification fires its alert, and the acknowledge annotation resolves it. Last,
 * status writes the Kubernetes API refuses fail a mapping's reconciles and fire the reconcile-error
 * alert for its kind, which resolves once the writes go through again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsEndToEndTest {
  static final String JOB = "hco-heroku-connect-operator-metrics"; // the chart's default job for release "hco"
  static final Duration DEADLINE = Duration.ofSeconds(90);

  MetricsWorld world;
  PrometheusServer prometheus;

  @BeforeAll
  void start() throws Exception {
    PrometheusServer.assumeInstalled();
    String rules = AlertRulesTest.renderedRules("prometheusRule.thresholds.mappingErrorFor=2s",
        "prometheusRule.thresholds.pollStaleFor=2s", "prometheusRule.thresholds.errorsWindow=20s",
        "prometheusRule.thresholds.connectionNotReadyFor=10m", "prometheusRule.thresholds.notificationsUnacknowledgedFor=2s",
        "prometheusRule.thresholds.reconcileErrorsWindow=10s", "prometheusRule.thresholds.reconcileErrorsFor=2s");
    world = new MetricsWorld(Duration.ofSeconds(2)).readyWithTwoMappings();
    prometheus = PrometheusServer.start(JOB, "127.0.0.1:" + world.operator.metricsPort(), rules);
    await("the operator scraped", () -> prometheus.query("up{job=\"" + JOB + "\"} == 1").size() == 1);
    // the error-count baseline: a few samples before anything changes
    await("error counts recorded", () -> prometheus.query("count_over_time(heroku_connect_mapping_errors[20s]) >= 3").size() == 2);
  }

  @AfterAll
  void stop() {
    if (prometheus != null) prometheus.close();
    if (world != null) world.close();
  }

  private void await(String what, BooleanSupplier condition) {
    assertTrue(Sandbox.await(DEADLINE, condition), "never " + what + "; alerts: " + prometheus.alerts()
        + "\nPrometheus log tail:\n" + tail(prometheus.log()));
  }

  private static String tail(String s) {
    return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
  }

  @Test
  @Order(1)
  void alertsFireAndResolve() {
    String account = world.mappingId("account");
    assertTrue(prometheus.alerts().isEmpty(), "nothing fires on a healthy world: " + prometheus.alerts());

    long t0 = System.nanoTime();
    world.fake.forceMappingState(account, "BULK_LOAD_ERROR");
    world.fake.addWriteError(account, "REQUIRED_FIELD_MISSING: Name");
    world.clock.jump(Duration.ofHours(2)); // every poll time the fake reported is now 2 h old (contact polls every 300 s)
    // Read the remote now rather than at the next refresh (which the budget stretches to ~38 s here; 5 min by default).
    world.annotateMapping("account", "herokuconnect.dev/reconcile-requested-at", "t" + System.nanoTime());

    List<String> timings = new ArrayList<>();
    await("HerokuConnectMappingError firing for account", () -> prometheus.firing("HerokuConnectMappingError", "account"));
    timings.add(String.format("HerokuConnectMappingError(account) firing after %.1f s", secondsSince(t0)));
    await("HerokuConnectMappingErrorsIncreasing firing for account",
        () -> prometheus.firing("HerokuConnectMappingErrorsIncreasing", "account"));
    timings.add(String.format("HerokuConnectMappingErrorsIncreasing(account) firing after %.1f s", secondsSince(t0)));
    await("HerokuConnectMappingPollStale firing for contact", () -> prometheus.firing("HerokuConnectMappingPollStale", "contact"));
    timings.add(String.format("HerokuConnectMappingPollStale(contact) firing after %.1f s", secondsSince(t0)));

    // The remedy the alerts name: reload the mappings (herokuconnect.dev/reload-requested-at).
    long t1 = System.nanoTime();
    world.annotateMapping("account", "herokuconnect.dev/reload-requested-at", "2031-01-01T00:00:00Z");
    world.annotateMapping("contact", "herokuconnect.dev/reload-requested-at", "2031-01-01T00:00:00Z");
    await("HerokuConnectMappingError resolved", () -> !prometheus.present("HerokuConnectMappingError", "account"));
    timings.add(String.format("HerokuConnectMappingError(account) resolved %.1f s after the reload", secondsSince(t1)));
    await("HerokuConnectMappingPollStale resolved", () -> !prometheus.present("HerokuConnectMappingPollStale", "contact"));
    timings.add(String.format("HerokuConnectMappingPollStale(contact) resolved %.1f s after the reload", secondsSince(t1)));
    await("HerokuConnectMappingErrorsIncreasing resolved (no new error within the 20 s window)",
        () -> !prometheus.present("HerokuConnectMappingErrorsIncreasing", "account"));
    timings.add(String.format("HerokuConnectMappingErrorsIncreasing(account) resolved %.1f s after the reload", secondsSince(t1)));
    await("no alert at all", () -> prometheus.alerts().isEmpty());
    System.out.println("alert timings (scrape and evaluation every 1 s, for: 2s, a reconcile requested at once):\n  "
        + String.join("\n  ", timings));
  }

  @Test
  @Order(3)
  void anUnacknowledgedNotificationFiresAndAnAcknowledgeResolvesIt() {
    world.fake.addNotification(world.connectionId, "mapping-error", "Failed to sync Account records due to validation error");
    world.clock.jump(Duration.ofHours(2)); // the next read is due (HEROKU_CONNECT_NOTIFICATIONS_INTERVAL, 1h)
    world.annotateConnection("herokuconnect.dev/reconcile-requested-at", "n" + System.nanoTime()); // now, not at the next refresh
    long t0 = System.nanoTime();
    await("HerokuConnectNotificationsUnacknowledged firing for sales",
        () -> prometheus.firing("HerokuConnectNotificationsUnacknowledged", "sales"));
    double fired = secondsSince(t0);
    long t1 = System.nanoTime();
    world.annotateConnection("herokuconnect.dev/acknowledge-requested-at", "2031-01-01T00:00:00Z");
    await("HerokuConnectNotificationsUnacknowledged resolved",
        () -> !prometheus.present("HerokuConnectNotificationsUnacknowledged", "sales"));
    assertTrue(world.fake.unacknowledgedNotifications(world.connectionId).isEmpty());
    System.out.printf("HerokuConnectNotificationsUnacknowledged(sales) firing after %.1f s, resolved %.1f s after the acknowledge%n",
        fired, secondsSince(t1));
  }

  @Test
  @Order(4)
  void refusedStatusWritesFireTheReconcileErrorAlertForTheirKind() {
    // 8 refusals: the reconcile's status write and the SDK's error-status write, for the first
    // execution and its first three retries (2 s, 3 s, 4.5 s apart); the next retry goes through
    world.sb.answerKubernetes("PATCH", "/apis/" + HasMetadata.getApiVersion(HerokuMapping.class) + "/namespaces/" + MetricsWorld.NS
        + "/herokumappings/account/status", 403, 8);
    world.annotateMapping("account", "herokuconnect.dev/reconcile-requested-at", "e" + System.nanoTime());
    long t0 = System.nanoTime();
    await("HerokuConnectOperatorReconcileErrors firing for HerokuMapping", () -> reconcileErrors("HerokuMapping", true));
    double fired = secondsSince(t0);
    assertTrue(!reconcileErrors("HerokuConnection", false), "only the mappings' reconciles failed: " + prometheus.alerts());
    await("HerokuConnectOperatorReconcileErrors resolved", () -> !reconcileErrors("HerokuMapping", false));
    System.out.printf("HerokuConnectOperatorReconcileErrors(HerokuMapping) firing after %.1f s, resolved %.1f s after the start%n",
        fired, secondsSince(t0));
  }

  /** Whether the reconcile-error alert is there (pending or firing; firing only when {@code firing}) for {@code kind}. */
  private boolean reconcileErrors(String kind, boolean firing) {
    return prometheus.alerts().stream().anyMatch(a -> "HerokuConnectOperatorReconcileErrors".equals(a.path("labels").path("alertname").asText())
        && kind.equals(a.path("labels").path("kind").asText()) && (!firing || "firing".equals(a.path("state").asText())));
  }

  /** Half a second between rounds of queries (the scrape interval is one second); false if interrupted. */
  private static boolean pause() {
    try {
      Thread.sleep(500);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  @Test
  @Order(2)
  void everyDashboardPanelHasData() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Path.of("helm/heroku-connect-operator/files/dashboard.json").toFile());
    List<DashboardQueries.Query> queries = DashboardQueries.of(dashboard);
    assertTrue(queries.size() >= 10);
    // the rate panel needs two samples of the counters in its window: wait for the data, not for a time
    await("a minute of request counters", () -> !prometheus.query("rate(heroku_connect_api_requests_total[1m])").isEmpty());
    // The reload of the previous test empties the activity times until the table is loaded again: wait for
    // every panel's data with a deadline, and name those that never got any.
    List<String> empty = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    do {
      empty.clear();
      for (DashboardQueries.Query q : queries) {
        if (prometheus.query(q.expr()).isEmpty()) empty.add(q.panel() + ": " + q.expr());
      }
    } while (!empty.isEmpty() && System.nanoTime() < deadline && pause());
    assertTrue(empty.isEmpty(), "panels without data:\n" + String.join("\n", empty));
    System.out.println(queries.size() + " dashboard queries, all with data");
  }
}
