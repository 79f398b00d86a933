package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.platform.PlatformBudget;
import dev.herokuconnect.operator.platform.PlatformBudgetUsage;
import dev.herokuconnect.operator.platform.PlatformMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Platform API metrics for Prometheus: the events as {@link PrometheusApiMetrics} names them for
 * the Connect API ({@code heroku_platform_api_requests_total{endpoint,status}},
 * {@code heroku_platform_api_throttled_total{account}}), and per account the last
 * RateLimit-Remaining the API sent ({@code heroku_platform_api_remaining}, NaN before the first)
 * and whether the operator holds its requests back ({@code heroku_platform_api_holding}: 1 at the
 * reserve or after a 429), read from {@link PlatformBudget#usage} when scraped, so never stale.
 */
public final class PrometheusPlatformMetrics implements PlatformMetrics {
  private final MeterRegistry registry;
  private final PrometheusApiMetrics events;

  public PrometheusPlatformMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.events = new PrometheusApiMetrics(registry, PrometheusApiMetrics.Naming.PLATFORM);
  }

  @Override public void request(String endpoint, int status) { events.request(endpoint, status); }
  @Override public void tokensLeft(String key, double tokens) { events.tokensLeft(key, tokens); }
  @Override public void throttled(String key) { events.throttled(key); }

  @Override
  public void account(String account, PlatformBudget budget) {
    Tags tags = Tags.of(PrometheusApiMetrics.Naming.PLATFORM.keyLabel(), account);
    Gauge.builder("heroku_platform_api_remaining", budget, b -> remaining(b.usage(account)))
        .description("The Platform API's last RateLimit-Remaining for the account (token fingerprint); NaN before the first answer")
        .tags(tags).register(registry);
    Gauge.builder("heroku_platform_api_holding", budget, b -> b.usage(account).throttledUntil() == null ? 0 : 1)
        .description("1 while the operator sends nothing to the Platform API for the account (its reserve reached, or a 429)")
        .tags(tags).register(registry);
  }

  private static double remaining(PlatformBudgetUsage u) {
    return u.remaining() == null ? Double.NaN : u.remaining();
  }
}
