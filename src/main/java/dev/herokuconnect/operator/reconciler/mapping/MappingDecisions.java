package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingSpec;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Decision;
import dev.herokuconnect.operator.reconciler.loop.PlannedStep;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.StateTable.Requeue;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import java.util.ArrayList;
import java.util.List;

/**
 * What to do about one HerokuMapping, decided from what was observed: pure functions, no HTTP,
 * no threads. {@link #plan} chooses the steps; {@link #outcome} says where the object stands once
 * they are done.
 */
public final class MappingDecisions {
  /**
   * The steps, in the order they run. {@code SEND_REQUESTED}: send the requested actions (reload,
   * abort); {@code VALIDATE}: read the mapping's validations (validate-requested-at). Requests made
   * while observe-only never reach here: the loop marks them handled as skipped
   * ({@link RequestedAction#skippedWhileObserving}).
   */
  public enum Step implements PlannedStep {
    ADOPT, CREATE, RECREATE, UPDATE, SEND_REQUESTED, VALIDATE;

    /** Whether the step changes the remote mapping (an adoption only records its id). */
    @Override
    public boolean writes() {
      return switch (this) {
        case ADOPT, VALIDATE -> false; // VALIDATE reads
        case CREATE, RECREATE, UPDATE, SEND_REQUESTED -> true;
      };
    }
  }

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
  public record Plan(List<Step> steps, Outcome stop) implements Decision<Step> {
    static Plan stop(Outcome o) { return new Plan(List.of(), o); }
    static Plan of(List<Step> steps) { return new Plan(List.copyOf(steps), null); }
  }

  private MappingDecisions() {}

  /**
   * The one facts builder, pure: the operator's sync and {@code plan} both call it with what they
   * observed (the remote mapping found by the bound id, else by object name, and the connection's
   * state), so they decide from the same facts. {@code conflictOwner} and {@code waiting} are what
   * the cluster says (plan, reading manifests, has neither).
   */
  public static Facts facts(HerokuMapping m, HerokuMappingStatus status, Management management, String conflictOwner,
                            Outcome waiting, Connection observed) {
    HerokuMappingSpec spec = m.getSpec();
    Mapping byId = observed == null ? null : observed.mappingById(status.getMappingId()).orElse(null);
    Mapping byObject = observed == null || byId != null ? null : observed.mappingByObject(Binding.of(m).objectName()).orElse(null);
    Mapping found = byId != null ? byId : byObject;
    List<String> drift = found == null ? List.of()
        : MappingConfigs.differences(spec, found.config() == null ? new MappingConfig() : found.config());
    long generation = m.getMetadata().getGeneration() == null ? 1 : m.getMetadata().getGeneration();
    return new Facts(spec.getObjectName(), status.getObjectName(), spec.getConnectionRef().getName(), status.getConnectionName(),
        generation, status.getObservedGeneration(), Conditions.isTrueWith(status, Conditions.STALLED, Reasons.INVALID_SPEC),
        status.getRefusedInConnectionState(), management, conflictOwner, waiting, status.getMappingId(), byId, byObject, drift,
        observed == null ? null : observed.state(), RequestedAction.pendingOf(m, status, RequestedAction.MAPPING_ACTIONS));
  }

  public static Plan plan(Facts f) {
    if (f.recordedObjectName() != null && !Binding.objectKey(f.recordedObjectName()).equals(Binding.objectKey(f.objectName()))) {
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
      if (!actionsToSend(f).isEmpty()) steps.add(Step.SEND_REQUESTED);
      if (validation(f) != null) steps.add(Step.VALIDATE);
    }
    return Plan.of(steps);
  }

  /** The requested actions {@code SEND_REQUESTED} sends (reload, abort): all but a validation, which is its own step. */
  public static List<Request> actionsToSend(Facts f) {
    return f.requested().stream().filter(r -> r.action() != RequestedAction.VALIDATE).toList();
  }

