package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuMapping;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link ReconcileMetrics} driven through the SDK's callbacks in the orders the SDK (5.2) calls
 * them, on a real Prometheus registry with a clock the test moves; and the pure decision of the
 * result ({@link ReconcileResult#of}) over every input.
 */
class ReconcileMetricsTest {
  static final Map<String, Object> MAPPINGS = Map.of(Constants.CONTROLLER_NAME, "herokumapping");
  static final long SECOND = 1_000_000_000L;

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final AtomicLong now = new AtomicLong();
  final AtomicBoolean running = new AtomicBoolean(true);
  final ReconcileMetrics metrics = new ReconcileMetrics(registry, now::get);

  ReconcileMetricsTest() {
    metrics.register("herokumapping", "HerokuMapping", running::get);
  }

  static HerokuMapping mapping(String name) {
    HerokuMapping m = new HerokuMapping();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("crm").withName(name).build());
    return m;
  }

  PromText scrape() {
    return PromText.parse(registry.scrape());
  }

  double value(String name, String... labels) {
    String[] all = new String[labels.length + 2];
    all[0] = "kind";
    all[1] = "HerokuMapping";
    System.arraycopy(labels, 0, all, 2, labels.length);
    return scrape().one(name, all).value();
  }

  double result(String result) {
    return value("heroku_connect_operator_reconcile_total", "result", result);
  }

  double depth() {
    return value("heroku_connect_operator_workqueue_depth");
  }

  @Test
  void aSuccessWaitsInTheQueueThenIsTimedAndCounted() {
    HerokuMapping a = mapping("a");
    metrics.reconcileCustomResource(a, null, MAPPINGS);
    assertEquals(1, depth(), "submitted, not started");
    now.addAndGet(2 * SECOND);
    metrics.reconciliationExecutionStarted(a, MAPPINGS);
    assertEquals(0, depth());
    assertEquals(1, value("heroku_connect_operator_reconcile_active"));
    assertEquals(1, value("heroku_connect_operator_workqueue_queue_duration_seconds_count"));
    assertEquals(2.0, value("heroku_connect_operator_workqueue_queue_duration_seconds_sum"), 1e-9);
    assertEquals(0, value("heroku_connect_operator_workqueue_queue_duration_seconds_bucket", "le", "1.0"));
    assertEquals(1, value("heroku_connect_operator_workqueue_queue_duration_seconds_bucket", "le", "5.0"));
    now.addAndGet(3 * SECOND);
    metrics.finishedReconciliation(a, MAPPINGS);
    metrics.reconciliationExecutionFinished(a, MAPPINGS);
    assertEquals(1, result("success"));
    assertEquals(0, result("error"));
    assertEquals(0, result("retry_exhausted"));
    assertEquals(0, value("heroku_connect_operator_reconcile_active"));
    assertEquals(1, value("heroku_connect_operator_reconcile_duration_seconds_count"));
    assertEquals(3.0, value("heroku_connect_operator_reconcile_duration_seconds_sum"), 1e-9);
    assertEquals(0, value("heroku_connect_operator_reconcile_duration_seconds_bucket", "le", "2.5"));
    assertEquals(1, value("heroku_connect_operator_reconcile_duration_seconds_bucket", "le", "5.0"));
  }

  @Test
  void aFailureTheSdkRetriesIsAnErrorAndOneOnTheLastRetryIsRetryExhausted() {
    HerokuMapping a = mapping("a");
    metrics.reconcileCustomResource(a, null, MAPPINGS);
    metrics.reconciliationExecutionStarted(a, MAPPINGS);
    metrics.failedReconciliation(a, new IllegalStateException("status write refused"), MAPPINGS);
    metrics.reconciliationExecutionFinished(a, MAPPINGS);
    assertEquals(1, result("error"));

    metrics.reconcileCustomResource(a, null, MAPPINGS);
    metrics.reconciliationExecutionStarted(a, MAPPINGS);
    metrics.reconciliationExecutionFinished(a, MAPPINGS); // the SDK reports nothing when no retry is left
    assertEquals(1, result("error"));
    assertEquals(1, result("retry_exhausted"));
    assertEquals(0, result("success"));
    assertEquals(2, value("heroku_connect_operator_reconcile_duration_seconds_count"), "both timed");
    assertEquals(0, depth());
  }

  /**
   * A failure while a newer event waits: the SDK queues the object again from the failing
   * execution's thread, and the new execution may start on another thread before the failing
   * one has reported its end. Each is counted once, and the queue is empty at the end.
   */
  @Test
  void aFailureRequeuedForANewerEventIsAnErrorAndTheNextExecutionIsItsOwn() throws Exception {
    HerokuMapping a = mapping("a");
    metrics.reconcileCustomResource(a, null, MAPPINGS);
    metrics.reconciliationExecutionStarted(a, MAPPINGS);
    metrics.reconcileCustomResource(a, null, MAPPINGS); // handleRetryOnException: an event is present, submit at once
    assertEquals(1, depth());
    CompletableFuture.runAsync(() -> { // the next execution, on another worker, starts and ends first
      metrics.reconciliationExecutionStarted(a, MAPPINGS);
      metrics.finishedReconciliation(a, MAPPINGS);
      metrics.reconciliationExecutionFinished(a, MAPPINGS);
    }).get();
    assertEquals(0, depth());
    assertEquals(1, result("success"));
    metrics.reconciliationExecutionFinished(a, MAPPINGS); // the failed one reports its end last
    assertEquals(1, result("error"));
    assertEquals(0, result("retry_exhausted"));
    assertEquals(0, value("heroku_connect_operator_reconcile_active"));
    assertEquals(0, depth(), "the end of the first must not take the second out of the queue");
  }

  @Test
  void anObjectDroppedBeforeItStartsLeavesTheQueueUncounted() {
    HerokuMapping a = mapping("a");
    metrics.reconcileCustomResource(a, null, MAPPINGS);
    metrics.reconciliationExecutionFinished(a, MAPPINGS); // not in the cache any more: the SDK skips it
    assertEquals(0, depth());
    assertEquals(0, result("success") + result("error") + result("retry_exhausted"));
    assertEquals(0, value("heroku_connect_operator_workqueue_queue_duration_seconds_count"), "it never left the queue for a worker");
  }

  @Test
  void anExecutionEndingAfterTheStopIsNotCounted() {
    HerokuMapping a = mapping("a");
    metrics.reconcileCustomResource(a, null, MAPPINGS);
    metrics.reconciliationExecutionStarted(a, MAPPINGS);
    running.set(false); // the SDK drops the outcome of an execution that ends after its stop
    metrics.reconciliationExecutionFinished(a, MAPPINGS);
    assertEquals(0, result("success") + result("error") + result("retry_exhausted"));
    assertEquals(0, value("heroku_connect_operator_reconcile_active"));
  }

  @Test
  void objectsQueueSeparatelyAndAnotherControllerIsIgnored() {
    metrics.reconcileCustomResource(mapping("a"), null, MAPPINGS);
    metrics.reconcileCustomResource(mapping("b"), null, MAPPINGS);
    metrics.reconcileCustomResource(mapping("c"), null, Map.of(Constants.CONTROLLER_NAME, "unregistered"));
    assertEquals(2, depth());
    assertTrue(scrape().samples("heroku_connect_operator_workqueue_depth").stream().allMatch(s -> "HerokuMapping".equals(s.label("kind"))));
  }

  @Test
  void theResultFromWhatTheSdkReported() {
    // of(finished, failed, resubmitted, running)
    assertEquals(Optional.of(ReconcileResult.SUCCESS), ReconcileResult.of(true, false, false, true));
    assertEquals(Optional.of(ReconcileResult.SUCCESS), ReconcileResult.of(true, false, true, true), "a success queued again for a newer event");
    assertEquals(Optional.of(ReconcileResult.ERROR), ReconcileResult.of(false, true, false, true), "a retry scheduled");
    assertEquals(Optional.of(ReconcileResult.ERROR), ReconcileResult.of(false, false, true, true), "a failure run again for a newer event");
    assertEquals(Optional.of(ReconcileResult.RETRY_EXHAUSTED), ReconcileResult.of(false, false, false, true), "no report, no new event");
    assertEquals(Optional.empty(), ReconcileResult.of(false, false, false, false), "stopping: not counted");
    assertEquals(Optional.empty(), ReconcileResult.of(false, false, true, false));
  }
}
