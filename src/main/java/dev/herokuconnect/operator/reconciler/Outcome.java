package dev.herokuconnect.operator.reconciler;

import java.time.Duration;

/**
 * Where one reconcile left an object, in kstatus terms, and when to look again.
 * {@link Kind#READY}: Ready=True. {@link Kind#PROGRESSING}: Reconciling=True.
 * {@link Kind#STALLED}: Stalled=True (a person must act). {@link Kind#IDLE}: none is True
 * (paused on purpose). {@link Kind#BLOCKED}: Reconciling=True, and Ready keeps its value
 * if the current generation was already Ready (a failed background refresh says nothing new).
 */
public record Outcome(Kind kind, String reason, String message, Duration requeue) {
  public enum Kind { READY, PROGRESSING, STALLED, IDLE, BLOCKED }

  public static Outcome ready(String message, Duration requeue) {
    return new Outcome(Kind.READY, Reasons.SYNCED, message, requeue);
  }

  public static Outcome progressing(String reason, String message, Duration requeue) {
    return new Outcome(Kind.PROGRESSING, reason, message, requeue);
  }

  public static Outcome stalled(String reason, String message, Duration requeue) {
    return new Outcome(Kind.STALLED, reason, message, requeue);
  }

  public static Outcome idle(String reason, String message, Duration requeue) {
    return new Outcome(Kind.IDLE, reason, message, requeue);
  }

  public static Outcome blocked(String reason, String message, Duration requeue) {
    return new Outcome(Kind.BLOCKED, reason, message, requeue);
  }
}
