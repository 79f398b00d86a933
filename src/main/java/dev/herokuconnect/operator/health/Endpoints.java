package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.config.OperatorConfig;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * The operator's two HTTP servers, each on or off by its port setting ({@value OperatorConfig#OFF}:
 * off): the probes ({@link HealthServer}) and /metrics ({@link MetricsServer}).
 */
public final class Endpoints implements AutoCloseable {
  private final HealthServer health;
  private final MetricsServer metrics;

  private Endpoints(HealthServer health, MetricsServer metrics) {
    this.health = health;
    this.metrics = metrics;
  }

  /** Metrics first (its files are read before anything binds), then the probes; a failure closes what started. */
  public static Endpoints start(OperatorConfig config, Operator operator, PrometheusRegistry registry, Leadership leadership)
      throws IOException {
    MetricsServer metrics = config.metricsPort() == OperatorConfig.OFF ? null
        : MetricsServer.start(config.metricsPort(), registry, config.metricsAccess());
    try {
      HealthServer health = config.healthPort() == OperatorConfig.OFF ? null
          : HealthServer.start(config.healthPort(), operator, leadership);
      return new Endpoints(health, metrics);
    } catch (IOException | RuntimeException e) {
      if (metrics != null) metrics.close();
      throw e;
    }
  }

  /** The bound health port, or {@value OperatorConfig#OFF}. */
  public int healthPort() {
    return health == null ? OperatorConfig.OFF : health.port();
  }

  /** The bound metrics port, or {@value OperatorConfig#OFF}. */
  public int metricsPort() {
    return metrics == null ? OperatorConfig.OFF : metrics.port();
  }

  @Override
  public void close() {
    if (health != null) health.close();
    if (metrics != null) metrics.close();
  }
}
