package dev.herokuconnect.operator.ratelimit;

import java.time.Instant;

/**
 * Where the budget records, before spending, how much it may have spent, so that a restarted
 * operator (which cannot know what the dead one sent after its last record) never hands out the
 * day's budget twice. The operator writes it into the status of every HerokuConnection that uses
 * the connection id.
 */
public interface SpendJournal {
  /**
   * Durably records the account as {@code record} says. Throws if it cannot be recorded; a
   * reservation that fails is not spent.
   */
  void record(String key, ApiBudget.Usage record);

  SpendJournal NONE = (key, record) -> {};
}
