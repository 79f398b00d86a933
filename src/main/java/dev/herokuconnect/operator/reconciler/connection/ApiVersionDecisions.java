package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.crd.ApiVersions;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import dev.herokuconnect.operator.reconciler.loop.StateTable.Requeue;
import dev.herokuconnect.operator.connect.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Changing a connection's Salesforce API version, decided from what was observed: pure functions.
 * The sequence is preview (GET schema-diff) → gate → pause (only from IDLE) → change → confirm in
 * the next read → resume (unless spec.paused). The gate: the API refuses a change while any
 * mapping has unsafe changes (409 "Some mappings have unsafe changes. Edit them and retry.", and
 * the public CLI plugin sends no way to force it), so every unsafe change blocks, a field the
 * target version drops naming the HerokuMapping and the field to remove; once the mapped fields
 * change, the preview is read again and the change goes on by itself. Each step's phase is recorded in status before its request is sent, and every
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
  /** The spec no longer asks for the target (edited or removed) before it took effect: nothing was changed. */
  public static final String ABANDONED = "Abandoned";
  /** The version asked for may never be sent (malformed, too old, below the live one): the spec's to fix. */
  public static final String REFUSED = ApiVersionChangeStatus.PHASE_REFUSED;

  /** A step of the change (each one request). */
  public enum VersionStep { PREVIEW, PAUSE, CHANGE, RESUME }

  /**
   * Everything the decision reads: the version asked for and the live one, the connection's state,
   * the change as recorded (null when none), the fingerprint of the remote mappings' fields now (a
   * preview read for other fields is read again: {@link #fieldsOf}), and spec.paused.
   */
  public record Facts(String want, String live, String state, ApiVersionChangeStatus recorded, String fieldsNow,
                      boolean wantPaused, Management management, List<String> syncing) {
    public Facts(String want, String live, String state, ApiVersionChangeStatus recorded, String fieldsNow, boolean wantPaused,
                 Management management) {
      this(want, live, state, recorded, fieldsNow, wantPaused, management, List.of());
    }

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

  /**
   * Why the version asked for may not be sent at all (malformed, too old, below the live version):
   * the spec's to fix. It stops only the version change: the connection's other steps go on, and
   * its mappings keep syncing (a live version raised outside the operator lands here too).
   */
  public static Outcome refused(Facts f) {
    String why = f.underWay() ? null : ApiVersions.refusal(f.want(), f.live());
    return why == null ? null : Outcome.stalled(Reasons.INVALID_SPEC, why, (java.time.Duration) null);
  }

  public static Decision decide(Facts f) {
    if (f.underWay()) return goOn(f);
    if (blank(f.want()) || f.want().equals(f.live()) || blank(f.live())) return Decision.none();
    if (ApiVersions.compare(f.want(), f.live()) < 0) return Decision.none(); // a downgrade: refused() says so, nothing is sent
    StateTable.Kind kind = StateTable.CONNECTION.kind(f.state());
    if (kind != StateTable.Kind.HEALTHY && kind != StateTable.Kind.PAUSED) return Decision.none(); // set up and authorized first
    ApiVersionChangeStatus r = f.recorded();
    if (r == null || !f.want().equals(r.getTarget()) || !f.live().equals(r.getFrom()) || !f.fieldsNow().equals(r.getPreviewedFor())) {
      return new Decision(VersionStep.PREVIEW, PREVIEWED, progressing("previewing the change of the Salesforce API version from "
          + f.live() + " to " + f.want() + " (schema-diff)", Requeue.SETTLING));
    }
    String blocked = blocked(r);
    if (blocked != null) return new Decision(null, BLOCKED, Outcome.stalled(Reasons.API_VERSION_CHANGE_BLOCKED, blocked, Requeue.REFRESH));
    if (f.management().observeOnly()) {
      return new Decision(null, PREVIEWED, Outcome.progressing(Reasons.OBSERVING, "observe-only: the change of the Salesforce API "
          + "version from " + f.live() + " to " + f.want() + " is previewed (status.apiVersionChange), not applied", Requeue.REFRESH));
    }
    if (!f.syncing().isEmpty()) { // the API refuses the change while one syncs (409): never pause the connection for a refusal
      return new Decision(null, PREVIEWED, progressing("the Salesforce API version changes to " + f.want() + " once no mapping "
          + "syncs (the API refuses it while one does; now: " + String.join(", ", f.syncing()) + ")", Requeue.SETTLING));
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
    boolean resumeIt = paused && pausedByChange && !f.wantPaused();
    if (f.management().observeOnly()) { // nothing is sent: say where the change was left
      return new Decision(null, r.getPhase(), Outcome.progressing(Reasons.OBSERVING, "observe-only: the change of the Salesforce API "
          + "version to " + target + " stopped at " + r.getPhase() + " and nothing is sent" + (resumeIt ? "; the connection stays "
          + "paused until this HerokuConnection is managed again" : ""), Requeue.REFRESH));
    }
    if (target.equals(f.live())) { // changed (confirmed by this read): resume what the change paused
      if (resumeIt) {
        return new Decision(VersionStep.RESUME, RESUMING, progressing("the Salesforce API version is now " + target
            + "; resuming the connection", Requeue.SETTLING));
      }
      return new Decision(null, COMPLETE, null);
    }
    // not changed: the spec no longer asks for it (edited or removed), or the resume of an abandoned change is due
    if (!target.equals(f.want()) || RESUMING.equals(r.getPhase())) {
      if (resumeIt) {
        return new Decision(VersionStep.RESUME, RESUMING, progressing("the spec no longer asks for Salesforce API version " + target
            + ": resuming the connection without changing its version", Requeue.SETTLING));
      }
      return new Decision(null, ABANDONED, null); // the next pass decides afresh for what the spec asks now
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

  /** Why the previewed change may not go on (unsafe changes, dropped fields among them, or the API's refusal); null when it may. */
  static String blocked(ApiVersionChangeStatus preview) {
    List<String> dropped = new ArrayList<>();
    List<String> unsafe = new ArrayList<>();
    for (ApiVersionChangeStatus.MappingChange m : preview.getMappings()) {
      String who = m.getHerokuMapping() != null ? "HerokuMapping " + m.getHerokuMapping() : "the mapping of " + m.getObject()
          + " (no HerokuMapping: edit it in the dashboard)";
      if (!m.getDroppedFields().isEmpty()) dropped.add(who + ": remove " + String.join(", ", m.getDroppedFields()) + " from spec.fields");
      else if (Boolean.TRUE.equals(m.getUnsafe())) unsafe.add(who + ": " + (m.getMessage() == null ? "unsafe changes" : m.getMessage()));
    }
    String to = "the change of the Salesforce API version to " + preview.getTarget();
    String after = ". The preview is read again when the mapped fields change, and the change then goes on by itself";
    if (!dropped.isEmpty() || !unsafe.isEmpty()) {
      List<String> all = new ArrayList<>(dropped);
      all.addAll(unsafe);
      return to + " is blocked: " + (dropped.isEmpty() ? "" : "the target version no longer has fields that are mapped; ")
          + "the API refuses it while a mapping has unsafe changes. " + String.join("; ", all) + after;
    }
    if (preview.getRefusal() != null) {
      return to + " was refused by the API: " + preview.getRefusal() + ". Set another spec.salesforce.apiVersion (or remove it)"
          + after;
    }
    return null;
  }

  /** The result line the API writes for fields the target version no longer has (the CLI plugin's tests show its wording). */
  static final String REMOVED_LINE = "Fields removed from Salesforce:";
  static final int MAX_MESSAGE = 256;

  /**
   * The preview as recorded in status, from the API's schema-diff (or the diff a refused change
   * carried): per mapping what changes, the HerokuMapping bound to it ({@code refs}: object key →
   * namespace/name) and the fields dropped, read from its result line.
   */
  public static ApiVersionChangeStatus preview(String target, String live, String fieldsNow, Model.SchemaDiff diff,
                                               Map<String, String> refs, java.time.Instant now) {
    ApiVersionChangeStatus p = new ApiVersionChangeStatus();
    p.setTarget(target);
    p.setFrom(live);
    p.setPhase(PREVIEWED);
    p.setPreviewedFor(fieldsNow);
    p.setPreviewedAt(now.toString());
    List<ApiVersionChangeStatus.MappingChange> lines = new ArrayList<>();
    for (Model.SchemaDiffMapping d : diff.mappingsOrEmpty()) {
      ApiVersionChangeStatus.MappingChange m = new ApiVersionChangeStatus.MappingChange();
      m.setObject(d.name());
      m.setHerokuMapping(refs.get(Model.objectKey(d.name())));
      m.setChanged(d.changed());
      m.setUnsafe(d.unsafe());
      m.setUndetermined(d.undetermined() ? Boolean.TRUE : null);
      m.setDroppedFields(d.resultLines().stream().filter(l -> l.startsWith(REMOVED_LINE))
          .flatMap(l -> java.util.Arrays.stream(l.substring(REMOVED_LINE.length()).replaceAll("\\.\\s*$", "").split(",")))
          .map(String::strip).filter(f -> !f.isEmpty()).toList());
      String message = String.join(" ", d.resultLines());
      m.setMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message);
      lines.add(m);
    }
    lines.sort(java.util.Comparator.comparing((ApiVersionChangeStatus.MappingChange m) -> !Boolean.TRUE.equals(m.getUnsafe()))
        .thenComparing(m -> !Boolean.TRUE.equals(m.getChanged())).thenComparing(m -> !Boolean.TRUE.equals(m.getUndetermined()))
        .thenComparing(ApiVersionChangeStatus.MappingChange::getObject));
    p.setMappings(new ArrayList<>(lines.subList(0, Math.min(lines.size(), ApiVersionChangeStatus.MAX_MAPPINGS))));
    p.setMoreMappings(lines.size() > ApiVersionChangeStatus.MAX_MAPPINGS ? lines.size() - ApiVersionChangeStatus.MAX_MAPPINGS : null);
    return p;
  }

  /**
   * The remote mappings' fields, as one short text: a preview is read again only when it changes
   * (when a person's edit of a HerokuMapping has reached the API), never on a mere refresh.
   */
  public static String fieldsOf(Model.Connection remote) {
    String all = remote.mappingsOrEmpty().stream()
        .map(m -> Model.objectKey(m.objectName()) + ":" + (m.config() == null || m.config().fields() == null ? ""
            : String.join(",", new java.util.TreeSet<>(m.config().fields().keySet()))))
        .sorted().collect(java.util.stream.Collectors.joining(";"));
    return Integer.toHexString(all.hashCode());
  }

  private static Outcome progressing(String message, Requeue requeue) {
    return Outcome.progressing(Reasons.CHANGING_API_VERSION, message, requeue);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
