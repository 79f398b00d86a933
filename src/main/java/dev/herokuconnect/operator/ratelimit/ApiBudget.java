package dev.herokuconnect.operator.ratelimit;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.RequestGate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The process-wide API budget: one token bucket per connection (or "app:NAME" during
 * discovery), shared by every controller and command. Background refreshes may not take the
 * last fifth of the bucket, so spec changes, deletions and requested actions go first.
 * After a 429 nothing goes to that connection until the wait named by the API is over.
 *
 * <p>Spending is recorded ahead in blocks through the {@link SpendJournal}; the record is
 * written outside the account's lock, so a request never waits on the journal's storage while
 * another holds the lock: a request the durable record does not cover yet is refused for a
 * moment instead.
 */
public final class ApiBudget implements RequestGate {
  /**
   * What status.rateLimit shows. {@code used} as of {@code usedAsOf}; {@code reserved} is what
   * the journal holds (≥ used); {@code remaining} never more than the bucket can give now.
   */
  public record Usage(int dailyLimit, int used, int remaining, Instant throttledUntil, int reserved, Instant usedAsOf) {}

  private final int dailyBudget;
  private final Clock clock;
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final ApiMetrics metrics;
  private final int reservationBlock;
  private volatile SpendJournal journal = SpendJournal.NONE;
  private volatile Consumer<String> onThrottled = key -> {};

  public ApiBudget(int dailyBudget, Clock clock, ApiMetrics metrics) {
    this.dailyBudget = dailyBudget;
    this.clock = clock;
    this.metrics = metrics;
    this.reservationBlock = Math.max(1, Math.min(dailyBudget / 20, TokenBucket.burstFor(dailyBudget) / 2));
  }

  public ApiBudget(int dailyBudget, Clock clock) {
    this(dailyBudget, clock, ApiMetrics.NONE);
  }

  /** Records spending ahead in blocks (see {@link SpendJournal}). */
  public void useJournal(SpendJournal j) {
    this.journal = j;
  }

  /** Told the key of every connection that gets a 429, so it can be shown at once. */
  public void onThrottled(Consumer<String> listener) {
    this.onThrottled = listener;
  }

  public int dailyBudget() { return dailyBudget; }

  private final class Account {
    final TokenBucket bucket;
    final Deque<Instant> sent = new ArrayDeque<>(); // request times in the last 24 h
    Instant throttledUntil = Instant.MIN;
    int durable; // the journal allows this many in the window before it must record again
    boolean recording; // a record is being written
    boolean restored;
    boolean released; // the objects that used this key are gone: drop the account once its window holds nothing
    boolean dropped; // removed from the map: a caller holding it looks it up again

    Account(Instant now) {
      bucket = new TokenBucket(dailyBudget, now);
    }

    void prune(Instant now) {
      Instant cutoff = now.minus(Duration.ofDays(1));
      while (!sent.isEmpty() && !sent.peekFirst().isAfter(cutoff)) sent.removeFirst();
    }

    Usage usage(Instant now, int reserved) {
      prune(now);
      int used = sent.size();
      int remaining = now.isBefore(throttledUntil) ? 0  // nothing can go before the 429's wait is over
          : (int) Math.max(0, Math.min(dailyBudget - used, Math.floor(bucket.available(now))));
      return new Usage(dailyBudget, used, remaining, now.isBefore(throttledUntil) ? throttledUntil : null,
          Math.max(reserved, used), now);
    }
  }

  /** The account of a key in use (a released one is kept again). */
  private Account account(String key) {
    while (true) {
      Account a = accounts.computeIfAbsent(key, k -> new Account(clock.instant()));
      synchronized (a) {
        if (!a.dropped) {
          a.released = false;
          return a;
        }
      }
    }
  }

  /** How often released accounts are looked at again (their windows empty over 24 hours). */
  private static final Duration SWEEP_EVERY = Duration.ofHours(1);
  private volatile Instant nextSweep = Instant.MIN;

  /**
   * Nothing uses {@code key} any more (its HerokuConnection was deleted). An account whose
   * 24-hour window holds no spend and no 429 wait is dropped now; one that does is kept until
   * its window empties, so a connection deleted and created again the same day still respects
   * the day's spend. Using the key again keeps the account as it was.
   */
  public void release(String key) {
    Account a = accounts.get(key);
    if (a == null) return;
    synchronized (a) {
      a.released = true;
    }
    sweep(clock.instant());
  }

  private void sweepNowAndThen(Instant now) {
    if (now.isBefore(nextSweep)) return;
    nextSweep = now.plus(SWEEP_EVERY);
    sweep(now);
  }

  /** Drops every released account whose window holds no spend (and no 429 wait, no record being written). */
  private void sweep(Instant now) {
    for (var e : List.copyOf(accounts.entrySet())) {
      Account a = e.getValue();
      synchronized (a) {
        if (!a.released || a.recording) continue;
        a.prune(now);
        if (!a.sent.isEmpty() || now.isBefore(a.throttledUntil)) continue;
        a.dropped = true;
        accounts.remove(e.getKey(), a);
      }
    }
  }

