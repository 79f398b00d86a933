package dev.herokuconnect.operator.util;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that runs {@code rate} times faster than real time: the benchmark's simulated day. */
public final class ScaledClock extends Clock {
  private final Instant start;
  private final long startNanos = System.nanoTime();
  private final double rate;

  public ScaledClock(Instant start, double rate) {
    this.start = start;
    this.rate = rate;
  }

  public double rate() { return rate; }

  @Override
  public Instant instant() {
    return start.plusNanos((long) ((System.nanoTime() - startNanos) * rate));
  }

  @Override public ZoneId getZone() { return ZoneOffset.UTC; }
  @Override public Clock withZone(ZoneId zone) { return this; }
}
