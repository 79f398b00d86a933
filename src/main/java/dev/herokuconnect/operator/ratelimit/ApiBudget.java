package dev.herokuconnect.operator.ratelimit;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.RequestGate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process-wide API budget: one token bucket per connection (or "app:NAME" during
 * discovery), shared by every controller and command. Background refreshes may not take the
 * last fifth of the bucket, so spec changes, deletions and requested actions go first.
 * After a 429 nothing goes to that connection until the wait named by the API is over.
 */
public final class ApiBudget implements RequestGate {
  /** What status.rateLimit shows. */
  public record Usage(int dailyLimit, int used, int remaining, Instant throttledUntil) {}

  private final int dailyBudget;
  private final Clock clock;
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final ApiMetrics metrics;

  public ApiBudget(int dailyBudget, Clock clock, ApiMetrics metrics) {
    this.dailyBudget = dailyBudget;
    this.clock = clock;
    this.metrics = metrics;
  }

  public ApiBudget(int dailyBudget, Clock clock) {
    this(dailyBudget, clock, ApiMetrics.NONE);
  }

  public int dailyBudget() { return dailyBudget; }

  private final class Account {
    final TokenBucket bucket;
    final Deque<Instant> sent = new ArrayDeque<>(); // request times in the last 24 h
    Instant throttledUntil = Instant.MIN;

    Account(Instant now) {
      bucket = new TokenBucket(dailyBudget, now);
    }

    void prune(Instant now) {
      Instant cutoff = now.minus(Duration.ofDays(1));
      while (!sent.isEmpty() && !sent.peekFirst().isAfter(cutoff)) sent.removeFirst();
    }
  }

  private Account account(String key) {
    return accounts.computeIfAbsent(key, k -> new Account(clock.instant()));
  }

  @Override
  public void admit(String key, String endpoint, Priority priority) {
    Account a = account(key);
    synchronized (a) {
      Instant now = clock.instant();
      if (now.isBefore(a.throttledUntil)) {
        throw new ConnectApiException.Throttled(endpoint,
            "throttled by the API until " + a.throttledUntil + "; nothing is sent before then",
            Duration.between(now, a.throttledUntil), a.throttledUntil);
      }
      double floor = priority == Priority.USER ? 0 : Math.floor(a.bucket.capacity() / 5);
      if (!a.bucket.tryTake(now, floor)) {
        Instant at = a.bucket.whenAvailable(now, floor);
        throw new ConnectApiException.RateLimited(endpoint,
            "the operator's API budget for " + key + " (" + dailyBudget + " requests/24 h) is spent; next request at " + at,
            at);
      }
      a.prune(now);
      a.sent.addLast(now);
      metrics.tokensLeft(key, a.bucket.available(now));
    }
  }

  @Override
  public void completed(String key, String endpoint, int status) {
    metrics.request(endpoint, status);
  }

  @Override
  public void throttled(String key, ConnectApiException.Throttled t) {
    Account a = account(key);
    synchronized (a) {
      if (t.until().isAfter(a.throttledUntil)) a.throttledUntil = t.until();
    }
    metrics.throttled(key);
  }

  /** The figures for status.rateLimit. */
  public Usage usage(String key) {
    Account a = account(key);
    synchronized (a) {
      Instant now = clock.instant();
      a.prune(now);
      int used = a.sent.size();
      return new Usage(dailyBudget, used, Math.max(0, dailyBudget - used),
          now.isBefore(a.throttledUntil) ? a.throttledUntil : null);
    }
  }

  /**
   * Restores what an earlier run of the operator spent (from the connection's status), so a
   * restart cannot hand out the day's budget again. Only the first restore of a key counts.
   */
  public void restore(String key, int used, Instant usedAsOf, Instant throttledUntil) {
    Instant now = clock.instant();
    if (accounts.containsKey(key)) return;
    Account a = account(key);
    synchronized (a) {
      if (usedAsOf != null && usedAsOf.isAfter(now.minus(Duration.ofDays(1))) && used > 0) {
        a.bucket.spendAtLeast(used);
        for (int i = 0; i < used; i++) a.sent.addLast(usedAsOf); // conservative: all as late as possible
      }
      if (throttledUntil != null && throttledUntil.isAfter(now)) a.throttledUntil = throttledUntil;
    }
  }
}
