package dev.herokuconnect.operator.platform;

/**
 * What the Platform API client reports to metrics (the Prometheus registry implements it, see
 * health.PrometheusPlatformMetrics): each request by endpoint and status, and each account seen,
 * so its remaining budget can be read when scraped. Accounts are token fingerprints, never tokens.
 */
public interface PlatformMetrics {
  void request(String endpoint, int status);

  /** The first time an account sends: its gauges start reading {@link PlatformBudget#usage(String)}. */
  void account(String account, PlatformBudget budget);

  void throttled(String account);

  PlatformMetrics NONE = new PlatformMetrics() {
    @Override public void request(String endpoint, int status) {}
    @Override public void account(String account, PlatformBudget budget) {}
    @Override public void throttled(String account) {}
  };
}