  /** The validation asked for and not handled yet, or null. */
  public static Request validation(Facts f) {
    return f.requested().stream().filter(r -> r.action() == RequestedAction.VALIDATE).findFirst().orElse(null);
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
    if (done.contains(Step.SEND_REQUESTED)) {
      return Outcome.progressing(Reasons.PROGRESSING, "action requested; waiting for the new state", Requeue.ACTIVE);
    }
    if (f.management().observeOnly() && !drift.isEmpty()) {
      return Outcome.progressing(Reasons.OBSERVING, "observe-only: " + drift.size()
          + " difference(s) between spec and the remote mapping, see status.drift", Requeue.REFRESH);
    }
    if (StateTable.CONNECTION.kind(f.connectionState()) == StateTable.Kind.ERROR) {
      // the mapping's own state is as old as the connection's trouble: nothing syncs until the connection recovers
      StateTable.Entry c = StateTable.CONNECTION.of(f.connectionState());
      return Outcome.stalled(Reasons.CONNECTION_NOT_READY, "HerokuConnection " + f.connectionName() + " is in the error state "
          + f.connectionState() + ": nothing syncs until it recovers (" + c.advice() + "); the mapping shows " + remote.state(),
          c.requeue());
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

  /**
   * Everything a deletion reads, from the object's {@link Binding} (never the spec):
   * {@code connectionProblem} is why its HerokuConnection cannot be used now (null when it can);
   * {@code conflictOwner}/{@code nextOwner} are the older owner and the next claimant of the same
   * remote mapping, when there are.
   */
  public record DeletionFacts(String objectName, Management management, String mappingId, String connectionName,
                              boolean connectionExists, boolean connectionResolved, boolean addonNotFound,
                              String connectionProblem, String boundAddon, String connectionAddon, boolean connectionOwnsAddon,
                              String conflictOwner, String nextOwner) {
    /** The connection now stands for another add-on than the one this mapping was bound to. */
    boolean addonChanged() {
      return boundAddon != null && connectionAddon != null && !boundAddon.equals(connectionAddon);
    }
  }

  /** What deleting a HerokuMapping does: only {@link #DELETE_REMOTE} sends a request, and only {@link #WAIT} keeps the finalizer. */
  public enum DeletionStep { ORPHAN, NOTHING_REMOTE, ADDON_GONE, ADDON_CHANGED, WAIT, RELEASE, HAND_OVER, DELETE_REMOTE }

  /** The step and the Event that reports it (none for DELETE_REMOTE: the delete's result decides it). */
  public record Deletion(DeletionStep step, Events.Note event) implements Cleanup.Verdict<DeletionStep> {
    /** Only DELETE_REMOTE sends a request; only WAIT keeps the finalizer without one. */
    @Override
    public Cleanup.Finish finish() {
      return switch (step) {
        case ORPHAN, NOTHING_REMOTE, ADDON_GONE, ADDON_CHANGED, RELEASE, HAND_OVER -> Cleanup.Finish.DONE;
        case WAIT -> Cleanup.Finish.RETRY;
        case DELETE_REMOTE -> Cleanup.Finish.ACT;
      };
    }
  }

  /**
   * Delete removes the remote mapping; Orphan and observe-only leave it, and so does an object that
   * does not own it (another claimant owns it, or takes it over). With nothing remote that could be
   * this object's, the finalizer goes at once.
   */
  public static Deletion deletion(DeletionFacts f) {
    String object = f.objectName();
    if (!f.management().deletesRemote()) {
      return new Deletion(DeletionStep.ORPHAN, Events.Note.normal("Orphaned", "left the remote mapping of " + object + " in place ("
          + f.management().why() + ")"));
    }
    if (f.mappingId() == null && !f.connectionResolved()) {
      return new Deletion(DeletionStep.NOTHING_REMOTE, null); // it never reached the API: nothing remote is this object's
    }
    if (f.addonNotFound()) {
      return new Deletion(DeletionStep.ADDON_GONE, Events.Note.warning("NotDeleted", addonGone(f.connectionName(), object,
          f.mappingId(), f.boundAddon())));
    }
    if (f.addonChanged()) { // never follow the connection to another add-on: what is deleted there is not this object's
      return new Deletion(DeletionStep.ADDON_CHANGED, Events.Note.warning("NotDeleted", addonChanged(f.connectionName(),
          f.boundAddon(), f.connectionAddon()) + "; the finalizer is released without deleting anything: "
          + mayRemain(object, f.mappingId(), f.boundAddon())));
    }
    if (f.connectionProblem() != null) {
      return new Deletion(DeletionStep.WAIT, Events.Note.warning("DeleteWaiting", "cannot delete the remote mapping of " + object
          + " yet: " + f.connectionProblem()));
    }
    if (!f.connectionOwnsAddon()) {
      return new Deletion(DeletionStep.NOTHING_REMOTE, null); // its connection never owned the add-on: nothing remote is this object's
    }
    if (f.conflictOwner() != null) {
      return new Deletion(DeletionStep.RELEASE, Events.Note.normal("Released", "the remote mapping of " + object
          + " belongs to HerokuMapping " + f.conflictOwner() + "; nothing deleted"));
    }
    if (f.nextOwner() != null) { // deleting it would only make the next claimant create it again (a full reload)
      return new Deletion(DeletionStep.HAND_OVER, Events.Note.normal("HandedOver", "left the remote mapping of " + object
          + " to HerokuMapping " + f.nextOwner() + ", which claims it too"));
    }
    return new Deletion(DeletionStep.DELETE_REMOTE, null);
  }

  /** The HerokuConnection stands for another add-on than the one the mapping was bound to. */
  static String addonChanged(String connectionName, String bound, String now) {
    return "HerokuConnection " + connectionName + " now stands for add-on " + now + ", but this HerokuMapping is bound to add-on "
        + bound + " and never follows it elsewhere";
  }

  /**
   * A 404 for the add-on means destroyed, or not visible to this token: nothing was deleted, and
   * the remote mapping may still exist for someone who can see the add-on.
   */
  static String addonGone(String connectionName, String object, String mappingId, String addon) {
    return "the API answers 404 for the add-on of HerokuConnection " + connectionName + " (destroyed, or not visible to this "
        + "token): the finalizer is released without deleting anything; if the add-on still exists, "
        + mayRemain(object, mappingId, addon);
  }

  /** What a release without a delete may leave behind, and how a person checks: one wording for every such Event. */
  static String mayRemain(String object, String mappingId, String addon) {
    return "the remote mapping of " + object + (mappingId == null ? "" : " (" + mappingId + ")") + " may remain"
        + (addon == null ? "" : " on add-on " + addon) + ": check with `heroku connect:info` on its app and delete it there if unwanted";
  }
}
