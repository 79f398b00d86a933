package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.reconciler.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.StateTable.Kind;
import dev.herokuconnect.operator.reconciler.StateTable.Requeue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What to do about one HerokuConnection, decided from what was observed: pure functions, no
 * HTTP, no threads. {@link #plan} chooses the writes; {@link #outcome} says where the object
 * stands given the connection's state.
 */
public final class ConnectionDecisions {
  public static final String PAUSED = "PAUSED";
  public static final String IDLE = "IDLE";
  public static final String OK = "OK";

  /** The steps, in the order they run. {@code SKIP_RESTART}: observe-only marks a requested restart handled, unsent. */
  public enum Step { CONFIGURE_DATABASE, RESTART, PAUSE, RESUME, ASK_AUTHORIZATION_URL, SKIP_RESTART }

  /** Everything a decision reads. {@code authorizationAsked}: the URL was asked for during this stay in the state. */
  public record Facts(String name, Management management, String conflictOwner, String state, String mappingsSummaryState,
                      String dbKey, String schemaName, String wantDbKey, String wantSchema, boolean wantPaused,
                      Request restart, boolean authorizationAsked, String environment) {
    boolean databaseDiffers() {
      return !wantDbKey.equals(dbKey) || !wantSchema.equals(schemaName);
    }

    boolean waitingToPause() {
      return management.writes() && wantPaused && !PAUSED.equals(state) && !IDLE.equals(state);
    }
  }

  public record Plan(List<Step> steps, Outcome stop) {}

  private ConnectionDecisions() {}

  public static Plan plan(Facts f) {
    if (f.conflictOwner() != null) return new Plan(List.of(), conflict(f.conflictOwner()));
    List<Step> steps = new ArrayList<>();
    if (f.management().observeOnly() && f.restart() != null) return new Plan(List.of(Step.SKIP_RESTART), null); // never sent later
    if (f.management().writes()) {
      boolean setup = f.databaseDiffers();
      if (setup) steps.add(Step.CONFIGURE_DATABASE);
      if (f.restart() != null) steps.add(Step.RESTART);
      if (!setup && f.restart() == null) { // pause and resume are decided on the state those writes leave
        if (f.wantPaused() && IDLE.equals(f.state())) steps.add(Step.PAUSE);
        if (!f.wantPaused() && PAUSED.equals(f.state())) steps.add(Step.RESUME);
      }
    }
    if (steps.isEmpty() && f.management().writes() && StateTable.CONNECTION.kind(f.state()) == Kind.NEEDS_AUTHORIZATION
        && !f.authorizationAsked()) {
      steps.add(Step.ASK_AUTHORIZATION_URL);
    }
    return new Plan(steps, null);
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
    if (f.waitingToPause()) {
      return Outcome.progressing(Reasons.PAUSING, "spec.paused is true; the API pauses only an IDLE connection, and it is "
          + state + ": trying again shortly", Requeue.SETTLING);
    }
    if (f.management().observeOnly() && f.databaseDiffers() && e.kind() != Kind.NEEDS_SETUP) {
      return Outcome.progressing(Reasons.OBSERVING, "observe-only: the API has db_key " + f.dbKey() + " and schema_name "
          + f.schemaName() + ", the spec wants " + f.wantDbKey() + " and " + f.wantSchema(), Requeue.REFRESH);
    }
    return switch (e.kind()) {
      case HEALTHY -> f.mappingsSummaryState() != null && !OK.equals(f.mappingsSummaryState())
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

  static String restartMessage(Request r) {
    return "restarted the connection (" + Crds.RESTART_REQUESTED_AT + "=" + r.value() + ")";
  }
}
