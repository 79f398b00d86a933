package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Writes the Ready / Reconciling / Stalled trio (kstatus) from an {@link Outcome}. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String TRUE = "True";
  public static final String FALSE = "False";

  private Conditions() {}

  public static void apply(ConditionedStatus status, long generation, Outcome o, Instant now) {
    boolean keepReady = o.kind() == Outcome.Kind.BLOCKED
        && find(status, READY).filter(c -> TRUE.equals(c.getStatus())
            && Long.valueOf(generation).equals(c.getObservedGeneration())).isPresent();
    if (!keepReady) {
      boolean ready = o.kind() == Outcome.Kind.READY;
      set(status, READY, ready, o.reason(), o.message(), generation, now);
    }
    boolean reconciling = o.kind() == Outcome.Kind.PROGRESSING || o.kind() == Outcome.Kind.BLOCKED;
    set(status, RECONCILING, reconciling, o.reason(), reconciling ? o.message() : "", generation, now);
    boolean stalled = o.kind() == Outcome.Kind.STALLED;
    set(status, STALLED, stalled, o.reason(), stalled ? o.message() : "", generation, now);
    status.setObservedGeneration(generation);
  }

  public static Optional<Condition> find(ConditionedStatus status, String type) {
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when condition {@code type} is True with {@code reason}. */
  public static boolean isTrueWith(ConditionedStatus status, String type, String reason) {
    return status != null && find(status, type).map(c -> TRUE.equals(c.getStatus()) && reason.equals(c.getReason())).orElse(false);
  }

  public static boolean isTrue(ConditionedStatus status, String type) {
    return status != null && find(status, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  private static void set(ConditionedStatus status, String type, boolean value, String reason, String message,
                          long generation, Instant now) {
    String s = value ? TRUE : FALSE;
    List<Condition> conditions = new ArrayList<>(status.getConditions());
    Condition existing = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String since = existing != null && s.equals(existing.getStatus()) && existing.getLastTransitionTime() != null
        ? existing.getLastTransitionTime() : now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    Condition c = new Condition(since, message == null ? "" : message, generation, reason, s, type);
    if (existing != null) conditions.set(conditions.indexOf(existing), c);
    else conditions.add(c);
    conditions.sort((a, b) -> order(a.getType()) - order(b.getType()));
    status.setConditions(conditions);
  }

  private static int order(String type) {
    return switch (type) {
      case READY -> 0;
      case RECONCILING -> 1;
      case STALLED -> 2;
      default -> 3;
    };
  }
}
