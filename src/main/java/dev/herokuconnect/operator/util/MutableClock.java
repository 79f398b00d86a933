package dev.herokuconnect.operator.util;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that tests and the benchmark move by hand, shared by the fake API and the operator. */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> now;
  private volatile Duration tick = Duration.ZERO;

  public MutableClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  public void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  /** Each reading moves the clock on by {@code d}, as real time does between two calls: "read after that write" then means something. */
  public MutableClock ticking(Duration d) {
    this.tick = d;
    return this;
  }

  public void set(Instant t) {
    now.set(t);
  }

  @Override public Instant instant() { return tick.isZero() ? now.get() : now.getAndUpdate(t -> t.plus(tick)); }
  @Override public ZoneId getZone() { return ZoneOffset.UTC; }
  @Override public Clock withZone(ZoneId zone) { return this; }
}
