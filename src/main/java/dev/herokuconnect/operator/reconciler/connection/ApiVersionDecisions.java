package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.crd.ApiVersions;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import dev.herokuconnect.operator.reconciler.loop.StateTable.Requeue;
import java.util.ArrayList;
import java.util.List;

/**
 * Changing a connection's Salesforce API version, decided from what was observed: pure functions.
 * The sequence is preview (GET schema-diff) → gate (dropped fields always block; unsafe changes
 * unless accepted) → pause (only from IDLE) → change → confirm in the next read → resume (unless
 * spec.paused). Each step's phase is recorded in status before its request is sent, and every
 * decision reads the recorded phase with the live state and version, so a restart at any point
 * continues the sequence and sends nothing that already took effect.
 */
public final class ApiVersionDecisions {
  private ApiVersionDecisions() {}

  /** The phases recorded in status.apiVersionChange.phase. */
  public static final String PREVIEWED = "Previewed";
  public static final String BLOCKED = "Blocked";
  public static final String PAUSING = "Pausing";
  public static final String CHANGING = "Changing";
  public static final String RESUMING = "Resuming";
  public static final String COMPLETE = "Complete";

  /** A step of the change (each one request). */
  public enum VersionStep { PREVIEW, PAUSE, CHANGE, RESUME }

  /**
   * Everything the decision reads: the version asked for and the live one, the connection's state,
   * the change as recorded (null when none), the fingerprint of the bound HerokuMappings' fields now
   * (a preview read for other fields is read again), spec.paused, and the acceptance of unsafe changes.
   */
  public record Facts(String want, String live, String state, ApiVersionChangeStatus recorded, String fieldsNow,
                      boolean wantPaused, boolean acceptUnsafe, Management management) {
    String phase() {
      return recorded == null ? null : recorded.getPhase();
    }

    /** A change under way: its steps go on whatever else the spec says (it was recorded before it was sent). */
    boolean underWay() {
      String p = phase();
      return PAUSING.equals(p) || CHANGING.equals(p) || RESUMING.equals(p);
    }

    /** The change paused the connection, and it is still paused: only the change resumes it. */
    public boolean holdsPause() {
      return underWay() && Boolean.TRUE.equals(recorded.getPausedByChange());
    }
  }

  /** The step to send now (or none), the phase to record before sending it, and where the change leaves the object (or null). */
  public record Decision(VersionStep step, String phase, Outcome outcome) {
    static Decision none() {
      return new Decision(null, null, null);
    }
  }

  /** Why the version asked for may not be sent at all (malformed, too old, a downgrade): the spec's to fix. */
  public static Outcome refused(Facts f) {
    String why = f.underWay() ? null : ApiVersions.refusal(f.want(), f.live());
    return why == null ? null : Outcome.stalled(Reasons.INVALID_SPEC, why, (java.time.Duration) null);
  }

  public static Decision decide(Facts f) {
    if (f.underWay()) return goOn(f);
    if (blank(f.want()) || f.want().equals(f.live()) || blank(f.live())) return Decision.none();
    StateTable.Kind kind = StateTable.CONNECTION.kind(f.state());
    if (kind != StateTable.Kind.HEALTHY && kind != StateTable.Kind.PAUSED) return Decision.none(); // set up and authorized first
    ApiVersionChangeStatus r = f.recorded();
    if (r == null || !f.want().equals(r.getTarget()) || !f.live().equals(r.getFrom()) || !f.fieldsNow().equals(r.getPreviewedFor())) {
      return new Decision(VersionStep.PREVIEW, PREVIEWED, progressing("previewing the change of the Salesforce API version from "
          + f.live() + " to " + f.want() + " (schema-diff)", Requeue.SETTLING));
    }
    String blocked = blocked(r, f.acceptUnsafe());
    if (blocked != null) return new Decision(null, BLOCKED, Outcome.stalled(Reasons.API_VERSION_CHANGE_BLOCKED, blocked, Requeue.REFRESH));
    if (f.management().observeOnly()) {
      return new Decision(null, PREVIEWED, Outcome.progressing(Reasons.OBSERVING, "observe-only: the change of the Salesforce API "
          + "version from " + f.live() + " to " + f.want() + " is previewed (status.apiVersionChange), not applied", Requeue.REFRESH));
    }
    if (StateTable.PAUSED_BY_REQUEST.equals(f.state())) return change(f, false);
    if (StateTable.PAUSABLE.equals(f.state())) {
      return new Decision(VersionStep.PAUSE, PAUSING, progressing("pausing the connection to change its Salesforce API version to "
          + f.want(), Requeue.SETTLING));
    }
    return new Decision(null, PREVIEWED, progressing("the Salesforce API version changes to " + f.want() + " once the connection "
        + "is IDLE (the API pauses it only then; it is " + f.state() + ")", Requeue.SETTLING));
  }

