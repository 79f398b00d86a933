package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RefusedByState;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The acts of a Salesforce API version change ({@link ApiVersionDecisions} decides them): read the
 * preview, record each step's phase before its request leaves (through the status channel: a
 * restart continues from it), and send the change, turning the API's refusals into where the
 * change stands.
 */
final class ApiVersionChanges {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private final Directory directory;
  private final ActionLedger ledger;
  private final Clock clock;

  ApiVersionChanges(Directory directory, ActionLedger ledger, Clock clock) {
    this.directory = directory;
    this.ledger = ledger;
    this.clock = clock;
  }

  /** GET schema-diff for the version asked for; the preview goes into status.apiVersionChange, with one Event. */
  void preview(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionObservation o, ConnectionApi api) {
    ApiVersionDecisions.Facts f = o.facts().version();
    Model.SchemaDiff diff;
    try {
      diff = api.schemaDiff(o.where().connectionId(), f.want());
    } catch (ConnectApiException.BadRequest refused) { // e.g. a version the API does not support (yet): the change waits, not the rest
      ApiVersionChangeStatus p = ApiVersionDecisions.preview(f.want(), f.live(), f.fieldsNow(), new Model.SchemaDiff(f.live(), f.want(),
          java.util.List.of()), refs(ctx.resource()), clock.instant());
      p.setRefusal(refused.describe());
      p.setPhase(ApiVersionDecisions.BLOCKED);
      ctx.status().setApiVersionChange(p);
      return;
    }
    ApiVersionChangeStatus p = ApiVersionDecisions.preview(f.want(), f.live(), f.fieldsNow(), diff, refs(ctx.resource()),
        clock.instant());
    ctx.status().setApiVersionChange(p);
    long changed = p.getMappings().stream().filter(m -> Boolean.TRUE.equals(m.getChanged())).count();
    long unsafe = p.getMappings().stream().filter(m -> Boolean.TRUE.equals(m.getUnsafe())).count();
    ctx.normal(ctx.resource(), "ApiVersionPreviewed", "previewed the change of the Salesforce API version from " + f.live() + " to "
        + f.want() + ": " + diff.mappingsOrEmpty().size() + " mapping(s), " + changed + " with changed fields, " + unsafe
        + " unsafe (status.apiVersionChange)");
  }

  /**
   * A version the spec asks for that may never be sent, recorded (phase Refused): the mappings read
   * it to know that their connection's only trouble is its version, and keep syncing.
   */
  static void recordRefused(HerokuConnectionStatus status, String want, String live, String why) {
    ApiVersionChangeStatus change = status.getApiVersionChange();
    if (change == null || !ApiVersionDecisions.REFUSED.equals(change.getPhase()) || !want.equals(change.getTarget())) {
      change = new ApiVersionChangeStatus();
      change.setTarget(want);
      change.setFrom(live);
      change.setPhase(ApiVersionDecisions.REFUSED);
      status.setApiVersionChange(change);
    }
    change.setMessage(why);
  }

  /** The HerokuMappings bound to the connection, by object: whom a blocked change names. */
  private Map<String, String> refs(HerokuConnection c) {
    String ns = c.getMetadata().getNamespace();
    return directory.mappingsOf(ns, c.getMetadata().getName()).stream()
        .collect(Collectors.toMap(m -> Binding.objectKey(Binding.of(m).objectName()), m -> ns + "/" + m.getMetadata().getName(),
            (a, b) -> a.compareTo(b) <= 0 ? a : b));
  }

  /** The phase written before its request is sent; {@code pausedByChange} null keeps what was recorded. */
  void record(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, String phase, Boolean pausedByChange) {
    ApiVersionChangeStatus change = ctx.status().getApiVersionChange();
    change.setPhase(phase);
    if (pausedByChange != null) change.setPausedByChange(pausedByChange);
    ledger.recordBeforeSending(ctx.resource(), "apiVersionChange", JSON.convertValue(change, com.fasterxml.jackson.databind.JsonNode.class));
  }

