package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.platform.PlatformBudget;
import dev.herokuconnect.operator.platform.PlatformBudgetUsage;
import dev.herokuconnect.operator.platform.PlatformMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Platform API events for Prometheus, named as {@link PrometheusApiMetrics} names the Connect
 * API's: requests by endpoint and status ({@code heroku_platform_api_requests_total}), 429s by
 * account ({@code heroku_platform_api_throttled_total}), and per account the last
 * RateLimit-Remaining the API sent ({@code heroku_platform_api_remaining}, NaN before the first)
 * and whether the operator is holding its requests back ({@code heroku_platform_api_holding}: 1
 * at the reserve or after a 429). Levels are read from {@link PlatformBudget#usage} when scraped,
 * so they are never stale. An account is the token's fingerprint, never the token.
 */
public final class PrometheusPlatformMetrics implements PlatformMetrics {
  private final MeterRegistry registry;

  public PrometheusPlatformMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void request(String endpoint, int status) {
    Counter.builder("heroku_platform_api_requests")
        .description("Requests sent to the Heroku Platform API, by endpoint (method and path template) and HTTP status (0: no answer)")
        .tags(Tags.of("endpoint", endpoint, "status", Integer.toString(status))).register(registry).increment();
  }

  @Override
  public void account(String account, PlatformBudget budget) {
    Tags tags = Tags.of("account", account);
    Gauge.builder("heroku_platform_api_remaining", budget, b -> remaining(b.usage(account)))
        .description("The Platform API's last RateLimit-Remaining for the account (token fingerprint); NaN before the first answer")
        .tags(tags).register(registry);
    Gauge.builder("heroku_platform_api_holding", budget, b -> b.usage(account).throttledUntil() == null ? 0 : 1)
        .description("1 while the operator sends nothing to the Platform API for the account (its reserve reached, or a 429)")
        .tags(tags).register(registry);
  }

  @Override
  public void throttled(String account) {
    Counter.builder("heroku_platform_api_throttled")
        .description("429 answers of the Heroku Platform API, by account (token fingerprint)")
        .tags(Tags.of("account", account)).register(registry).increment();
  }

  private static double remaining(PlatformBudgetUsage u) {
    return u.remaining() == null ? Double.NaN : u.remaining();
  }
}
