package dev.herokuconnect.operator.health;

import java.time.Duration;

/** Bucket bounds of the operator's latency histograms, written in seconds as Prometheus shows them. */
final class HistogramBuckets {
  private HistogramBuckets() {}

  static Duration[] seconds(double... bounds) {
    Duration[] out = new Duration[bounds.length];
    for (int i = 0; i < bounds.length; i++) out[i] = Duration.ofNanos(Math.round(bounds[i] * 1e9));
    return out;
  }
}
