package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.ratelimit.ApiMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Connect API figures for Prometheus: requests by endpoint and status, tokens left, 429s. */
public final class PrometheusApiMetrics implements ApiMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicLong> tokens = new ConcurrentHashMap<>();

  public PrometheusApiMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void request(String endpoint, int status) {
    registry.counter("heroku_connect_api_requests", Tags.of("endpoint", endpoint, "status", Integer.toString(status))).increment();
  }

  @Override
  public void tokensLeft(String key, double left) {
    tokens.computeIfAbsent(key, k -> registry.gauge("heroku_connect_api_tokens_left", Tags.of("connection", k), new AtomicLong()))
        .set((long) left);
  }

  @Override
  public void throttled(String key) {
    registry.counter("heroku_connect_api_throttled", Tags.of("connection", key)).increment();
  }
}
