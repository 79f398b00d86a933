package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.ratelimit.ApiMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * API events for Prometheus, for each Heroku API the same way: requests by endpoint and status
 * ({@code heroku_connect_api_requests_total}, {@code heroku_platform_api_requests_total}) and 429s
 * by budget key ({@code heroku_connect_api_throttled_total} by connection id,
 * {@code heroku_platform_api_throttled_total} by account). The budgets' levels are read at scrape
 * time ({@link ObjectMetrics} per HerokuConnection, {@link PrometheusPlatformMetrics} per
 * account), so they are never stale.
 */
public final class PrometheusApiMetrics implements ApiMetrics {
  /** How one API's metrics are named: the prefix, the API's name in descriptions, and the budget key's label. */
  public record Naming(String prefix, String api, String keyLabel, String keyMeaning) {
    public static final Naming CONNECT = new Naming("heroku_connect_api", "Heroku Connect API", "connection_id",
        "connection id (or app:NAME during discovery)");
    public static final Naming PLATFORM = new Naming("heroku_platform_api", "Heroku Platform API", "account",
        "account (the token's fingerprint)");
  }

  private final MeterRegistry registry;
  private final Naming naming;

  public PrometheusApiMetrics(MeterRegistry registry, Naming naming) {
    this.registry = registry;
    this.naming = naming;
  }

  public PrometheusApiMetrics(MeterRegistry registry) {
    this(registry, Naming.CONNECT);
  }

  @Override
  public void request(String endpoint, int status) {
    Counter.builder(naming.prefix() + "_requests")
        .description("Requests sent to the " + naming.api() + ", by endpoint (method and path template) and HTTP status")
        .tags(Tags.of("endpoint", endpoint, "status", Integer.toString(status))).register(registry).increment();
  }

  /** Nothing to do here: the levels are read when Prometheus scrapes. */
  @Override
  public void tokensLeft(String key, double left) {
    // the level is computed at scrape time; a gauge set here would go stale between requests
  }

  @Override
  public void throttled(String key) {
    Counter.builder(naming.prefix() + "_throttled")
        .description("429 answers of the " + naming.api() + ", by " + naming.keyMeaning())
        .tags(Tags.of(naming.keyLabel(), key)).register(registry).increment();
  }
}
