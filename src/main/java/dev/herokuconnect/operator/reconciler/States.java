package dev.herokuconnect.operator.reconciler;

import java.util.Set;

/** The API's connection and mapping states, grouped by what the operator does about them. */
public final class States {
  public enum Kind { HEALTHY, SETTLING, NEEDS_SETUP, NEEDS_AUTHORIZATION, PAUSED, ERROR, ABORTED }

  private static final Set<String> CONNECTION_HEALTHY = Set.of("IDLE", "POLLING_DB_CHANGES");
  private static final Set<String> CONNECTION_SETTLING = Set.of("BUSY", "IMPORT_CONFIGURATION", "RECOVERY");
  private static final Set<String> CONNECTION_AUTH = Set.of("NEED_AUTHENTICATION", "UNAUTHORIZED");
  private static final Set<String> CONNECTION_PAUSED = Set.of("PAUSED", "SYSTEM_ON_ICE");
  private static final Set<String> CONNECTION_ERROR =
      Set.of("HEROKU_UNAUTH", "DB_UNAVAILABLE", "TOO_MANY_ROWS", "INACTIVE_ORG", "SYSTEM_ERROR", "ICED");

  private static final Set<String> MAPPING_HEALTHY = Set.of("DATA_SYNCED", "RESYNC", "RELOAD_TABLE",
      "POLLING_SF_CHANGES", "POLLING_SF_BULK", "POLLING_SF_FOR_DELETES", "WAIT_BULK_LOAD", "LOADING_BULK_JOB",
      "RESOLVE_EXTERNAL_IDS", "WAIT_BULK_UPDATE", "APPLYING_BULK_UPDATE", "POLL_EXTERNAL_IDS");
  private static final Set<String> MAPPING_ERROR = Set.of("BULK_LOAD_ERROR", "SYSTEM_ERROR", "DB_UNAVAILABLE",
      "BAD_CONFIG", "SYNC_REMOVED", "INACTIVE_ORG", "UNAUTHORIZED");

  private States() {}

  /** Unknown states are shown verbatim and treated as settling. */
  public static Kind ofConnection(String state) {
    if (state == null) return Kind.SETTLING;
    if (CONNECTION_HEALTHY.contains(state)) return Kind.HEALTHY;
    if (state.equals("NEW")) return Kind.NEEDS_SETUP;
    if (CONNECTION_AUTH.contains(state)) return Kind.NEEDS_AUTHORIZATION;
    if (CONNECTION_PAUSED.contains(state)) return Kind.PAUSED;
    if (CONNECTION_ERROR.contains(state)) return Kind.ERROR;
    return Kind.SETTLING;
  }

  public static Kind ofMapping(String state) {
    if (state == null) return Kind.SETTLING;
    if (MAPPING_HEALTHY.contains(state)) return Kind.HEALTHY;
    if (MAPPING_ERROR.contains(state)) return Kind.ERROR;
    if (state.equals("ABORTED")) return Kind.ABORTED;
    return Kind.SETTLING;
  }

  /** Mappings can be created and edited on a connection in this state. */
  public static boolean acceptsMappings(String connectionState) {
    Kind k = ofConnection(connectionState);
    return k != Kind.NEEDS_SETUP && k != Kind.NEEDS_AUTHORIZATION;
  }

  /** What a person can do about a connection error state. */
  public static String adviceForConnection(String state) {
    return switch (state) {
      case "HEROKU_UNAUTH" -> "Heroku or Postgres credentials failed; check the add-on and the database config var";
      case "DB_UNAVAILABLE" -> "Postgres is unreachable or spec.database.configVar is wrong; fix it, then set the "
          + "herokuconnect.dev/restart-requested-at annotation";
      case "TOO_MANY_ROWS" -> "the plan's row limit is reached; upgrade the Heroku Connect plan";
      case "INACTIVE_ORG" -> "the Salesforce org is inactive";
      case "ICED" -> "the demo plan was idle too long; contact Heroku support";
      default -> "set the herokuconnect.dev/restart-requested-at annotation to restart the connection";
    };
  }
}