  /** A recorded change goes on from where the live state and version show it stopped. */
  private static Decision goOn(Facts f) {
    ApiVersionChangeStatus r = f.recorded();
    String target = r.getTarget();
    boolean paused = StateTable.PAUSED_BY_REQUEST.equals(f.state());
    boolean pausedByChange = Boolean.TRUE.equals(r.getPausedByChange());
    if (target.equals(f.live())) { // changed (confirmed by this read): resume what the change paused
      if (paused && pausedByChange && !f.wantPaused()) {
        return new Decision(VersionStep.RESUME, RESUMING, progressing("the Salesforce API version is now " + target
            + "; resuming the connection", Requeue.SETTLING));
      }
      return new Decision(null, COMPLETE, null);
    }
    if (paused) return change(f, pausedByChange); // paused, not changed yet (or the change was never sent)
    if (StateTable.PAUSABLE.equals(f.state())) { // the pause never took effect (or someone resumed it)
      return new Decision(VersionStep.PAUSE, PAUSING, progressing("pausing the connection to change its Salesforce API version to "
          + target, Requeue.SETTLING));
    }
    return new Decision(null, r.getPhase(), progressing("changing the Salesforce API version to " + target + ": waiting for the "
        + "connection to be IDLE (it is " + f.state() + ")", Requeue.SETTLING));
  }

  private static Decision change(Facts f, boolean pausedByChange) {
    String target = f.underWay() ? f.recorded().getTarget() : f.want();
    return new Decision(VersionStep.CHANGE, CHANGING, progressing("changing the Salesforce API version to " + target
        + (pausedByChange ? " (the connection is paused for it)" : ""), Requeue.SETTLING));
  }

  /** Why the previewed change may not go on: dropped fields (always), unsafe changes (unless accepted); null when it may. */
  static String blocked(ApiVersionChangeStatus preview, boolean acceptUnsafe) {
    List<String> dropped = new ArrayList<>();
    List<String> unsafe = new ArrayList<>();
    for (ApiVersionChangeStatus.MappingChange m : preview.getMappings()) {
      String who = m.getHerokuMapping() != null ? "HerokuMapping " + m.getHerokuMapping() : "the mapping of " + m.getObject()
          + " (no HerokuMapping: edit it in the dashboard)";
      if (!m.getDroppedFields().isEmpty()) dropped.add(who + ": remove " + String.join(", ", m.getDroppedFields()) + " from spec.fields");
      else if (Boolean.TRUE.equals(m.getUnsafe())) unsafe.add(m.getObject() + (m.getMessage() == null ? "" : " (" + m.getMessage() + ")"));
    }
    String to = "the change of the Salesforce API version to " + preview.getTarget();
    if (!dropped.isEmpty()) {
      return to + " is blocked: the target version no longer has fields that are mapped. " + String.join("; ", dropped)
          + ". The preview is read again when those HerokuMappings change, and the change then goes on by itself";
    }
    if (!unsafe.isEmpty() && !acceptUnsafe) {
      return to + " is blocked: it changes mapped fields unsafely in " + String.join("; ", unsafe) + ". Review them (status."
          + "apiVersionChange.mappings), then set spec.salesforce.acceptUnsafeApiVersionChanges: true to go on";
    }
    return null;
  }

  private static Outcome progressing(String message, Requeue requeue) {
    return Outcome.progressing(Reasons.CHANGING_API_VERSION, message, requeue);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
