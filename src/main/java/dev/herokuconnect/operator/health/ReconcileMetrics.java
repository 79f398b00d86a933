package dev.herokuconnect.operator.health;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The controllers' own health for Prometheus, fed by the Java Operator SDK through its
 * {@link Metrics} callbacks: reconciles by kind and {@link ReconcileResult result}, how long they
 * take, how many objects wait for a worker thread and for how long (controller-runtime's
 * {@code controller_runtime_reconcile_total}, {@code _reconcile_time_seconds},
 * {@code workqueue_depth} and {@code workqueue_queue_duration_seconds}). The kind is a label;
 * no object name is, so there are a few series per kind whatever the number of objects.
 *
 * <p>How the SDK calls these (5.2): {@code reconcileCustomResource} when it hands an object to
 * its executor (the object is queued); then, on a worker thread, {@code reconciliationExecutionStarted},
 * the reconcile, {@code finishedReconciliation} or {@code failedReconciliation} (or neither, see
 * {@link ReconcileResult#of}), and {@code reconciliationExecutionFinished} last. An object is
 * queued at most once at a time, but its next execution may be queued (and even start on another
 * thread) before the current one has reported its end: so what belongs to an execution is kept
 * per worker thread, and only the queue is kept per object.
 */
public final class ReconcileMetrics implements Metrics {
  public static final String RECONCILES = "heroku_connect_operator_reconcile";
  public static final String DURATION = "heroku_connect_operator_reconcile_duration";
  public static final String ACTIVE = "heroku_connect_operator_reconcile_active";
  public static final String QUEUE_DEPTH = "heroku_connect_operator_workqueue_depth";
  public static final String QUEUE_DURATION = "heroku_connect_operator_workqueue_queue_duration";

  /** Bucket bounds of the reconcile duration: a pass reads the Connect API (tens of ms to seconds). */
  static final Duration[] DURATION_BUCKETS = HistogramBuckets.seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
  /** Bucket bounds of the time in the queue: near zero while a worker is free; seconds when all are busy. */
  static final Duration[] QUEUE_BUCKETS = HistogramBuckets.seconds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300);

  private final MeterRegistry registry;
  private final LongSupplier nanoTime;
  /** By controller name (the SDK's metadata names the controller). */
  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
  /** The execution this worker thread runs now, if any. */
  private final ThreadLocal<Execution> current = new ThreadLocal<>();

  public ReconcileMetrics(MeterRegistry registry) {
    this(registry, System::nanoTime);
  }

  ReconcileMetrics(MeterRegistry registry, LongSupplier nanoTime) {
    this.registry = registry;
    this.nanoTime = nanoTime;
  }

  /** One controller's meters and queue. */
  private static final class Kind {
    final Map<ReconcileResult, Counter> results = new EnumMap<>(ReconcileResult.class);
    final Timer duration;
    final Timer queued;
    /** Objects handed to the executor and not started yet, with the time they were handed over. */
    final Map<ResourceID, Long> waiting = new ConcurrentHashMap<>();
    final AtomicInteger active = new AtomicInteger();
    final BooleanSupplier running;

    Kind(String kind, BooleanSupplier running, MeterRegistry registry) {
      this.running = running;
      Tags tags = Tags.of("kind", kind);
      for (ReconcileResult r : ReconcileResult.values()) {
        // every result from the start, so that rates and ratios have a zero to work with
        results.put(r, Counter.builder(RECONCILES)
            .description("Executions of the controller (the reconcile or cleanup, with the status write after it) by kind and "
                + "result: success; error (it threw, the SDK retries with backoff); retry_exhausted (it threw on the last retry)")
            .tags(tags.and("result", r.label())).register(registry));
      }
      duration = Timer.builder(DURATION)
          .description("Time from the start of an execution of the controller to its end (reconcile or cleanup, status write "
              + "included), by kind")
          .tags(tags).serviceLevelObjectives(DURATION_BUCKETS).register(registry);
      queued = Timer.builder(QUEUE_DURATION)
          .description("Time an object waited for a worker thread, from being submitted for reconciliation to the start of "
              + "its execution, by kind")
          .tags(tags).serviceLevelObjectives(QUEUE_BUCKETS).register(registry);
      Gauge.builder(QUEUE_DEPTH, waiting, Map::size)
          .description("Objects submitted for reconciliation and waiting for a worker thread (not executing yet), by kind")
          .tags(tags).register(registry);
      Gauge.builder(ACTIVE, active, AtomicInteger::get)
          .description("Executions of the controller running now, by kind (at most RECONCILE_THREADS over all kinds)")
          .tags(tags).register(registry);
    }
  }

  /** What happened during one execution, on its worker thread. */
  private static final class Execution {
    final Kind kind;
    final ResourceID id;
    final long started;
    boolean finished;
    boolean failed;
    boolean resubmitted;

    Execution(Kind kind, ResourceID id, long started) {
      this.kind = kind;
      this.id = id;
      this.started = started;
    }
  }

  @Override
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    String name = controller.getConfiguration().getName();
    String kind = controller.getAssociatedGroupVersionKind().getKind();
    kinds.computeIfAbsent(name, n -> new Kind(kind, () -> controller.getEventProcessor().isRunning(), registry));
  }

  /** For tests: a controller by its name and kind, with {@code running} standing for its event processor. */
  void register(String name, String kind, BooleanSupplier running) {
    kinds.computeIfAbsent(name, n -> new Kind(kind, running, registry));
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    Kind kind = kindOf(metadata);
    if (kind == null) return;
    ResourceID id = ResourceID.fromResource(resource);
    kind.waiting.put(id, nanoTime.getAsLong());
    Execution running = current.get();
    if (running != null && running.kind == kind && running.id.equals(id)) running.resubmitted = true;
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    Kind kind = kindOf(metadata);
    if (kind == null) return;
    ResourceID id = ResourceID.fromResource(resource);
    long now = nanoTime.getAsLong();
    Long submitted = kind.waiting.remove(id);
    if (submitted != null) kind.queued.record(Math.max(0, now - submitted), TimeUnit.NANOSECONDS);
    kind.active.incrementAndGet();
    current.set(new Execution(kind, id, now));
  }

  @Override
  public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
    Execution e = executionOf(resource);
    if (e != null) e.finished = true;
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    Execution e = executionOf(resource);
    if (e != null) e.failed = true;
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    Kind kind = kindOf(metadata);
    if (kind == null) return;
    Execution e = current.get();
    if (e == null || e.kind != kind) {
      // Not started: the SDK dropped it (the object left the cache while it waited). Nothing else
      // can have queued it meanwhile, since the SDK queues an object again only after an execution.
      kind.waiting.remove(ResourceID.fromResource(resource));
      return;
    }
    current.remove();
    kind.active.decrementAndGet();
    ReconcileResult.of(e.finished, e.failed, e.resubmitted, kind.running.getAsBoolean()).ifPresent(result -> {
      kind.results.get(result).increment();
      kind.duration.record(Math.max(0, nanoTime.getAsLong() - e.started), TimeUnit.NANOSECONDS);
    });
  }

  private Execution executionOf(HasMetadata resource) {
    Execution e = current.get();
    return e != null && e.id.equals(ResourceID.fromResource(resource)) ? e : null;
  }

  private Kind kindOf(Map<String, Object> metadata) {
    Object name = metadata == null ? null : metadata.get(Constants.CONTROLLER_NAME);
    return name == null ? null : kinds.get(name.toString());
  }
}