  /** The pause for the change, its phase recorded first. */
  void pause(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionApi api, String id) {
    record(ctx, ApiVersionDecisions.PAUSING, true);
    ConnectionExternal.whileTheStateHolds(() -> api.pause(id), Reasons.CHANGING_API_VERSION, "pause");
    ctx.normal(ctx.resource(), "Paused", "paused the connection to change its Salesforce API version to "
        + ctx.status().getApiVersionChange().getTarget());
  }

  /** The resume of what the change paused (done, or abandoned), its phase recorded first. */
  void resume(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionApi api, String id) {
    record(ctx, ApiVersionDecisions.RESUMING, null);
    ConnectionExternal.whileTheStateHolds(() -> api.resume(id), Reasons.CHANGING_API_VERSION, "resume");
    ctx.normal(ctx.resource(), "Resumed", "resumed the connection that the change of its Salesforce API version to "
        + ctx.status().getApiVersionChange().getTarget() + " had paused");
  }

  /**
   * POST change-sf-api-version. A mapping still syncing waits; unsafe changes found only now (a
   * mapping edited since the preview) and any other refusal block, recorded with the API's
   * words: the connection is resumed by the next pass (the change no longer holds it).
   */
  void change(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionObservation o, ConnectionApi api) {
    HerokuConnectionStatus status = ctx.status();
    ApiVersionChangeStatus recorded = status.getApiVersionChange();
    record(ctx, ApiVersionDecisions.CHANGING, null); // paused by the change, or by its spec: as the pause recorded it
    String target = recorded.getTarget();
    try {
      api.changeSfApiVersion(o.where().connectionId(), target);
    } catch (ConnectApiException.ApiVersionChangeRefused refused) {
      switch (refused.reason()) { // exhaustive: a new kind of refusal fails to compile until it is placed
        case STILL_SYNCING -> throw new RefusedByState(Outcome.progressing(Reasons.CHANGING_API_VERSION, "the API refused to change "
            + "the Salesforce API version to " + target + " while " + String.join(", ", refused.syncingMappings())
            + " still sync(s): trying again shortly", StateTable.Requeue.SETTLING));
        case UNSAFE_CHANGES -> {
          ApiVersionChangeStatus blocked = ApiVersionDecisions.preview(target, recorded.getFrom(), o.facts().version().fieldsNow(),
              refused.diff(), refs(ctx.resource()), clock.instant());
          blocked.setPausedByChange(recorded.getPausedByChange());
          blockWith(ctx, blocked);
        }
        case REFUSED -> {
          // the pause is taken as done from its 2xx, without a read: a refusal while the connection is not PAUSED means the
          // state moved (someone resumed it, or the pause had not landed yet): read it, and go on from there
          String state = api.getConnection(o.where().connectionId(), false).state();
          if (!StateTable.PAUSED_BY_REQUEST.equals(state)) {
            throw new RefusedByState(Outcome.progressing(Reasons.CHANGING_API_VERSION, "the API refused to change the Salesforce API "
                + "version while the connection is " + state + " (" + refused.apiMessage() + "): trying again shortly",
                StateTable.Requeue.SETTLING));
          }
          recorded.setRefusal(refused.apiMessage());
          blockWith(ctx, recorded);
        }
      }
    }
    ctx.normal(ctx.resource(), "ApiVersionChanged", "asked the API to change the Salesforce API version from " + recorded.getFrom()
        + " to " + target + "; the next read confirms it");
  }

  private void blockWith(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ApiVersionChangeStatus blocked) {
    blocked.setPhase(ApiVersionDecisions.BLOCKED);
    String why = ApiVersionDecisions.blocked(blocked);
    blocked.setMessage(why);
    ctx.status().setApiVersionChange(blocked);
    ledger.recordBeforeSending(ctx.resource(), "apiVersionChange", JSON.convertValue(blocked, com.fasterxml.jackson.databind.JsonNode.class));
    throw new RefusedByState(Outcome.stalled(Reasons.API_VERSION_CHANGE_BLOCKED, why, StateTable.Requeue.SETTLING));
  }
}
