package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.config.OperatorConfig;
import java.time.Duration;

/** When to look again: the configured intervals, the refresh stretched to the budget, and time scaling. */
public final class Intervals {
  private final OperatorConfig config;
  private final int dailyBudget;

  public Intervals(OperatorConfig config, int dailyBudget) {
    this.config = config;
    this.dailyBudget = dailyBudget;
  }

  /**
   * The refresh interval of healthy objects, stretched when the configured one would spend
   * more than half the daily budget on refreshes alone (one deep GET per refresh).
   */
  public Duration refresh() {
    Duration floor = Duration.ofDays(1).dividedBy(Math.max(1, dailyBudget / 2));
    return config.refreshInterval().compareTo(floor) >= 0 ? config.refreshInterval() : floor;
  }

  public Duration settling() { return config.settlingInterval(); }

  public Duration paused() { return config.pausedInterval(); }

  public Duration maxBackoff() { return config.maxBackoff(); }

  /** How often a connection's notifications are read (HEROKU_CONNECT_NOTIFICATIONS_INTERVAL); zero: never. */
  public Duration notifications() { return config.notificationsInterval(); }

  /** A delay in the operator's time as the scheduler's (real) time; see OperatorConfig#timeScale. */
  public Duration real(Duration d) {
    return config.timeScale() == 1.0 ? d : Duration.ofNanos((long) (d.toNanos() / config.timeScale()));
  }
}
