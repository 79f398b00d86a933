package dev.herokuconnect.operator.ratelimit;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket sized so that no 24-hour window can see more than {@code dailyBudget}
 * requests: capacity C plus refill (B - C) per day. Not thread-safe; {@link ApiBudget} locks.
 */
final class TokenBucket {
  private final double capacity;
  private final double refillPerSecond;
  private double tokens;
  private Instant refilledAt;

  TokenBucket(int dailyBudget, Instant now) {
    this.capacity = burstFor(dailyBudget);
    this.refillPerSecond = (dailyBudget - capacity) / Duration.ofDays(1).toSeconds();
    this.tokens = capacity;
    this.refilledAt = now;
  }

  /** A quarter of the budget may go in a burst; the rest trickles in over the day. */
  static int burstFor(int dailyBudget) {
    return Math.max(1, dailyBudget / 4);
  }

  double capacity() { return capacity; }

  double available(Instant now) {
    refill(now);
    return tokens;
  }

  /** Takes one token if at least {@code floor + 1} are there. */
  boolean tryTake(Instant now, double floor) {
    refill(now);
    if (tokens >= floor + 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** When {@code floor + 1} tokens will be there. */
  Instant whenAvailable(Instant now, double floor) {
    refill(now);
    double missing = floor + 1 - tokens;
    if (missing <= 0) return now;
    if (refillPerSecond <= 0) return now.plus(Duration.ofDays(1));
    return now.plus(Duration.ofMillis((long) Math.ceil(missing / refillPerSecond * 1000)));
  }

  /** Undoes a {@link #tryTake} whose request was not sent after all. */
  void giveBack() {
    tokens = Math.min(capacity, tokens + 1);
  }

  /** After a restart: what was spent in the last 24 h is not given back. */
  void spendAtLeast(int alreadyUsed) {
    tokens = Math.max(0, Math.min(tokens, capacity - alreadyUsed));
  }

  private void refill(Instant now) {
    if (now.isAfter(refilledAt)) {
      tokens = Math.min(capacity, tokens + Duration.between(refilledAt, now).toMillis() / 1000.0 * refillPerSecond);
      refilledAt = now;
    }
  }
}
