package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.health.PromText.Family;
import dev.herokuconnect.operator.health.PromText.Sample;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The controllers' own series on /metrics of an operator in the sandbox (mock Kubernetes and the
 * fake Connect API over HTTP): reconciles by kind and result, their duration, the queue, the
 * Kubernetes client's requests, and the JVM's and the process's figures.
 */
class ControllerMetricsTest {
  static final Set<String> KINDS = Set.of("HerokuConnection", "HerokuMapping");

  @Test
  void reconcilesTheQueueAndKubernetesRequestsByKindWithHelp() throws Exception {
    try (MetricsWorld w = new MetricsWorld(Duration.ofSeconds(30)).readyWithTwoMappings()) {
      PromText m = w.awaitScrape(p -> reconciles(p, "HerokuMapping", "success") >= 2 && reconciles(p, "HerokuConnection", "success") >= 1
          && durationCountMatches(p, "HerokuMapping") && durationCountMatches(p, "HerokuConnection")
          && !p.samples("heroku_connect_operator_kubernetes_requests_total").isEmpty(),
          "successful reconciles of both kinds, each timed, and the Kubernetes requests");

      assertFamily(m, "heroku_connect_operator_reconcile_total", "counter");
      assertFamily(m, "heroku_connect_operator_reconcile_duration_seconds", "histogram");
      assertFamily(m, "heroku_connect_operator_workqueue_depth", "gauge");
      assertFamily(m, "heroku_connect_operator_workqueue_queue_duration_seconds", "histogram");
      assertFamily(m, "heroku_connect_operator_reconcile_active", "gauge");
      assertFamily(m, "heroku_connect_operator_kubernetes_requests_total", "counter");
      assertFamily(m, "heroku_connect_operator_kubernetes_request_duration_seconds", "histogram");

      // kind and result are labels; every result is there from the start (zero), for rates and ratios
      for (String kind : KINDS) {
        for (ReconcileResult r : ReconcileResult.values()) {
          Sample s = m.one("heroku_connect_operator_reconcile_total", "kind", kind, "result", r.label());
          assertEquals(Set.of("kind", "result"), s.labels().keySet(), s.toString());
        }
        assertEquals(0, reconciles(m, kind, "error"), "a healthy world has no failed reconcile of " + kind);
        assertEquals(Set.of("kind"), m.one("heroku_connect_operator_workqueue_depth", "kind", kind).labels().keySet());
        assertTrue(m.one("heroku_connect_operator_workqueue_depth", "kind", kind).value() >= 0);
        assertTrue(m.one("heroku_connect_operator_reconcile_active", "kind", kind).value() >= 0);
        assertTrue(m.one("heroku_connect_operator_workqueue_queue_duration_seconds_count", "kind", kind).value() >= 1,
            "every execution waited in the queue first: " + kind);
        assertEquals(1, m.one("heroku_connect_operator_reconcile_duration_seconds_bucket", "kind", kind, "le", "+Inf").value()
            / m.one("heroku_connect_operator_reconcile_duration_seconds_count", "kind", kind).value(), 0.0, "+Inf bucket is the count");
      }
      assertEquals(KINDS, m.samples("heroku_connect_operator_reconcile_total").stream().map(s -> s.label("kind"))
          .collect(Collectors.toSet()), "exactly the two kinds");
      for (Family f : m.families().values()) {
        String n = f.name().toLowerCase();
        assertFalse(n.contains("herokumapping") || n.contains("herokuconnection") || n.startsWith("operator_sdk"),
            "a kind is a label, never part of a name (and the SDK's own meters are gone): " + f.name());
      }

      // the Kubernetes client's requests: reads, the status writes, the watches (WebSocket upgrades)
      for (Sample s : m.samples("heroku_connect_operator_kubernetes_requests_total")) {
        assertEquals(Set.of("method", "code"), s.labels().keySet(), s.toString());
        assertTrue(s.label("code").matches("[0-9]{3}|" + java.util.regex.Pattern.quote(KubernetesRequestMetrics.NO_ANSWER)), s.toString());
      }
      assertTrue(m.one("heroku_connect_operator_kubernetes_requests_total", "method", "GET", "code", "200").value() >= 1);
      assertTrue(m.samples("heroku_connect_operator_kubernetes_requests_total").stream()
          .anyMatch(s -> s.label("method").equals("PATCH") && s.label("code").startsWith("2") && s.value() >= 1),
          "status writes: " + m.samples("heroku_connect_operator_kubernetes_requests_total"));
      assertTrue(m.one("heroku_connect_operator_kubernetes_requests_total", "method", "GET", "code", "101").value() >= 1,
          "the watches, opened as WebSockets");
      assertTrue(m.one("heroku_connect_operator_kubernetes_request_duration_seconds_count", "method", "PATCH").value() >= 1);

      // JVM and process: what a Kubernetes dashboard expects
      for (String name : List.of("jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_gc_live_data_size_bytes", "jvm_threads_live_threads",
          "jvm_classes_loaded_classes", "process_cpu_usage", "system_cpu_count", "process_start_time_seconds", "process_uptime_seconds",
          "process_open_fds", "process_max_fds", "process_cpu_seconds_total")) {
        assertTrue(m.familyOf(name).isPresent(), name + " on /metrics");
        assertFalse(m.familyOf(name).get().help() == null || m.familyOf(name).get().help().isBlank(), "HELP for " + name);
      }
      double started = m.samples("process_start_time_seconds").get(0).value();
      assertTrue(Math.abs(started - System.currentTimeMillis() / 1000.0) < 24 * 3600, "a Unix time in seconds: " + started);
      assertEquals(1, m.samples("process_start_time_seconds").size(), "bound once");
      assertEquals("counter", m.familyOf("process_cpu_seconds_total").get().type());
      double cpu = m.samples("process_cpu_seconds_total").get(0).value();
      assertTrue(cpu > 0 && cpu < 24 * 3600, "seconds, not nanoseconds: " + cpu);
      assertTrue(m.familyOf("process_cpu_time_ns_total").isEmpty() && m.familyOf("process_files_open_files").isEmpty(),
          "Micrometer's names of the same figures are not there too");
    }
  }

