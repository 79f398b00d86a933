package dev.herokuconnect.operator.platform;

import dev.herokuconnect.operator.ratelimit.ApiMetrics;

/**
 * What the Platform API budget reports to metrics: the Connect API's events ({@link ApiMetrics},
 * keyed by account: the token's fingerprint, never the token), and each account when first seen,
 * so its level can be read from {@link PlatformBudget#usage(String)} when scraped
 * (health.PrometheusPlatformMetrics).
 */
public interface PlatformMetrics extends ApiMetrics {
  void account(String account, PlatformBudget budget);

  PlatformMetrics NONE = new PlatformMetrics() {
    @Override public void request(String endpoint, int status) {}
    @Override public void tokensLeft(String key, double tokens) {}
    @Override public void throttled(String key) {}
    @Override public void account(String account, PlatformBudget budget) {}
  };
}
