package dev.herokuconnect.operator.ratelimit;

/** What the budget reports to metrics; the Prometheus registry implements it. */
public interface ApiMetrics {
  void request(String endpoint, int status);

  void tokensLeft(String key, double tokens);

  void throttled(String key);

  ApiMetrics NONE = new ApiMetrics() {
    @Override public void request(String endpoint, int status) {}
    @Override public void tokensLeft(String key, double tokens) {}
    @Override public void throttled(String key) {}
  };
}
