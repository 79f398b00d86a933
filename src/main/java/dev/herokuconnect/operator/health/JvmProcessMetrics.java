package dev.herokuconnect.operator.health;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.lang.management.ManagementFactory;

/**
 * Micrometer's JVM and process figures on the operator's registry, bound once per registry:
 * memory by area and pool ({@code jvm_memory_*}), garbage collection ({@code jvm_gc_*}), threads,
 * classes, CPU ({@code process_cpu_usage}, {@code system_cpu_*}) and uptime
 * ({@code process_start_time_seconds}). Three process series keep the names every Kubernetes
 * dashboard and the usual file-descriptor alert use, rather than Micrometer's:
 * {@code process_cpu_seconds_total} (Micrometer counts nanoseconds), {@code process_open_fds} and
 * {@code process_max_fds}. Closing it removes the garbage-collection listeners it installed in
 * the JVM (an operator started and stopped in a test must not leave them behind).
 */
public final class JvmProcessMetrics implements AutoCloseable {
  private final JvmGcMetrics gc;

  private JvmProcessMetrics(JvmGcMetrics gc) {
    this.gc = gc;
  }

  /**
   * The process names' filters, on a registry no meter is registered in yet: Micrometer warns of a
   * filter configured later (it does not apply to the meters already there). Call before
   * {@link #bindTo}.
   */
  public static void configure(MeterRegistry registry) {
    registry.config().meterFilter(CONVENTIONAL_PROCESS_NAMES).meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
  }

  /** Binds the figures to a registry {@link #configure configured} at its creation. */
  public static JvmProcessMetrics bindTo(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time the operator's process has used, in seconds").register(registry);
    }
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return new JvmProcessMetrics(gc);
  }

  /** Micrometer's file-descriptor gauges under the names of the Prometheus process collector. */
  private static final MeterFilter CONVENTIONAL_PROCESS_NAMES = new MeterFilter() {
    @Override
    public Meter.Id map(Meter.Id id) {
      return switch (id.getName()) {
        case "process.files.open" -> id.withName("process.open.fds").withBaseUnit(null);
        case "process.files.max" -> id.withName("process.max.fds").withBaseUnit(null);
        default -> id;
      };
    }
  };

  @Override
  public void close() {
    gc.close();
  }
}
