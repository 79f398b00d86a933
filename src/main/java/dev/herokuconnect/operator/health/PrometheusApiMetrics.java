package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.ratelimit.ApiMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Connect API events for Prometheus: requests by endpoint and status
 * ({@code heroku_connect_api_requests_total}) and 429s by connection id
 * ({@code heroku_connect_api_throttled_total}). The budget's levels (tokens left, used, limit,
 * throttled until) are read at scrape time per HerokuConnection by {@link ObjectMetrics}, so they
 * are never stale and carry the object's namespace and name.
 */
public final class PrometheusApiMetrics implements ApiMetrics {
  private final MeterRegistry registry;

  public PrometheusApiMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void request(String endpoint, int status) {
    Counter.builder("heroku_connect_api_requests")
        .description("Requests sent to the Heroku Connect API, by endpoint (method and path template) and HTTP status")
        .tags(Tags.of("endpoint", endpoint, "status", Integer.toString(status))).register(registry).increment();
  }

  /** Nothing to do here: {@link ObjectMetrics} reads {@code ApiBudget.usage} when Prometheus scrapes. */
  @Override
  public void tokensLeft(String key, double left) {
    // the level is computed at scrape time; a gauge set here would go stale between requests
  }

  @Override
  public void throttled(String key) {
    Counter.builder("heroku_connect_api_throttled")
        .description("429 answers of the Heroku Connect API, by connection id (or app:NAME during discovery)")
        .tags(Tags.of("connection_id", key)).register(registry).increment();
  }
}