  /**
   * The registry's meter filters (the conventional process_* names) are in place before any meter
   * is registered: Micrometer warns at every start otherwise, and a filter configured late does
   * not apply to the meters registered before it.
   */
  @Test
  void anOperatorStartsWithoutMicrometersLateFilterWarning() throws Exception {
    ch.qos.logback.classic.Logger micrometer = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.micrometer");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    micrometer.addAppender(logs);
    try (MetricsWorld w = new MetricsWorld(Duration.ofSeconds(30))) {
      assertTrue(w.scrape().contains("process_open_fds"), "the process binders are bound");
    } finally {
      micrometer.detachAppender(logs);
    }
    List<String> warnings = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
        .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
    assertEquals(List.of(), warnings, "Micrometer's warnings during an operator's start");
  }

  /** A status write the API server refuses (403, as RBAC without herokumappings/status would) fails the reconcile: result="error". */
  @Test
  void aReconcileWhoseStatusWriteIsRefusedCountsAsAnError() throws Exception {
    try (MetricsWorld w = new MetricsWorld(Duration.ofSeconds(30)).readyWithTwoMappings()) {
      w.awaitScrape(p -> reconciles(p, "HerokuMapping", "success") >= 2, "the mappings reconciled");
      assertEquals(0, reconciles(PromText.parse(w.scrape()), "HerokuMapping", "error"));
      // the reconcile's status write and the SDK's error-status write after it
      w.sb.answerKubernetes("PATCH", "/apis/" + HasMetadata.getApiVersion(HerokuMapping.class) + "/namespaces/" + MetricsWorld.NS
          + "/herokumappings/account/status", 403, 2);
      String requested = "metrics-" + System.nanoTime();
      w.annotateMapping("account", "herokuconnect.dev/reconcile-requested-at", requested);
      PromText m = w.awaitScrape(p -> reconciles(p, "HerokuMapping", "error") >= 1
          && p.one("heroku_connect_operator_kubernetes_requests_total", "method", "PATCH", "code", "403").value() >= 1,
          "the failed reconcile counted as an error, and the 403 among the client's requests");
      assertEquals(0, reconciles(m, "HerokuMapping", "retry_exhausted"), "the SDK retries it");
      assertEquals(0, reconciles(m, "HerokuConnection", "error"), "only the mapping failed");
      // the SDK's retry (the refusals used up) succeeds and writes the status the refused write carried
      w.await(() -> requested.equals(w.map("account").getStatus().getLastHandledReconcileAt()), "the retried reconcile's status");
    }
  }

  static double reconciles(PromText p, String kind, String result) {
    return p.samples("heroku_connect_operator_reconcile_total").stream()
        .filter(s -> kind.equals(s.label("kind")) && result.equals(s.label("result"))).mapToDouble(Sample::value).sum();
  }

  /** Each counted execution is timed once: the histogram's count equals the reconciles of the kind. */
  private static boolean durationCountMatches(PromText p, String kind) {
    double total = p.samples("heroku_connect_operator_reconcile_total").stream().filter(s -> kind.equals(s.label("kind")))
        .mapToDouble(Sample::value).sum();
    return p.samples("heroku_connect_operator_reconcile_duration_seconds_count").stream()
        .anyMatch(s -> kind.equals(s.label("kind")) && s.value() == total);
  }

  private static void assertFamily(PromText m, String name, String type) {
    Family f = m.familyOf(name).orElseThrow(() -> new AssertionError(name + " missing; families: " + new TreeSet<>(m.families().keySet())));
    assertEquals(type, f.type(), name);
    assertTrue(f.help() != null && !f.help().isBlank(), "HELP for " + name);
  }
}
