package dev.herokuconnect.operator.platform;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process-wide Platform API budget, separate from the Connect API's: one account per token,
 * keyed by the token's fingerprint (never the token). The rules are {@link PlatformAccount}'s:
 * 4,500 requests/hour nominal, RateLimit-Remaining honoured with a reserve of
 * {@value PlatformAccount#RESERVE} left to the account's people, a 429 stops the account until
 * the pool has refilled (or the Retry-After, if longer).
 */
public final class PlatformBudget {
  /** Heroku's documented pool per account, refilled per hour. */
  public static final int HOURLY_LIMIT = PlatformAccount.HOURLY_LIMIT;
  /** What the operator never takes the pool below. */
  public static final int RESERVE = PlatformAccount.RESERVE;

  private final Clock clock;
  private final PlatformMetrics metrics;
  private final Map<String, PlatformAccount> accounts = new ConcurrentHashMap<>();

  public PlatformBudget(Clock clock, PlatformMetrics metrics) {
    this.clock = clock;
    this.metrics = metrics;
  }

  public PlatformBudget(Clock clock) {
    this(clock, PlatformMetrics.NONE);
  }

  /** Counts a request of {@code account}, or throws {@link PlatformThrottled} and nothing may be sent. */
  public void admit(String account, String endpoint) {
    PlatformAccount a = account(account);
    java.time.Instant until;
    synchronized (a) {
      until = a.admit(clock.instant());
    }
    if (until != null) {
      throw new PlatformThrottled(endpoint, "the Platform API budget of account " + account + " is at its reserve of "
          + RESERVE + " requests (of " + HOURLY_LIMIT + "/hour) or was answered 429; nothing is sent before " + until, until);
    }
  }

  /** What the API answered to a request of {@code account}. */
  public void observe(String account, String endpoint, int status, Integer remaining, Duration retryAfter) {
    PlatformAccount a = account(account);
    synchronized (a) {
      a.observe(clock.instant(), status, remaining, retryAfter);
    }
    metrics.request(endpoint, status);
    if (status == 429) metrics.throttled(account);
  }

  /** The snapshot for status and metrics; all empty for an account that has sent nothing. */
  public PlatformBudgetUsage usage(String account) {
    PlatformAccount a = accounts.get(account);
    if (a == null) return new PlatformBudgetUsage(null, null, null);
    synchronized (a) {
      return a.usage(clock.instant());
    }
  }

  /** The accounts (token fingerprints) that have sent. */
  public Set<String> accounts() {
    return Set.copyOf(accounts.keySet());
  }

  private PlatformAccount account(String key) {
    PlatformAccount existing = accounts.get(key);
    if (existing != null) return existing;
    PlatformAccount created = new PlatformAccount(clock.instant());
    PlatformAccount raced = accounts.putIfAbsent(key, created);
    if (raced != null) return raced;
    metrics.account(key, this);
    return created;
  }
}
