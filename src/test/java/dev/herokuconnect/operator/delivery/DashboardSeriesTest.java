package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.health.MetricsWorld;
import dev.herokuconnect.operator.health.PromText;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every series a panel of the chart's dashboard queries is one the operator exports: each metric
 * name in the panels' PromQL is among the samples of a scrape of the operator running in the
 * sandbox. Needs no Prometheus ({@link AlertsEndToEndTest} runs the queries themselves when one is
 * installed), so a renamed series or a typo in a panel fails here on every machine.
 */
class DashboardSeriesTest {
  /** A metric name of the operator's (its own, the JVM's, the process's), not inside a label value. */
  static final Pattern METRIC = Pattern.compile("(?<![\\w\"])((?:heroku_connect|jvm|process|system)_[a-z0-9_]+)");

  static Set<String> queried() throws Exception {
    Set<String> names = new TreeSet<>();
    for (DashboardQueries.Query q : DashboardQueries.of(
        new ObjectMapper().readTree(Path.of("helm/heroku-connect-operator/files/dashboard.json").toFile()))) {
      Matcher m = METRIC.matcher(q.expr());
      while (m.find()) names.add(m.group(1));
    }
    return names;
  }

  @Test
  void everyPanelQueriesOnlySeriesTheOperatorExports() throws Exception {
    Set<String> names = queried();
    // the controller row is among them, histogram samples by their full names
    assertTrue(names.containsAll(Set.of("heroku_connect_operator_reconcile_total", "heroku_connect_operator_reconcile_duration_seconds_bucket",
        "heroku_connect_operator_workqueue_depth", "heroku_connect_operator_workqueue_queue_duration_seconds_bucket",
        "heroku_connect_operator_kubernetes_requests_total", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum",
        "process_cpu_seconds_total")), "the names read from the panels: " + names);
    try (MetricsWorld w = new MetricsWorld(Duration.ofSeconds(2)).readyWithTwoMappings()) {
      System.gc(); // the GC pause series appears at the first collection the operator's registry sees
      Set<String> missing = new TreeSet<>();
      boolean all = Sandbox.await(MetricsWorld.WAIT, () -> {
        Set<String> exported = new TreeSet<>();
        PromText.parse(w.scrape()).samples().forEach(s -> exported.add(s.name()));
        missing.clear();
        for (String n : names) if (!exported.contains(n)) missing.add(n);
        return missing.isEmpty();
      });
      assertTrue(all, "dashboard panels query series the operator does not export: " + missing);
      System.out.println(names.size() + " series queried by the dashboard, all exported");
    }
  }
}