  @Override
  public void admit(String key, String endpoint, Priority priority) {
    Account a = account(key);
    Usage record = null;
    boolean covered;
    Instant now;
    synchronized (a) {
      now = clock.instant();
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
      int after = a.sent.size() + 1;
      covered = after <= a.durable;
      if (!covered && a.recording) {
        a.bucket.giveBack();
        throw new ConnectApiException.RateLimited(endpoint, "recording the API spend for " + key
            + " before sending; trying again in a moment", now.plusSeconds(1));
      }
      if (!a.recording && after > a.durable - reservationBlock / 2) { // record the next block before it is needed
        a.recording = true;
        record = a.usage(now, a.sent.size() + reservationBlock);
      }
      if (covered) a.sent.addLast(now);
    }
    if (record != null) writeRecord(key, a, record, covered, endpoint, now);
    metrics.tokensLeft(key, tokensLeft(a));
    sweepNowAndThen(now);
  }

  private void writeRecord(String key, Account a, Usage record, boolean covered, String endpoint, Instant now) {
    try {
      journal.record(key, record);
    } catch (RuntimeException e) {
      synchronized (a) {
        a.recording = false;
        if (!covered) a.bucket.giveBack();
      }
      if (covered) return; // this request was covered by the previous record; the next one tries again
      throw new ConnectApiException.RateLimited(endpoint, "cannot record the API spend for " + key
          + " before sending (" + e.getMessage() + "); trying again shortly", now.plusSeconds(5));
    }
    synchronized (a) {
      a.recording = false;
      a.durable = Math.max(a.durable, record.reserved());
      if (!covered) a.sent.addLast(now);
    }
  }

  private double tokensLeft(Account a) {
    synchronized (a) {
      return a.bucket.available(clock.instant());
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
    onThrottled.accept(key);
  }

  /** When nothing may go to {@code key} before a 429's wait is over, that time; else null. */
  public Instant throttledUntil(String key) {
    Account a = accounts.get(key);
    if (a == null) return null;
    synchronized (a) {
      return clock.instant().isBefore(a.throttledUntil) ? a.throttledUntil : null;
    }
  }

  /** The figures for status.rateLimit; all zero for a key this process has neither restored nor spent. */
  public Usage usage(String key) {
    Account a = accounts.get(key);
    Instant now = clock.instant();
    if (a == null) return new Usage(dailyBudget, 0, TokenBucket.burstFor(dailyBudget), null, 0, now);
    synchronized (a) {
      return a.usage(now, a.durable);
    }
  }

  /** How many accounts (keys) this process holds. */
  public int accountsHeld() {
    return accounts.size();
  }

  /** The keys whose accounts this process holds. */
  public java.util.Set<String> accountKeys() {
    return java.util.Set.copyOf(accounts.keySet());
  }

  /** True once this process restored or spent on {@code key}. */
  public boolean knows(String key) {
    return accounts.containsKey(key);
  }

  /**
   * Restores what an earlier run of the operator spent (from the connection's status), so a
   * restart cannot hand out the day's budget again: {@code used} as of {@code usedAsOf}, and
   * the part of {@code reserved} beyond it as if spent just now (the dead process may have sent
   * it after its last record). Only the first restore of a key counts, and only into an account
   * this process has not spent from: once it has, the record in status is its own.
   */
  public void restore(String key, int used, Instant usedAsOf, int reserved, Instant throttledUntil) {
    Account a = account(key);
    synchronized (a) {
      if (a.restored) return;
      a.restored = true;
      if (a.durable > 0 || !a.sent.isEmpty()) return;
      Instant now = clock.instant();
      boolean recent = usedAsOf != null && usedAsOf.isAfter(now.minus(Duration.ofDays(1)));
      int before = recent ? Math.max(0, used) : 0;
      int maybeAfter = recent ? Math.max(0, reserved - used) : 0;
      for (int i = 0; i < before; i++) a.sent.addLast(usedAsOf);
      for (int i = 0; i < maybeAfter; i++) a.sent.addLast(now);
      a.bucket.spendAtLeast(a.sent.size());
      a.durable = before + maybeAfter;
      if (throttledUntil != null && throttledUntil.isAfter(a.throttledUntil)) a.throttledUntil = throttledUntil;
    }
  }

  /**
   * Records the true spend of every key (a graceful stop), so the next process does not count
   * the unused part of the last reservation as spent.
   */
  public void recordAll() {
    for (var e : List.copyOf(accounts.entrySet())) {
      Account a = e.getValue();
      Usage u;
      int before;
      synchronized (a) {
        if (a.recording || a.durable == 0) continue;
        u = a.usage(clock.instant(), 0);
        before = a.durable;
        a.durable = u.reserved(); // from now on every request needs a new record, which waits for this one
        a.recording = true;
      }
      try {
        journal.record(e.getKey(), u);
      } catch (RuntimeException failed) {
        synchronized (a) {
          a.durable = Math.max(a.durable, before); // the reservation on record stays: more conservative, never less
        }
      } finally {
        synchronized (a) {
          a.recording = false;
        }
      }
    }
  }
}
