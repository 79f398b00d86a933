package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.reconciler.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.StateTable.Requeue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What to do about one HerokuMapping, decided from what was observed: pure functions, no HTTP,
 * no threads. {@link #plan} chooses the steps; {@link #outcome} says where the object stands once
 * they are done.
 */
public final class MappingDecisions {
  /** The steps, in the order they run. */
  public enum Step { ADOPT, CREATE, RECREATE, UPDATE, RELOAD, ABORT }

  /**
   * Everything a decision reads. {@code waiting} is set when the connection cannot be used yet;
   * {@code byId}/{@code byObject} are the remote mapping found by the id in status and by object
   * name; {@code drift} the differences of the found one from the spec.
   */
  public record Facts(
      String objectName, String recordedObjectName, String connectionName, String recordedConnectionName,
      long generation, Long refusedGeneration, boolean refusedSpec, String refusedInConnectionState,
      Management management, String conflictOwner, Outcome waiting,
      String knownMappingId, Mapping byId, Mapping byObject, List<String> drift, String connectionState,
      List<Request> requested) {

    Mapping remote() {
      return byId != null ? byId : byObject;
    }
  }

  /** The steps to take, or (when {@code stop} is set) no step and where the object stands. */
  public record Plan(List<Step> steps, Outcome stop) {
    static Plan stop(Outcome o) { return new Plan(List.of(), o); }
    static Plan of(List<Step> steps) { return new Plan(List.copyOf(steps), null); }
  }

  private MappingDecisions() {}

  public static Plan plan(Facts f) {
    if (f.recordedObjectName() != null && !f.recordedObjectName().equalsIgnoreCase(f.objectName())) {
      return Plan.stop(immutable("spec.objectName", f.recordedObjectName(), f.objectName()));
    }
    if (f.recordedConnectionName() != null && !f.recordedConnectionName().equals(f.connectionName())) {
      return Plan.stop(immutable("spec.connectionRef.name", f.recordedConnectionName(), f.connectionName()));
    }
    if (f.waiting() != null) return Plan.stop(f.waiting());
    if (f.conflictOwner() != null) {
      return Plan.stop(Outcome.stalled(Reasons.CONFLICT, "HerokuMapping " + f.conflictOwner() + " already owns the remote mapping of "
          + f.objectName() + " on this connection (it is older); this one sends no write and deletes nothing remote: delete one of the two",
          Requeue.SETTLING)); // costs no request; looks again soon in case the owner goes
    }
    Mapping remote = f.remote();
    List<Step> steps = new ArrayList<>();
    if (remote == null) {
      if (f.management().observeOnly()) {
        return Plan.stop(Outcome.progressing(Reasons.OBSERVING, "observe-only: no remote mapping of " + f.objectName()
            + " exists; switch " + Crds.RECONCILE_POLICY + " to manage to create it", Requeue.REFRESH));
      }
      Outcome blocked = cannotWrite(f);
      if (blocked != null) return Plan.stop(blocked);
      return Plan.of(List.of(f.knownMappingId() != null ? Step.RECREATE : Step.CREATE));
    }
    if (f.byId() == null) steps.add(Step.ADOPT);
    if (f.management().writes()) {
      if (!f.drift().isEmpty()) {
        Outcome blocked = cannotWrite(f);
        if (blocked != null) return new Plan(steps, blocked);
        steps.add(Step.UPDATE);
      }
      for (Request r : f.requested()) steps.add(r.action() == RequestedAction.RELOAD ? Step.RELOAD : Step.ABORT);
    }
    return Plan.of(steps);
  }

  /** Why a create or edit must not be sent now, or null. */
  private static Outcome cannotWrite(Facts f) {
    if (!StateTable.acceptsMappings(f.connectionState())) {
      return Outcome.progressing(Reasons.CONNECTION_NOT_READY, "the connection is " + f.connectionState()
          + ": mappings are created and edited once it is set up and authorized", Requeue.SETTLING);
    }
    boolean sameGeneration = f.refusedGeneration() != null && f.refusedGeneration() == f.generation();
    boolean sameKindOfState = f.refusedInConnectionState() == null
        || StateTable.CONNECTION.kind(f.refusedInConnectionState()) == StateTable.CONNECTION.kind(f.connectionState());
    if (f.refusedSpec() && sameGeneration && sameKindOfState) {
      // The API refused this generation in this connection state; asking again would only be refused again.
      return Outcome.stalled(Reasons.INVALID_SPEC, null, (java.time.Duration) null);
    }
    return null;
  }

  private static Outcome immutable(String field, String was, String now) {
    return Outcome.stalled(Reasons.INVALID_SPEC, field + " is immutable: it was '" + was + "' and is now '" + now
        + "'; nothing is written. Set it back, or create a new HerokuMapping for the new value", (java.time.Duration) null);
  }

  /** Where the object stands after the steps, from the remote mapping they left. */
  public static Outcome outcome(Facts f, Mapping remote, List<Step> done, List<String> drift) {
    if (done.contains(Step.RELOAD) || done.contains(Step.ABORT)) {
      return Outcome.progressing(Reasons.PROGRESSING, "action requested; waiting for the new state", Requeue.ACTIVE);
    }
    if (f.management().observeOnly() && !drift.isEmpty()) {
      return Outcome.progressing(Reasons.OBSERVING, "observe-only: " + drift.size()
          + " difference(s) between spec and the remote mapping, see status.drift", Requeue.REFRESH);
    }
    String state = remote.state();
    String described = state + (remote.stateDescription() == null ? "" : " (" + remote.stateDescription() + ")");
    StateTable.Entry e = StateTable.MAPPING.of(state);
    return switch (e.kind()) {
      case HEALTHY -> Outcome.ready("the mapping is " + described, e.requeue());
      case ERROR -> Outcome.stalled(e.reason(), "the mapping is in the error state " + described + ": " + e.advice(), e.requeue());
      case ABORTED -> Outcome.stalled(e.reason(), "the mapping is " + described + ": " + e.advice(), e.requeue());
      default -> Outcome.progressing(e.reason(), "the mapping is " + described, e.requeue());
    };
  }

  static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
