package dev.herokuconnect.operator.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The budget's decisions without HTTP: the pool estimate, the reserve, a 429. */
class PlatformAccountTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aFullPoolLetsRequestsGoAndCountsThem() {
    PlatformAccount a = new PlatformAccount(T0);
    for (int i = 0; i < PlatformAccount.HOURLY_LIMIT - PlatformAccount.RESERVE; i++) assertNull(a.admit(T0), "request " + i);
    // the estimate alone (no header seen) reaches the reserve: stop until refilled to RESUME_AT (50 tokens at 1.25/s)
    assertEquals(T0.plusSeconds(40), a.admit(T0));
    assertEquals(new PlatformBudgetUsage(null, null, T0.plusSeconds(40)), a.usage(T0));
  }

  @Test
  void theHeaderAtTheReserveStopsUntilThePoolRefillsToTwiceTheReserve() {
    PlatformAccount a = new PlatformAccount(T0);
    assertNull(a.admit(T0));
    a.observe(T0, 200, PlatformAccount.RESERVE + 1, Duration.ZERO);
    assertNull(a.admit(T0), "51 left: one more may go");
    a.observe(T0, 200, PlatformAccount.RESERVE, Duration.ZERO);
    Instant until = T0.plus(PlatformAccount.refillTime(PlatformAccount.RESERVE, PlatformAccount.RESUME_AT));
    assertEquals(T0.plusSeconds(40), until, "50 tokens at 4,500/h");
    assertEquals(until, a.admit(T0.plusSeconds(39)));
    assertEquals(new PlatformBudgetUsage(PlatformAccount.RESERVE, T0, until), a.usage(T0.plusSeconds(1)));
    assertNull(a.admit(until), "refilled");
    assertNull(a.usage(until).throttledUntil());
  }

  @Test
  void aFourTwentyNineStopsForTheLongerOfRetryAfterAndTheRefill() {
    PlatformAccount a = new PlatformAccount(T0);
    a.observe(T0, 429, 0, Duration.ZERO);
    assertEquals(T0.plusSeconds(80), a.admit(T0), "no Retry-After: refill 0 -> 100 at 1.25/s");
    PlatformAccount b = new PlatformAccount(T0);
    b.observe(T0, 429, null, Duration.ofMinutes(5));
    assertEquals(T0.plusSeconds(300), b.admit(T0.plusSeconds(100)), "Retry-After longer than the refill wins");
    assertNull(b.admit(T0.plusSeconds(300)));
  }

  @Test
  void aHeaderResetsTheEstimateUpOrDown() {
    PlatformAccount a = new PlatformAccount(T0);
    a.observe(T0, 200, 60, Duration.ZERO); // someone else spent most of the pool
    for (int i = 0; i < 10; i++) assertNull(a.admit(T0));
    assertEquals(T0.plusSeconds(40), a.admit(T0), "60 - 10 sent = the reserve");
    a.observe(T0.plusSeconds(40), 200, 4000, Duration.ZERO);
    assertNull(a.admit(T0.plusSeconds(40)));
    assertEquals(4000, a.usage(T0.plusSeconds(40)).remaining());
  }

  @Test
  void anUnreadableHeaderLeavesTheEstimate() {
    assertNull(PlatformApi.remaining("lots"));
    assertNull(PlatformApi.remaining(null));
    assertEquals(12, PlatformApi.remaining(" 12 "));
    assertEquals(0, PlatformApi.remaining("-3"));
  }
}
