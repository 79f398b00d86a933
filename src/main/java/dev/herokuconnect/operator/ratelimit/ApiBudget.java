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
  /** What status.rateLimit shows; {@code reserved} is what the journal holds (≥ used). */
  public record Usage(int dailyLimit, int used, int remaining, Instant throttledUntil, int reserved) {}

  private final int dailyBudget;
  private final Clock clock;
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final ApiMetrics metrics;
  private final int reservationBlock;
  private volatile SpendJournal journal = SpendJournal.NONE;

  public ApiBudget(int dailyBudget, Clock clock, ApiMetrics metrics) {
    this.dailyBudget = dailyBudget;
    this.clock = clock;
    this.metrics = metrics;
    this.reservationBlock = Math.max(1, Math.min(dailyBudget / 20, TokenBucket.burstFor(dailyBudget) / 2));
  }

  /** Records spending ahead in blocks (see {@link SpendJournal}). */
  public void useJournal(SpendJournal j) {
    this.journal = j;
  }

  public ApiBudget(int dailyBudget, Clock clock) {
    this(dailyBudget, clock, ApiMetrics.NONE);
  }

  public int dailyBudget() { return dailyBudget; }

  private final class Account {
    final TokenBucket bucket;
    final Deque<Instant> sent = new ArrayDeque<>(); // request times in the last 24 h
    Instant throttledUntil = Instant.MIN;
    int reserved; // the journal allows this many in the window before it must record again

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
      if (a.sent.size() + 1 > a.reserved) {
        int reserve = a.sent.size() + reservationBlock;
        try {
          journal.reserve(key, a.sent.size(), now, reserve);
        } catch (RuntimeException e) {
          a.bucket.giveBack();
          throw new ConnectApiException.RateLimited(endpoint, "cannot record the API spend for " + key
              + " before sending (" + e.getMessage() + "); trying again shortly", now.plusSeconds(5));
        }
        a.reserved = reserve;
      }
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
          now.isBefore(a.throttledUntil) ? a.throttledUntil : null, Math.max(a.reserved, used));
    }
  }

  /**
   * Restores what an earlier run of the operator spent (from the connection's status), so a
   * restart cannot hand out the day's budget again: {@code used} as of {@code usedAsOf}, and
   * the part of {@code reserved} beyond it as if spent just now (the dead process may have sent
   * it after its last record). Only the first restore of a key counts.
   */
  public void restore(String key, int used, Instant usedAsOf, int reserved, Instant throttledUntil) {
    Instant now = clock.instant();
    if (accounts.containsKey(key)) return;
    Account a = account(key);
    synchronized (a) {
      boolean recent = usedAsOf != null && usedAsOf.isAfter(now.minus(Duration.ofDays(1)));
      int before = recent ? Math.max(0, used) : 0;
      int maybeAfter = recent ? Math.max(0, reserved - used) : 0;
      for (int i = 0; i < before; i++) a.sent.addLast(usedAsOf);
      for (int i = 0; i < maybeAfter; i++) a.sent.addLast(now);
      a.bucket.spendAtLeast(before + maybeAfter);
      a.reserved = before + maybeAfter;
      if (throttledUntil != null && throttledUntil.isAfter(now)) a.throttledUntil = throttledUntil;
    }
  }
}
