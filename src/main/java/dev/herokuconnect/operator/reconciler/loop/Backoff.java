package dev.herokuconnect.operator.reconciler.loop;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Exponential backoff per object (by uid), from a base up to a cap, reset once things work again. */
final class Backoff {
  private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

  Duration next(String uid, Duration base, Duration cap) {
    int n = attempts.merge(uid, 1, Integer::sum);
    long millis = base.toMillis() * (1L << Math.min(n - 1, 20));
    return Duration.ofMillis(Math.min(millis, cap.toMillis()));
  }

  int held() {
    return attempts.size();
  }

  void reset(String uid) {
    attempts.remove(uid);
  }

  /** Keeps only the objects that still exist. */
  void retain(java.util.Set<String> live) {
    attempts.keySet().retainAll(live);
  }
}
