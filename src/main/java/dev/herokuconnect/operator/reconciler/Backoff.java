package dev.herokuconnect.operator.reconciler;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Exponential backoff per object (by uid) for error states, reset once things work again. */
final class Backoff {
  private final Duration base;
  private final Duration cap;
  private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

  Backoff(Duration base, Duration cap) {
    this.base = base;
    this.cap = cap;
  }

  Duration next(String uid) {
    int n = attempts.merge(uid, 1, Integer::sum);
    long millis = base.toMillis() * (1L << Math.min(n - 1, 20));
    return Duration.ofMillis(Math.min(millis, cap.toMillis()));
  }

  void reset(String uid) {
    attempts.remove(uid);
  }
}
