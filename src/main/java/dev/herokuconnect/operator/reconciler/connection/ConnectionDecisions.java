package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionSpec;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.Decision;
import dev.herokuconnect.operator.reconciler.loop.PlannedStep;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.StateTable.Kind;
import dev.herokuconnect.operator.reconciler.loop.StateTable.Requeue;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What to do about one HerokuConnection, decided from what was observed: pure functions, no
 * HTTP, no threads. {@link #plan} chooses the writes; {@link #outcome} says where the object
 * stands given the connection's state.
 */
public final class ConnectionDecisions {
  /** The steps, in the order they run. (A restart asked for while observe-only is skipped by the loop, never planned.) */
  public enum Step implements PlannedStep {
    CONFIGURE_DATABASE, RESTART, PAUSE, RESUME, ASK_AUTHORIZATION_URL,
    /** The change of the Salesforce API version ({@link ApiVersionDecisions}): GET schema-diff, then pause, change, resume. */
    PREVIEW_API_VERSION, PAUSE_FOR_API_VERSION, CHANGE_API_VERSION, RESUME_AFTER_API_VERSION,
    /** The connection's notifications (NotificationDecisions decides them, Notifications sends them). */
    READ_NOTIFICATIONS, ACKNOWLEDGE_NOTIFICATIONS, FORGET_NOTIFICATIONS,
    /** The add-on itself, through the Platform API (AddonDecisions decides them, AddonExternal sends them). */
    CREATE_ADDON, CHANGE_ADDON_PLAN;

    /**
     * Whether only a read shows what the step left, so the pass reads the connection again before
     * deciding more. Not for an answer the step itself brings (the URL, the preview), nor for the
     * version change's pause, whose 2xx is folded in as PAUSED (the API pauses synchronously, and a
     * change sent too early is refused with 400 and tried again): that keeps a whole change within
     * six requests.
     */
    @Override
    public boolean writes() {
      return switch (this) {
        case CONFIGURE_DATABASE, RESTART, PAUSE, RESUME, CHANGE_API_VERSION, RESUME_AFTER_API_VERSION -> true;
        case ASK_AUTHORIZATION_URL, PREVIEW_API_VERSION, PAUSE_FOR_API_VERSION -> false;
        case READ_NOTIFICATIONS, ACKNOWLEDGE_NOTIFICATIONS, FORGET_NOTIFICATIONS -> false; // the connection's state is untouched
        case CREATE_ADDON, CHANGE_ADDON_PLAN -> false; // the Platform API's answer is the add-on as it left it
      };
    }

    static Step of(ApiVersionDecisions.VersionStep v) {
      return switch (v) {
        case PREVIEW -> PREVIEW_API_VERSION;
        case PAUSE -> PAUSE_FOR_API_VERSION;
        case CHANGE -> CHANGE_API_VERSION;
        case RESUME -> RESUME_AFTER_API_VERSION;
      };
    }
  }

  /** Everything a decision reads. {@code authorizationAsked}: the URL was asked for during this stay in the state. */
  public record Facts(String name, Management management, String conflictOwner, String state, String mappingsSummaryState,
                      String dbKey, String schemaName, String wantDbKey, String wantSchema, boolean wantPaused,
                      Request restart, boolean authorizationAsked, String environment, ApiVersionDecisions.Facts version) {
    boolean databaseDiffers() {
      return !wantDbKey.equals(dbKey) || !wantSchema.equals(schemaName);
    }

    boolean paused() {
      return StateTable.PAUSED_BY_REQUEST.equals(state);
    }

    boolean waitingToPause() {
      return management.writes() && wantPaused && !paused() && !StateTable.PAUSABLE.equals(state);
    }
  }

  /**
   * The steps to take now; {@code then}: the steps that wait for the writes before them or for a
   * state the connection must reach first (pause waits for IDLE), decided again on the state the
   * writes leave; {@code withheld}: what the spec asks for that observe-only does not send.
   * The operator and {@code plan} both read these, so they cannot disagree.
   */
  public record Plan(List<Step> steps, Outcome stop, List<Step> then, List<Step> withheld) implements Decision<Step> {
    Plan(List<Step> steps, Outcome stop) {
      this(steps, stop, List.of(), List.of());
    }
  }

  private ConnectionDecisions() {}

  /**
   * The one facts builder, pure: the operator's sync and {@code plan} both call it with the
   * connection they read. {@code conflictOwner}: the older HerokuConnection on the same add-on
   * (plan, reading manifests, has none). A restart asked for by annotation and not handled yet is
   * part of the facts; so is whether the authorization URL was already asked for in this state.
   */
  public static Facts facts(HerokuConnection c, HerokuConnectionStatus status, Management management, String conflictOwner,
                            Connection remote) {
    HerokuConnectionSpec spec = c.getSpec();
    String state = remote.state();
    boolean asked = state != null && state.equals(status.getAuthorizationUrlForState()) && status.getAuthorizationUrl() != null;
    Request restart = RequestedAction.pendingOf(c, status, List.of(RequestedAction.RESTART)).stream().findFirst().orElse(null);
    List<String> syncing = remote.mappingsOrEmpty().stream().filter(m -> StateTable.mappingSyncing(m.state()))
        .map(m -> m.objectName()).sorted().toList();
    ApiVersionDecisions.Facts version = new ApiVersionDecisions.Facts(spec.getSalesforce().getApiVersion(), remote.apiVersion(),
        state, status.getApiVersionChange(), ApiVersionDecisions.fieldsOf(remote), spec.isPaused(), management, syncing);
    return new Facts(c.getMetadata().getName(), management, conflictOwner, state, remote.mappingsSummaryState(), remote.dbKey(),
        remote.schemaName(), spec.getDatabase().getConfigVar(), spec.getDatabase().getSchema(), spec.isPaused(), restart, asked,
        spec.getSalesforce().getEnvironment().apiValue(), version);
  }

  /** Observing stopped before the connection was read (identity refused, token or add-on not found, 429): nothing to send. */
  public static Plan stopped(Outcome why) {
    return new Plan(List.of(), why);
  }

  public static Plan plan(Facts f) {
    if (f.conflictOwner() != null) return new Plan(List.of(), conflict(f.conflictOwner()));
    List<Step> wanted = new ArrayList<>(); // what the spec asks for now, whoever may send it
    List<Step> then = new ArrayList<>();
    boolean setup = f.databaseDiffers();
    if (setup) wanted.add(Step.CONFIGURE_DATABASE);
    if (f.restart() != null) wanted.add(Step.RESTART);
    Step pauseOrResume = f.wantPaused() && !f.paused() ? Step.PAUSE : !f.wantPaused() && f.paused() ? Step.RESUME : null;
    if (pauseOrResume == Step.RESUME && f.version().holdsPause()) pauseOrResume = null; // the version change resumes what it paused
    if (pauseOrResume != null) {
      // decided on the state the writes before it leave; a pause also waits for IDLE
      boolean now = !setup && f.restart() == null && (pauseOrResume == Step.RESUME || StateTable.PAUSABLE.equals(f.state()));
      (now ? wanted : then).add(pauseOrResume);
    }
    // the version change goes once the rest is done (it pauses the connection, so it waits for a settled one)
    boolean versionRefused = ApiVersionDecisions.refused(f.version()) != null; // only the version change stops (outcome says why)
    ApiVersionDecisions.VersionStep v = wanted.isEmpty() && then.isEmpty() && !versionRefused
        ? ApiVersionDecisions.decide(f.version()).step() : null;
    Step version = v == null ? null : Step.of(v);
    if (f.management().observeOnly()) {
      List<Step> withheld = new ArrayList<>(wanted);
      withheld.addAll(then);
      if (version != null && version != Step.PREVIEW_API_VERSION) withheld.add(version);
      return new Plan(version == Step.PREVIEW_API_VERSION ? List.of(version) : List.of(), null, List.of(), withheld); // a GET
    }
    if (version != null) wanted.add(version);
    if (wanted.isEmpty() && StateTable.CONNECTION.kind(f.state()) == Kind.NEEDS_AUTHORIZATION && !f.authorizationAsked()) {
      wanted.add(Step.ASK_AUTHORIZATION_URL);
    }
    return new Plan(wanted, null, then, List.of());
  }

  /** Where the connection stands in the state the steps left. */
  public static Outcome outcome(Facts f) {
    String state = f.state();
    StateTable.Entry e = StateTable.CONNECTION.of(state);
    if (e.kind() == Kind.NEEDS_AUTHORIZATION && f.management().observeOnly()) {
      return Outcome.stalled(e.reason(), "the connection is " + state + ": Salesforce must be authorized; observe-only does "
          + "not ask the API for an authorization URL (a POST): authorize in the Heroku dashboard, or switch to manage", e.requeue());
    }
    if (e.kind() == Kind.NEEDS_AUTHORIZATION) {
      return Outcome.stalled(e.reason(), "the connection is " + state + ": a Salesforce user must open status.authorizationUrl "
          + "(kubectl get hconn " + f.name() + " -o jsonpath='{.status.authorizationUrl}') and log in to Salesforce ("
          + f.environment() + "); the operator notices when it is done", e.requeue());
    }
    Outcome badVersion = ApiVersionDecisions.refused(f.version());
    if (badVersion != null) return badVersion; // the spec asks for a version that may never be sent
    ApiVersionDecisions.Decision version = ApiVersionDecisions.decide(f.version());
    if (version.outcome() != null) return version.outcome(); // a change of the API version under way, blocked, or previewed
    if (f.waitingToPause()) {
      return Outcome.progressing(Reasons.PAUSING, "spec.paused is true; the API pauses only an IDLE connection, and it is "
          + state + ": trying again shortly", Requeue.SETTLING);
    }
    if (f.management().observeOnly() && f.databaseDiffers() && e.kind() != Kind.NEEDS_SETUP) {
      return Outcome.progressing(Reasons.OBSERVING, "observe-only: the API has db_key " + f.dbKey() + " and schema_name "
          + f.schemaName() + ", the spec wants " + f.wantDbKey() + " and " + f.wantSchema(), Requeue.REFRESH);
    }
    return switch (e.kind()) {
      case HEALTHY -> f.mappingsSummaryState() != null && !StateTable.MAPPINGS_OK.equals(f.mappingsSummaryState())
          ? Outcome.blocked(Reasons.REMOTE_ERROR, "the connection is " + state + " but mappings_summary_state is "
              + f.mappingsSummaryState() + ": see the HerokuMappings", Requeue.REFRESH)
          : Outcome.ready("the connection is " + state, e.requeue());
      case PAUSED -> Outcome.idle(e.reason(), "the connection is " + state + (f.wantPaused() ? " as spec.paused asks" : ""), e.requeue());
      case ERROR -> Outcome.stalled(e.reason(), "the connection is in the error state " + state + ": " + e.advice(), e.requeue());
      case NEEDS_SETUP -> Outcome.progressing(e.reason(), "the connection is NEW: database and schema not set yet"
          + (f.management().observeOnly() ? " (observe-only: the operator does not set them)" : ""), e.requeue());
      default -> Outcome.progressing(e.reason(), "the connection is " + state
          + (StateTable.CONNECTION.known(state) ? "" : " (a state the operator does not know)"), e.requeue());
    };
  }

  /** Another, older HerokuConnection claims the same add-on. */
  public static Outcome conflict(String owner) {
    return Outcome.stalled(Reasons.CONFLICT, "HerokuConnection " + owner
        + " already manages this add-on (it is older); this one sends no write: delete one of the two, or point this one at "
        + "another add-on (spec.resourceName, spec.connectionId)", Requeue.SETTLING); // costs no request
  }

  /** A 404 for the connection: the add-on is gone, or the pinned id is wrong. */
  public static Outcome notFound(String connectionId, boolean pinned) {
    return Outcome.stalled(Reasons.CONNECTION_NOT_FOUND, "the API answers 404 for connection " + connectionId + ": "
        + (pinned ? "spec.connectionId is wrong or the add-on was destroyed; fix spec.connectionId"
        : "the add-on was destroyed or this token lost access; the operator runs discovery again with backoff")
        + ". Its HerokuMappings can be deleted: their finalizers are released without deleting anything remote, so if the "
        + "add-on still exists (visible to another token), their remote mappings remain: check with `heroku connect:info` "
        + "on the app", Requeue.ERROR_BACKOFF);
  }

  /** A throttled connection: nothing is sent before {@code until}. */
  public static Outcome throttled(java.time.Instant until, Duration wait) {
    return Outcome.progressing(Reasons.THROTTLED, "the API answered 429; no request goes to this connection before " + until
        + " (status.rateLimit.throttledUntil)", wait);
  }

  /**
   * What deleting a HerokuConnection does: the Connect API cannot delete an add-on; the Platform API
   * deletes one this object created when spec.addon.deletionPolicy is Delete ({@link AddonDecisions#fate}).
   */
  public enum DeletionStep { WAIT_FOR_MAPPINGS, RESUME_THEN_RELEASE, DELETE_ADDON_THEN_RELEASE, RELEASE_CREDENTIALS }

  public record Deletion(DeletionStep step, Events.Note event) implements Cleanup.Verdict<DeletionStep> {
    @Override
    public Cleanup.Finish finish() {
      return switch (step) {
        case WAIT_FOR_MAPPINGS -> Cleanup.Finish.POLL; // their cleanups run meanwhile: look again after the settling interval
        case RESUME_THEN_RELEASE, DELETE_ADDON_THEN_RELEASE, RELEASE_CREDENTIALS -> Cleanup.Finish.ACT;
      };
    }
  }

  /**
   * The finalizer stays while any HerokuMapping still uses this connection (bound to it), so their
   * cleanup can reach the API; then the credentials Secret is released (if no other connection needs it).
   */
  public static Deletion deletion(List<String> mappingsUsingIt) {
    return deletion(mappingsUsingIt, false);
  }

  /**
   * {@code resumeFirst}: a change of the Salesforce API version paused the add-on and the spec
   * does not pause it: deleting the HerokuConnection mid-change resumes it first, so nothing is
   * left paused that nobody asked to pause.
   */
  public static Deletion deletion(List<String> mappingsUsingIt, boolean resumeFirst) {
    return deletion(mappingsUsingIt, resumeFirst, AddonDecisions.Fate.NOT_MANAGED, null);
  }

  /**
   * With the add-on's fate ({@link AddonDecisions#fate}) and its Event: the add-on goes only once
   * no HerokuMapping uses it (their cleanups reach the API through it), and before the
   * credentials are released (the DELETE needs the token); a deleted add-on needs no resume.
   */
  public static Deletion deletion(List<String> mappingsUsingIt, boolean resumeFirst, AddonDecisions.Fate addon, Events.Note addonNote) {
    if (!mappingsUsingIt.isEmpty()) {
      return new Deletion(DeletionStep.WAIT_FOR_MAPPINGS, Events.Note.normal(Reasons.DELETING, "waiting for "
          + mappingsUsingIt.size() + " HerokuMapping(s) that use this connection to be deleted: " + String.join(", ", mappingsUsingIt)));
    }
    return switch (addon) {
      case DELETE -> new Deletion(DeletionStep.DELETE_ADDON_THEN_RELEASE, null); // the DELETE's result says how it went
      case NOT_MANAGED, ORPHAN, NOT_CREATED_HERE, NOT_OWNER, OBSERVE_ONLY -> resumeFirst
          ? new Deletion(DeletionStep.RESUME_THEN_RELEASE, addonNote) // the resume's result says how it went
          : new Deletion(DeletionStep.RELEASE_CREDENTIALS, addonNote);
    };
  }

  static String restartMessage(Request r) {
    return "restarted the connection (" + Crds.RESTART_REQUESTED_AT + "=" + r.value() + ")";
  }
}
