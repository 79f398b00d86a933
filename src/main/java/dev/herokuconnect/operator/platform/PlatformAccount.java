package dev.herokuconnect.operator.platform;

import java.time.Duration;
import java.time.Instant;

/**
 * The decisions for one account's Platform API budget, without HTTP or locks ({@link PlatformBudget}
 * locks). Heroku's model (devcenter "Platform API Reference", Rate Limits): each account has a
 * pool of at most 4,500 request tokens; each call takes one; tokens come back at roughly 75 a
 * minute (4,500 an hour); an empty pool answers 429; RateLimit-Remaining on every answer is the
 * pool's level. This class keeps an estimate of the pool: the last header seen, refilled at the
 * nominal rate, less what was sent since (before any header: a full pool).
 *
 * <p>Conservative on purpose, because the pool is the account's and is shared with its people
 * (the dashboard, the CLI): nothing is sent while the estimate is at or below {@link #RESERVE};
 * once there, or after a 429, nothing is sent until the pool has had time to refill to
 * {@link #RESUME_AT} at the nominal rate (a 429's Retry-After, when longer, wins). So the operator
 * stops in bursts of at least {@code RESUME_AT - RESERVE} requests instead of spending each token
 * as it trickles back.
 */
final class PlatformAccount {
  /** The pool's size and refill per hour (Heroku's documented 4,500). */
  static final int HOURLY_LIMIT = 4500;
  /** Tokens left to the account's people: the operator never takes the pool below this. */
  static final int RESERVE = 50;
  /** After stopping, the level the pool must have refilled to before sending again. */
  static final int RESUME_AT = 2 * RESERVE;

  private static final double REFILL_PER_SECOND = HOURLY_LIMIT / 3600.0;

  private double tokens = HOURLY_LIMIT;
  private Instant estimatedAt;
  private Integer lastRemaining;
  private Instant seenAt;
  private Instant throttledUntil = Instant.MIN;

  PlatformAccount(Instant now) {
    this.estimatedAt = now;
  }

  /** Null if a request may go now (and counts it), else until when nothing may. */
  Instant admit(Instant now) {
    if (now.isBefore(throttledUntil)) return throttledUntil;
    double level = estimate(now);
    if (level <= RESERVE) {
      throttledUntil = now.plus(refillTime(level, RESUME_AT));
      return throttledUntil;
    }
    tokens = level - 1;
    return null;
  }

  /**
   * What an answer said: its status, RateLimit-Remaining (null when absent or unreadable) and,
   * for a 429, the Retry-After wait (zero when absent).
   */
  void observe(Instant now, int status, Integer remaining, Duration retryAfter) {
    if (remaining != null) {
      lastRemaining = remaining;
      seenAt = now;
      tokens = remaining;
      estimatedAt = now;
    }
    if (status == 429) {
      tokens = 0;
      estimatedAt = now;
      holdUntil(now.plus(max(retryAfter, refillTime(0, RESUME_AT))));
    } else if (remaining != null && remaining <= RESERVE) {
      holdUntil(now.plus(refillTime(remaining, RESUME_AT)));
    }
  }

  PlatformBudgetUsage usage(Instant now) {
    return new PlatformBudgetUsage(lastRemaining, seenAt, now.isBefore(throttledUntil) ? throttledUntil : null);
  }

  private void holdUntil(Instant until) {
    if (until.isAfter(throttledUntil)) throttledUntil = until;
  }

  private double estimate(Instant now) {
    if (now.isAfter(estimatedAt)) {
      tokens = Math.min(HOURLY_LIMIT, tokens + Duration.between(estimatedAt, now).toMillis() / 1000.0 * REFILL_PER_SECOND);
      estimatedAt = now;
    }
    return tokens;
  }

  /** How long the pool takes to refill from {@code level} to {@code target} at the nominal rate, whole seconds up. */
  static Duration refillTime(double level, int target) {
    double missing = target - level;
    return missing <= 0 ? Duration.ZERO : Duration.ofSeconds((long) Math.ceil(missing / REFILL_PER_SECOND));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
