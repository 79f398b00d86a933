package dev.herokuconnect.operator.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiBudgetTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The most requests in any 24-hour window of {@code times} (sorted). */
  static int maxInAnyDay(List<Instant> times) {
    Deque<Instant> window = new ArrayDeque<>();
    int max = 0;
    for (Instant t : times) {
      window.addLast(t);
      while (!window.peekFirst().isAfter(t.minus(Duration.ofDays(1)))) window.removeFirst();
      max = Math.max(max, window.size());
    }
    return max;
  }

  /** Asks every {@code step} for {@code days}; returns when requests were let through. */
  static List<Instant> greedy(ApiBudget budget, MutableClock clock, String key, Priority p, Duration step, int days) {
    List<Instant> sent = new ArrayList<>();
    Instant end = clock.instant().plus(Duration.ofDays(days));
    while (clock.instant().isBefore(end)) {
      try {
        budget.admit(key, "GET /x", p);
        sent.add(clock.instant());
      } catch (ConnectApiException.RateLimited limited) {
        assertTrue(limited.retryAt().isAfter(clock.instant()), "names a future time");
      }
      clock.advance(step);
    }
    return sent;
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 4500})
  void noDayEverSeesMoreThanTheBudgetEvenWithABurstAtTheStart(int daily) {
    MutableClock clock = new MutableClock(T0);
    ApiBudget budget = new ApiBudget(daily, clock);
    List<Instant> sent = greedy(budget, clock, "c1", Priority.USER, Duration.ofSeconds(2), 3);
    int max = maxInAnyDay(sent);
    assertTrue(max <= daily, "max in 24 h " + max + " > " + daily);
    assertTrue(max >= daily * 0.95, "and the budget is usable: " + max);
    ApiBudget fresh = new ApiBudget(daily, new MutableClock(T0));
    int burst = 0;
    try {
      while (true) {
        fresh.admit("c1", "GET", Priority.USER);
        burst++;
      }
    } catch (ConnectApiException.RateLimited e) {
      assertEquals(TokenBucket.burstFor(daily), burst, "a burst at once is the bucket's capacity, a quarter of the day");
    }
  }

  @Test
  void backgroundRefreshesSlowDownFirst() {
    MutableClock clock = new MutableClock(T0);
    ApiBudget budget = new ApiBudget(200, clock); // capacity 50, floor for background 10
    int background = 0;
    while (true) {
      try {
        budget.admit("c1", "GET", Priority.BACKGROUND);
        background++;
      } catch (ConnectApiException.RateLimited e) {
        break;
      }
    }
    assertEquals(40, background, "background stops at the last fifth");
    for (int i = 0; i < 10; i++) budget.admit("c1", "PUT", Priority.USER); // a person's change still goes
    assertThrows(ConnectApiException.RateLimited.class, () -> budget.admit("c1", "PUT", Priority.USER));
  }

  @Test
  void anEmptyBucketAnswersAtOnceWithTheTimeOfTheNextToken() {
    MutableClock clock = new MutableClock(T0);
    ApiBudget budget = new ApiBudget(200, clock);
    for (int i = 0; i < 50; i++) budget.admit("c1", "GET", Priority.USER);
    long start = System.nanoTime();
    ConnectApiException.RateLimited e = assertThrows(ConnectApiException.RateLimited.class, () -> budget.admit("c1", "GET", Priority.USER));
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "never blocks");
    Duration wait = Duration.between(clock.instant(), e.retryAt());
    assertTrue(wait.toSeconds() > 500 && wait.toSeconds() < 700, "150/day refill: one token in ~576 s, got " + wait);
    clock.set(e.retryAt());
    budget.admit("c1", "GET", Priority.USER);
    assertEquals(51, budget.usage("c1").used(), "accurate to the call");
    // 149 of the day's 200 are unspent, but the bucket can give none now: remaining says what can go now.
    assertEquals(0, budget.usage("c1").remaining());
    clock.advance(Duration.ofSeconds(576 * 3));
    assertEquals(3, budget.usage("c1").remaining());
  }

  @Test
  void after429NothingGoesToThatConnectionUntilTheNamedTime() {
    MutableClock clock = new MutableClock(T0);
    ApiBudget budget = new ApiBudget(4500, clock);
    Instant until = T0.plus(Duration.ofHours(20));
    budget.throttled("c1", new ConnectApiException.Throttled("GET", "429", Duration.ofHours(20), until));
    assertThrows(ConnectApiException.Throttled.class, () -> budget.admit("c1", "GET", Priority.USER));
    budget.admit("c2", "GET", Priority.USER); // other connections are not affected
    assertEquals(until, budget.usage("c1").throttledUntil());
    assertEquals(0, budget.usage("c1").remaining(), "nothing can be sent before then");
    clock.set(until);
    budget.admit("c1", "GET", Priority.USER);
  }

  @Test
  void restartsCannotMultiplyTheBudgetEvenWhenTheLastSpendWasNeverRecordedAfterwards() {
    MutableClock clock = new MutableClock(T0);
    int daily = 200;
    List<Instant> sent = new ArrayList<>();
    int[] record = new int[3]; // used, reserved, asOf-epoch-second
    for (int run = 0; run < 6; run++) {
      ApiBudget budget = new ApiBudget(daily, clock);
      budget.useJournal((key, u) -> {
        record[0] = u.used();
        record[1] = u.reserved();
        record[2] = (int) u.usedAsOf().getEpochSecond();
      });
      if (run > 0) budget.restore("c1", record[0], Instant.ofEpochSecond(record[2]), record[1], null);
      // The process spends greedily for 4 hours, then dies: only the journal survives.
      sent.addAll(greedy(budget, clock, "c1", Priority.USER, Duration.ofSeconds(1), 0));
      Instant end = clock.instant().plus(Duration.ofHours(4));
      while (clock.instant().isBefore(end)) {
        try {
          budget.admit("c1", "GET", Priority.USER);
          sent.add(clock.instant());
        } catch (ConnectApiException.RateLimited ignored) {
          // wait for a token
        }
        clock.advance(Duration.ofSeconds(5));
      }
    }
    int max = maxInAnyDay(sent);
    assertTrue(max <= daily, "six processes in one day sent at most the budget: " + max);
  }

  @Test
  void aJournalThatCannotRecordStopsSpending() {
    MutableClock clock = new MutableClock(T0);
    ApiBudget budget = new ApiBudget(200, clock);
    budget.useJournal((key, u) -> { throw new IllegalStateException("kubernetes unavailable"); });
    ConnectApiException.RateLimited e = assertThrows(ConnectApiException.RateLimited.class, () -> budget.admit("c1", "GET", Priority.USER));
    assertTrue(e.getMessage().contains("kubernetes unavailable"));
    assertEquals(0, budget.usage("c1").used());
  }

  @Test
  void aReleasedAccountIsKeptWhileItsWindowHoldsSpendAndDroppedWhenItEmpties() {
    MutableClock clock = new MutableClock(T0);
    ApiBudget budget = new ApiBudget(200, clock);
    for (int i = 0; i < 30; i++) budget.admit("c1", "GET", Priority.USER);
    budget.release("c1"); // its HerokuConnection is deleted
    assertTrue(budget.knows("c1"), "the day's spend is kept");
    assertEquals(1, budget.accountsHeld());
    // Created again the same day: it spends from what is left, not from a fresh day.
    clock.advance(Duration.ofHours(1));
    for (int i = 0; i < 20; i++) budget.admit("c1", "GET", Priority.USER);
    assertEquals(50, budget.usage("c1").used());
    budget.release("c1"); // deleted again
    clock.advance(Duration.ofHours(23).plusSeconds(1)); // the first 30 left the window, the last 20 not yet
    budget.admit("c2", "GET", Priority.USER); // any use of the budget looks at released accounts now and then
    assertTrue(budget.knows("c1"), "20 requests still in the window");
    assertEquals(20, budget.usage("c1").used());
    clock.advance(Duration.ofHours(1));
    budget.admit("c2", "GET", Priority.USER);
    assertFalse(budget.knows("c1"), "dropped once its window holds no spend");
    assertEquals(java.util.Set.of("c2"), budget.accountKeys());
  }

  @Test
  void aReleasedAccountWithoutSpendGoesAtOnceButA429WaitIsKept() {
    MutableClock clock = new MutableClock(T0);
    ApiBudget budget = new ApiBudget(200, clock);
    budget.restore("c1", 7, T0.minus(Duration.ofDays(2)), 9, null); // known from status, nothing spent in the window
    budget.release("c1");
    assertFalse(budget.knows("c1"), "an account with no spend in its window is dropped");
    Instant until = T0.plus(Duration.ofHours(3));
    budget.throttled("c3", new ConnectApiException.Throttled("GET", "429", Duration.ofHours(3), until));
    budget.release("c3");
    assertTrue(budget.knows("c3"), "the wait a 429 named is kept");
    clock.set(until.plus(SWEEP));
    budget.admit("c2", "GET", Priority.USER);
    assertFalse(budget.knows("c3"), "dropped once the wait is over");
    assertEquals(1, budget.accountsHeld());
  }

  /** Longer than the budget's interval between looks at released accounts. */
  static final Duration SWEEP = Duration.ofHours(1).plusSeconds(1);
}
