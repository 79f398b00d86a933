package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.crd.Crds;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * How the operator treats each remote state: one table per kind, mapping a state (and any state
 * it does not know) to what it means, the condition reason, when to look again, and the advice
 * shown to a person. Unknown states are shown verbatim and treated as settling.
 */
public final class StateTable {
  /** What a state means for the operator. */
  public enum Kind { HEALTHY, SETTLING, NEEDS_SETUP, NEEDS_AUTHORIZATION, PAUSED, ERROR, ABORTED }

  /** When to look again. */
  public enum Requeue {
    /** the refresh interval */ REFRESH,
    /** soon: a healthy state that is still moving (loading, polling) */ ACTIVE,
    /** exponential backoff from the settling interval up to the refresh interval */ SETTLING,
    /** exponential backoff up to the maximum backoff */ ERROR_BACKOFF,
    /** the paused interval */ PAUSED
  }

  public record Entry(Kind kind, String reason, Requeue requeue, String advice) {}

  private static final String RESTART_ADVICE = "set the " + Crds.RESTART_REQUESTED_AT + " annotation to restart the connection";
  private static final String RELOAD_ADVICE = "fix the cause, then set " + Crds.RELOAD_REQUESTED_AT + " (or restart the connection)";

  public static final StateTable CONNECTION = new StateTable(
      new Entry(Kind.SETTLING, Reasons.PROGRESSING, Requeue.SETTLING, "a state the operator does not know; it looks again with backoff"))
      .add(Set.of("IDLE", "POLLING_DB_CHANGES"), new Entry(Kind.HEALTHY, Reasons.SYNCED, Requeue.REFRESH, ""))
      .add(Set.of("BUSY", "IMPORT_CONFIGURATION", "RECOVERY"),
          new Entry(Kind.SETTLING, Reasons.PROGRESSING, Requeue.SETTLING, "the connection is working; the operator looks again with backoff"))
      .add(Set.of("NEW"), new Entry(Kind.NEEDS_SETUP, Reasons.PROGRESSING, Requeue.SETTLING, "database and schema not set yet"))
      .add(Set.of("NEED_AUTHENTICATION", "UNAUTHORIZED"), new Entry(Kind.NEEDS_AUTHORIZATION,
          Reasons.NEEDS_SALESFORCE_AUTHORIZATION, Requeue.ERROR_BACKOFF, "open status.authorizationUrl and log in to Salesforce"))
      .add(Set.of("PAUSED", "SYSTEM_ON_ICE"), new Entry(Kind.PAUSED, Reasons.PAUSED, Requeue.PAUSED, ""))
      .add(Set.of("HEROKU_UNAUTH"), error("Heroku or Postgres credentials failed; check the add-on and the database config var"))
      .add(Set.of("DB_UNAVAILABLE"), error("Postgres is unreachable or spec.database.configVar is wrong; fix it, then " + RESTART_ADVICE))
      .add(Set.of("TOO_MANY_ROWS"), error("the plan's row limit is reached; upgrade the Heroku Connect plan"))
      .add(Set.of("INACTIVE_ORG"), error("the Salesforce org is inactive"))
      .add(Set.of("ICED"), error("the demo plan was idle too long; contact Heroku support"))
      .add(Set.of("SYSTEM_ERROR"), error(RESTART_ADVICE));

  public static final StateTable MAPPING = new StateTable(
      new Entry(Kind.SETTLING, Reasons.PROGRESSING, Requeue.SETTLING, "the mapping is settling"))
      .add(Set.of("DATA_SYNCED"), new Entry(Kind.HEALTHY, Reasons.SYNCED, Requeue.REFRESH, ""))
      .add(Set.of("RESYNC", "RELOAD_TABLE", "POLLING_SF_CHANGES", "POLLING_SF_BULK", "POLLING_SF_FOR_DELETES", "WAIT_BULK_LOAD",
          "LOADING_BULK_JOB", "RESOLVE_EXTERNAL_IDS", "WAIT_BULK_UPDATE", "APPLYING_BULK_UPDATE", "POLL_EXTERNAL_IDS"),
          new Entry(Kind.HEALTHY, Reasons.SYNCED, Requeue.ACTIVE, ""))
      .add(Set.of("BULK_LOAD_ERROR", "SYSTEM_ERROR", "DB_UNAVAILABLE", "BAD_CONFIG", "SYNC_REMOVED", "INACTIVE_ORG", "UNAUTHORIZED"),
          new Entry(Kind.ERROR, Reasons.REMOTE_ERROR, Requeue.ERROR_BACKOFF, RELOAD_ADVICE))
      .add(Set.of("ABORTED"), new Entry(Kind.ABORTED, Reasons.ABORTED, Requeue.REFRESH,
          "set " + Crds.RELOAD_REQUESTED_AT + " to reload it and resume sync"));

  private final Map<String, Entry> entries = new HashMap<>();
  private final Entry unknown;

  private StateTable(Entry unknown) {
    this.unknown = unknown;
  }

  private static Entry error(String advice) {
    return new Entry(Kind.ERROR, Reasons.REMOTE_ERROR, Requeue.ERROR_BACKOFF, advice);
  }

  private StateTable add(Set<String> states, Entry e) {
    states.forEach(s -> entries.put(s, e));
    return this;
  }

  public Entry of(String state) {
    return state == null ? unknown : entries.getOrDefault(state, unknown);
  }

  public Kind kind(String state) {
    return of(state).kind();
  }

  public boolean known(String state) {
    return state != null && entries.containsKey(state);
  }

  /** The one connection state the API pauses from (actions/pause answers 400 in any other). */
  public static final String PAUSABLE = "IDLE";
  /** The connection state that actions/resume leaves (SYSTEM_ON_ICE is paused too, but not by a person). */
  public static final String PAUSED_BY_REQUEST = "PAUSED";
  /** mappings_summary_state when every mapping is fine. */
  public static final String MAPPINGS_OK = "OK";

  /**
   * The mapping is still syncing (settling, or loading and polling): the API refuses to change the
   * connection's Salesforce API version while one is (409 "still syncing").
   */
  public static boolean mappingSyncing(String mappingState) {
    Entry e = MAPPING.of(mappingState);
    return e.kind() == Kind.SETTLING || e.requeue() == Requeue.ACTIVE;
  }

  /** Mappings can be created and edited on a connection in this state. */
  public static boolean acceptsMappings(String connectionState) {
    Kind k = CONNECTION.kind(connectionState);
    return connectionState != null && k != Kind.NEEDS_SETUP && k != Kind.NEEDS_AUTHORIZATION;
  }
}
