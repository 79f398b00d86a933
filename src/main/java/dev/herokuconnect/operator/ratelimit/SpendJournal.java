package dev.herokuconnect.operator.ratelimit;

import java.time.Instant;

/**
 * Where the budget records, before spending, how much it may have spent, so that a restarted
 * operator (which cannot know what the dead one sent after its last status write) never hands
 * out the day's budget twice. The operator writes it into the connection's status.
 */
public interface SpendJournal {
  /**
   * Durably records that at {@code asOf} {@code used} requests had gone out in the last 24 h and
   * that no more than {@code reserved} will have gone out before the next record. Throws if it
   * cannot be recorded; then nothing is sent.
   */
  void reserve(String key, int used, Instant asOf, int reserved);

  SpendJournal NONE = (key, used, asOf, reserved) -> {};
}
