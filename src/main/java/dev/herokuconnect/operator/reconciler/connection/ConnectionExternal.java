package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.crd.AddonRules;
import dev.herokuconnect.operator.crd.ApiVersions;
import dev.herokuconnect.operator.crd.ConnectionIdentity;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionSpec;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.SalesforceSpec;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.MappingStatusView;
import dev.herokuconnect.operator.reconciler.cluster.Ownership;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Freshness;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.ExternalClient;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RefusedByState;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The HerokuConnection's external client: {@link #observe} finds the add-on (token, discovery,
 * ownership, the budget) and reads it from the shared snapshot into a
 * {@link ConnectionObservation}, showing in status what was read (whatever the writes then meet);
 * {@link #act} sends one decided step. The Connect API cannot create or delete an add-on: with
 * spec.addon, the Platform API does ({@link AddonExternal}), the add-on observed before the connection.
 */
final class ConnectionExternal implements ExternalClient<HerokuConnection, HerokuConnectionStatus, ConnectionObservation, Step> {
  private final Directory directory;
  private final Connector connector;
  private final SnapshotCache snapshots;
  private final ApiBudget budget;
  private final CredentialsGuard credentials;
  private final Intervals intervals;
  private final Clock clock;
  private final ActionLedger actions;
  private final AuthorizationUrls urls;
  private final ApiVersionChanges versions;
  private final Notifications notifications;
  private final AddonExternal addons;
  private volatile Connector.Secrets secrets = (ns, name) -> Optional.empty();

  ConnectionExternal(Directory directory, Connector connector, SnapshotCache snapshots, ApiBudget budget,
                     CredentialsGuard credentials, Intervals intervals, Clock clock, ActionLedger actions, AuthorizationUrls urls) {
    this.directory = directory;
    this.connector = connector;
    this.snapshots = snapshots;
    this.budget = budget;
    this.credentials = credentials;
    this.intervals = intervals;
    this.clock = clock;
    this.actions = actions;
    this.urls = urls;
    this.versions = new ApiVersionChanges(directory, actions, clock);
    this.notifications = new Notifications(intervals, clock, actions);
    this.addons = new AddonExternal(connector, actions, clock);
  }

  void useSecrets(Connector.Secrets secrets) {
    this.secrets = secrets;
  }

  @Override
  public ConnectionObservation observe(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    ManagedLoop.Pass pass = ctx.pass();
    if (status.getConnectionId() != null && status.getAppName() == null) status.setAppName(c.getSpec().getAppName()); // bound before 0.2
    String refused = ConnectionIdentity.refusal(status.getConnectionId(), status.getAppName(), status.getResourceName(), c.getSpec());
    if (refused == null) refused = ConnectionIdentity.refusal(status.getAddon(), c.getSpec()); // recorded, not bound yet
    if (refused != null) { // a new generation looks again
      return ConnectionObservation.stopped(Outcome.stalled(Reasons.INVALID_SPEC, refused, (Duration) null));
    }
    String badVersion = versionRefused(c, status, pass.specChanged());
    if (badVersion != null) { // no request; the mappings go on (the record says the version is the only trouble)
      ApiVersionChanges.recordRefused(status, c.getSpec().getSalesforce().getApiVersion(), status.getApiVersion(), badVersion);
      return ConnectionObservation.stopped(Outcome.stalled(Reasons.INVALID_SPEC, badVersion, (Duration) null));
    }
    // the token, and where the add-on is
    String secretName = c.getSpec().getCredentials().getSecretRef().getName();
    Optional<Secret> secret = secrets.get(c.getMetadata().getNamespace(), secretName);
    if (pass.management().writes()) credentials.hold(c, secret, status);
    String both = AddonRules.refusal(c.getSpec()); // spec.addon with a pinned connectionId (CEL refuses it where enforced)
    if (both != null) return ConnectionObservation.stopped(Outcome.stalled(Reasons.INVALID_SPEC, both, (Duration) null));
    AddonDecisions.Facts addon = null; // with spec.addon: the add-on first (without a token, the connector says what is missing)
    Optional<ApiToken> token = secret.flatMap(s -> Connector.tokenIn(s, c));
    if (c.getSpec().getAddon() != null && token.isPresent()) {
      AddonExternal.Seen seen = addons.observe(ctx, token.get());
      if (seen.stop() != null) return ConnectionObservation.stopped(seen.stop());
      addon = seen.facts();
      if (!addon.usable()) return ConnectionObservation.addonOnly(addon);
    }
    Connector.Result r = connector.connect(c, secret, pass.priority(), pass.management().writes(), // USER while anything is asked
        addon == null ? null : addon.addon().id());
    if (!r.ok()) return ConnectionObservation.stopped(r.problem());
    Connector.Connected where = r.connected();
    String id = where.connectionId();
    if (!id.equals(status.getConnectionId())) status.setAppName(c.getSpec().getAppName()); // bound now: the identity is recorded
    status.setConnectionId(id);
    status.setApiUrl(where.apiRoot());
    if (where.resourceName() != null) status.setResourceName(where.resourceName());
    Optional<Ownership.Claimant> owner = directory.connectionConflict(c, id);
    Instant throttledUntil = budget.throttledUntil(id);
    if (owner.isEmpty() && throttledUntil != null) {
      return ConnectionObservation.stopped(ConnectionDecisions.throttled(throttledUntil, ManagedLoop.until(clock.instant(), throttledUntil)));
    }
    Connection remote;
    try {
      remote = read(ctx, where, owner.isPresent());
    } catch (ConnectApiException.NotFound gone) {
      return ConnectionObservation.stopped(gone(c, status, id));
    }
    String conflictOwner = owner.map(Ownership.Claimant::ref).orElse(null);
    if (remote == null) return ConnectionObservation.stopped(ConnectionDecisions.conflict(conflictOwner)); // a non-owner, before any read
    return seen(ctx, where, conflictOwner, remote).withAddon(addon);
  }

  /**
   * A version that may never be sent, refused before any request: one that is no version at all
   * (malformed, below what the API supports), or, when the spec was just edited, one below the live
   * version last read. Otherwise a version below the live one is decided after the read, against
   * the version read (it may have been raised outside the operator), and stops only the change.
   */
  private static String versionRefused(HerokuConnection c, HerokuConnectionStatus status, boolean specEdited) {
    var change = status.getApiVersionChange();
    boolean underWay = change != null && List.of(ApiVersionDecisions.PAUSING, ApiVersionDecisions.CHANGING,
        ApiVersionDecisions.RESUMING).contains(change.getPhase());
    return underWay ? null : ApiVersions.refusal(c.getSpec().getSalesforce().getApiVersion(), specEdited ? status.getApiVersion() : null);
  }

  /** What was read, shown in status, and the facts decided from it. */
  private ConnectionObservation seen(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, Connector.Connected where,
                                     String conflictOwner, Connection remote) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    fillStatus(status, remote); // what was read, whatever the writes below meet
    urls.show(c, status, remote.state());
    return new ConnectionObservation(null, where, conflictOwner, remote,
        ConnectionDecisions.facts(c, status, ctx.management(), conflictOwner, remote), notifications.facts(ctx, remote.state()), null);
  }

  /** After writes: a read taken after them. */
  ConnectionObservation observeAgain(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionObservation o) {
    Connector.Connected where = o.where();
    Connection now = snapshots.get(where.connectionId(), where.api(), Freshness.now(Priority.USER).takenAfter(clock.instant()))
        .connection();
    return seen(ctx, where, o.conflictOwner(), now).withAddon(o.addon());
  }

  /** The connection from the shared snapshot: fresh for a spec change or a request; nothing is sent for a non-owner. */
  private Connection read(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, Connector.Connected where, boolean nonOwner) {
    String id = where.connectionId();
    if (nonOwner) return snapshots.peek(id).map(SnapshotCache.Snapshot::connection).orElse(null);
    ManagedLoop.Pass pass = ctx.pass();
    boolean restartAsked = RequestedAction.RESTART.pending(ctx.resource(), ctx.status()) != null;
    boolean fresh = pass.specChanged() || restartAsked || pass.refreshRequested();
    Duration maxAge = fresh ? Duration.ZERO
        : Conditions.isTrue(ctx.status(), Conditions.READY) ? intervals.refresh().minusSeconds(1) : intervals.settling();
    return snapshots.get(id, where.api(), Freshness.within(maxAge, pass.priority())).connection();
  }

  /** The connection's cleanup is done: what the add-on's client kept for it goes. */
  void forget(HerokuConnection c) {
    addons.forget(c);
  }

  /** 404 for the connection: unbound (a destroyed add-on binds nothing, so a fixed spec is followed), and terminal. */
  private Outcome gone(HerokuConnection c, HerokuConnectionStatus status, String id) {
    boolean pinned = c.getSpec().getConnectionId() != null && !c.getSpec().getConnectionId().isBlank();
    snapshots.forget(id);
    connector.forget(c);
    status.setConnectionId(null);
    status.setApiUrl(null);
    status.setAppName(null);
    status.setState(null);
    return ConnectionDecisions.notFound(id, pinned);
  }

  /**
   * One step; the observation it returns has its facts decided again from what the step left in
   * status (the URL asked for, the preview read, the phase recorded) and, for the version change's
   * pause, the PAUSED its 2xx means.
   */
  @Override
  public ConnectionObservation act(Step step, Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionObservation o) {
    HerokuConnection c = ctx.resource();
    if (step == Step.CREATE_ADDON || step == Step.CHANGE_ADDON_PLAN) return addons.act(step, ctx, o, token(c).orElseThrow());
    HerokuConnectionStatus status = ctx.status();
    HerokuConnectionSpec spec = c.getSpec();
    ConnectionApi api = o.where().api().withPriority(Priority.USER);
    String id = o.where().connectionId();
    Connection remote = switch (step) { // exhaustive: a new step fails to compile until it is acted on
      case CONFIGURE_DATABASE -> {
        api.configureDatabase(id, spec.getDatabase().getConfigVar(), spec.getDatabase().getSchema());
        ctx.normal(c, "Configured", "set db_key " + spec.getDatabase().getConfigVar() + " and schema_name "
            + spec.getDatabase().getSchema());
        yield o.remote();
      }
      case RESTART -> {
        actions.send(ctx, o.facts().restart(), () -> api.restart(id), "Restarted", ConnectionDecisions.restartMessage(o.facts().restart()));
        yield o.remote();
      }
      case PAUSE -> {
        whileTheStateHolds(() -> api.pause(id), Reasons.PAUSING, "pause");
        ctx.normal(c, "Paused", "paused the connection (spec.paused: true)");
        yield o.remote();
      }
      case RESUME -> {
        whileTheStateHolds(() -> api.resume(id), Reasons.PROGRESSING, "resume");
        ctx.normal(c, "Resumed", "resumed the connection (spec.paused: false)");
        yield o.remote();
      }
      case ASK_AUTHORIZATION_URL -> {
        SalesforceSpec sf = spec.getSalesforce();
        String url = api.authorizeUrl(id, new Model.AuthorizeRequest(sf.getEnvironment().apiValue(), sf.getDomain(),
            authorizeWith(sf, o.remote()), sf.getRedirectUrl()));
        urls.asked(c, o.facts().state(), url);
        status.setAuthorizationUrl(url);
        status.setAuthorizationUrlForState(o.facts().state());
        yield o.remote();
      }
      case PREVIEW_API_VERSION -> {
        versions.preview(ctx, o, api);
        yield o.remote();
      }
      case PAUSE_FOR_API_VERSION -> {
        versions.pause(ctx, api, id);
        snapshots.invalidate(id); // a later pass reads what the pause left, never the IDLE from before it
        yield o.remote().withState(StateTable.PAUSED_BY_REQUEST);
      }
      case CHANGE_API_VERSION -> {
        versions.change(ctx, o, api);
        yield o.remote();
      }
      case RESUME_AFTER_API_VERSION -> {
        versions.resume(ctx, api, id);
        yield o.remote();
      }
      case READ_NOTIFICATIONS, ACKNOWLEDGE_NOTIFICATIONS, FORGET_NOTIFICATIONS -> {
        notifications.act(step, ctx, o);
        yield o.remote();
      }
      case CREATE_ADDON, CHANGE_ADDON_PLAN -> throw new IllegalStateException(step + " is the add-on's step (AddonExternal)");
    };
    urls.show(c, status, remote.state());
    return new ConnectionObservation(null, o.where(), o.conflictOwner(), remote,
        ConnectionDecisions.facts(c, status, ctx.management(), o.conflictOwner(), remote), notifications.facts(ctx, remote.state()),
        o.addon());
  }

  /** The token, as the connection's Secret holds it now (the observation read it a moment ago). */
  private Optional<ApiToken> token(HerokuConnection c) {
    return secrets.get(c.getMetadata().getNamespace(), c.getSpec().getCredentials().getSecretRef().getName())
        .flatMap(s -> Connector.tokenIn(s, c));
  }

  /** The older HerokuConnection that owns {@code c}'s add-on (as the caches show it), or null when {@code c} owns it. */
  String addonOwner(HerokuConnection c) {
    String id = Directory.connectionIdOf(c);
    return id == null ? null : directory.connectionConflict(c, id).map(Ownership.Claimant::ref).orElse(null);
  }

  /** The cleanup's DELETE of the add-on this object created: empty once it is gone, else how the cleanup waits. */
  Optional<ManagedLoop.Deletion> deleteAddon(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    return addons.delete(ctx, token(ctx.resource()));
  }

  /**
   * A HerokuConnection deleted while a Salesforce API version change holds its add-on paused: the
   * add-on is resumed (a 400 means it is not paused any more: nothing to do), with an Event.
   */
  void resumeWhatTheChangePaused(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    HerokuConnection c = ctx.resource();
    Connector.Result r = connector.connectKnown(c, secrets);
    if (!r.ok()) {
      ctx.warning(c, "NotResumed", "the add-on may stay paused by the unfinished change of its Salesforce API version ("
          + r.problem().message() + "): resume it with `heroku connect:resume` on its app");
      return;
    }
    try {
      r.connected().api().withPriority(Priority.USER).resume(r.connected().connectionId());
      ctx.normal(c, "Resumed", "resumed the add-on that the unfinished change of its Salesforce API version had paused");
    } catch (ConnectApiException.BadRequest notPaused) {
      // not paused any more: nothing was left to resume
    }
  }

  /**
   * The api_version an authorization URL asks for: the spec's on a connection never authorized (it
   * sets the first version); the live one on a connection authorized before, so that logging in
   * again never changes the version behind the preview and the gate (a newer spec version is the
   * gated change's to apply).
   */
  static String authorizeWith(SalesforceSpec sf, Connection remote) {
    boolean authorizedBefore = remote.organizationId() != null && remote.apiVersion() != null;
    return authorizedBefore ? remote.apiVersion() : sf.getApiVersion();
  }

  /** Sends a pause or resume, which the API accepts only in one state: a 400 then means the state moved since the read. */
  static void whileTheStateHolds(Runnable call, String reason, String verb) {
    try {
      call.run();
    } catch (ConnectApiException.BadRequest moved) {
      throw new RefusedByState(Outcome.progressing(reason, "the API refused to " + verb + " the connection (" + moved.getMessage()
          + "): its state moved since it was read; trying again shortly", StateTable.Requeue.SETTLING));
    }
  }

  static void fillStatus(HerokuConnectionStatus status, Connection remote) {
    status.setState(remote.state());
    status.setResourceName(remote.resourceName() != null ? remote.resourceName() : status.getResourceName());
    status.setMappingsSummaryState(remote.mappingsSummaryState());
    status.setOrganizationId(remote.organizationId());
    status.setSchemaName(remote.schemaName());
    status.setDbKey(remote.dbKey());
    if (remote.apiVersion() != null) status.setApiVersion(remote.apiVersion());
    status.setLastSyncTime(remote.mappingsOrEmpty().stream()
        .map(MappingStatusView::lastSyncTime).filter(Objects::nonNull).max(String::compareTo).orElse(null));
  }
}
