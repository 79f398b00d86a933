package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.reconciler.loop.StateTable.Requeue;
import java.time.Duration;

/**
 * Where one reconcile left an object, in kstatus terms, and when to look again.
 * {@link Kind#READY}: Ready=True. {@link Kind#PROGRESSING}: Reconciling=True.
 * {@link Kind#STALLED}: Stalled=True (a person must act). {@link Kind#IDLE}: none is True
 * (paused on purpose). {@link Kind#BLOCKED}: Reconciling=True, and Ready keeps its value
 * if the current generation was already Ready (a failed background refresh says nothing new).
 * When to look again is a policy ({@link Requeue}) or a fixed wait ({@code after}); the loop
 * turns a policy into a delay with the object's backoff. Neither means: only on change.
 */
public record Outcome(Kind kind, String reason, String message, Requeue requeue, Duration after) {
  public enum Kind { READY, PROGRESSING, STALLED, IDLE, BLOCKED }

  public static Outcome ready(String message, Requeue requeue) {
    return new Outcome(Kind.READY, Reasons.SYNCED, message, requeue, null);
  }

  public static Outcome progressing(String reason, String message, Duration after) {
    return new Outcome(Kind.PROGRESSING, reason, message, null, after);
  }

  public static Outcome progressing(String reason, String message, Requeue requeue) {
    return new Outcome(Kind.PROGRESSING, reason, message, requeue, null);
  }

  public static Outcome stalled(String reason, String message, Duration after) {
    return new Outcome(Kind.STALLED, reason, message, null, after);
  }

  public static Outcome stalled(String reason, String message, Requeue requeue) {
    return new Outcome(Kind.STALLED, reason, message, requeue, null);
  }

  public static Outcome idle(String reason, String message, Requeue requeue) {
    return new Outcome(Kind.IDLE, reason, message, requeue, null);
  }

  public static Outcome blocked(String reason, String message, Duration after) {
    return new Outcome(Kind.BLOCKED, reason, message, null, after);
  }

  public static Outcome blocked(String reason, String message, Requeue requeue) {
    return new Outcome(Kind.BLOCKED, reason, message, requeue, null);
  }
}
