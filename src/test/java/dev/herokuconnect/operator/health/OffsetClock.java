package dev.herokuconnect.operator.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Real time plus an offset a test can move forward: the operator and the fake Connect API keep
 * running at normal speed, and a jump makes every time the fake reported look that much older
 * (a Salesforce poll that stopped, as seen by the operator's metrics).
 */
public final class OffsetClock extends Clock {
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  public void jump(Duration d) {
    offset.updateAndGet(o -> o.plus(d));
  }

  @Override public Instant instant() { return Instant.now().plus(offset.get()); }
  @Override public ZoneId getZone() { return ZoneOffset.UTC; }
  @Override public Clock withZone(ZoneId zone) { return this; }
}
