package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.ConnectionIdentity;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionSpec;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.RateLimitStatus;
import dev.herokuconnect.operator.crd.SalesforceSpec;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.MappingStatusView;
import dev.herokuconnect.operator.reconciler.cluster.Ownership;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Freshness;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Facts;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Plan;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RefusedByState;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HerokuConnection's part of the loop: observe (token, where the add-on is, ownership, the
 * budget, the deep snapshot), decide ({@link ConnectionDecisions}), act (db and schema, restart,
 * pause/resume, the authorization URL), report (status, including the budget). The add-on itself
 * is never created or deleted: the API cannot.
 */
public final class ConnectionSync implements ManagedLoop.Sync<HerokuConnection, HerokuConnectionStatus> {
  private final Directory directory;
  private final Connector connector;
  private final SnapshotCache snapshots;
  private final ApiBudget budget;
  private final CredentialsGuard credentials;
  private final Intervals intervals;
  private final java.time.Clock clock;
  private final ActionLedger actions;
  private final Validations validations = new Validations();
  /** The names of the HerokuMappings bound to a connection, from the connection controller's own informer. */
  private volatile java.util.function.Function<HerokuConnection, java.util.List<String>> mappingsOf = c -> java.util.List.of();
  private volatile Connector.Secrets secrets = (ns, name) -> Optional.empty();
  /**
   * The authorization URL asked for, per object and entry (state@generation): a reconcile that reads a
   * status from before its own write (or whose write was lost) shows this URL again rather than asking twice.
   */
  private record Asked(String entry, String url) {}

  private final Map<String, Asked> askedFor = new ConcurrentHashMap<>();

  public ConnectionSync(Directory directory, Connector connector, SnapshotCache snapshots, ApiBudget budget,
                 CredentialsGuard credentials, Intervals intervals, java.time.Clock clock, ActionLedger actions) {
    this.directory = directory;
    this.connector = connector;
    this.snapshots = snapshots;
    this.budget = budget;
    this.credentials = credentials;
    this.intervals = intervals;
    this.clock = clock;
    this.actions = actions;
  }

  public void useMappingsOf(java.util.function.Function<HerokuConnection, java.util.List<String>> mappingsOf) {
    this.mappingsOf = mappingsOf;
  }

  /** Entries held, for Controllers.held(). */
  public int held() {
    return askedFor.size();
  }

  public void useSecrets(Connector.Secrets secrets) {
    this.secrets = secrets;
  }

  @Override
  public HerokuConnectionStatus newStatus() {
    return new HerokuConnectionStatus();
  }

  @Override
  public Management management(HerokuConnection c) {
    return Management.of(c);
  }

  @Override
  public String doing(HerokuConnection c) {
    return "reconciling the connection";
  }

  @Override
  public String credentialsHint(HerokuConnection c) {
    return Connector.credentialsHint(c);
  }

  @Override
  public Outcome sync(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    HerokuConnectionStatus status = ctx.status();
    RateLimitStatus recorded = status.getRateLimit();
    try {
      return syncRemote(ctx);
    } finally {
      showBudget(status, recorded);
    }
  }

  private Outcome syncRemote(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    ManagedLoop.Pass pass = ctx.pass();
    if (status.getConnectionId() != null && status.getAppName() == null) status.setAppName(c.getSpec().getAppName()); // bound before 0.2
    String refused = ConnectionIdentity.refusal(status.getConnectionId(), status.getAppName(), status.getResourceName(), c.getSpec());
    if (refused != null) return Outcome.stalled(Reasons.INVALID_SPEC, refused, (Duration) null); // a new generation looks again
    // observe: the token and where the add-on is
    String secretName = c.getSpec().getCredentials().getSecretRef().getName();
    Optional<Secret> secret = secrets.get(c.getMetadata().getNamespace(), secretName);
    if (pass.management().writes()) credentials.hold(c, secret, status);
    boolean restartAsked = RequestedAction.RESTART.pending(c, status) != null;
    Connector.Result r = connector.connect(c, secret, pass.priority(), pass.management().writes()); // USER while anything is asked
    if (!r.ok()) return r.problem();
    Connector.Connected where = r.connected();
    String id = where.connectionId();
    if (!id.equals(status.getConnectionId())) status.setAppName(c.getSpec().getAppName()); // bound now: the identity is recorded
    status.setConnectionId(id);
    status.setApiUrl(where.apiRoot());
    if (where.resourceName() != null) status.setResourceName(where.resourceName());
    Optional<Ownership.Claimant> owner = directory.connectionConflict(c, id);
    Instant throttledUntil = budget.throttledUntil(id);
    if (owner.isEmpty() && throttledUntil != null) {
      return ConnectionDecisions.throttled(throttledUntil, ManagedLoop.until(clock.instant(), throttledUntil));
    }
    Connection remote;
    try {
      remote = read(ctx, where, owner.isPresent(), restartAsked);
    } catch (ConnectApiException.NotFound gone) {
      return connectionGone(c, status, id);
    }
    if (remote == null) return ConnectionDecisions.conflict(owner.get().ref()); // a non-owner, before any snapshot
    String conflictOwner = owner.map(Ownership.Claimant::ref).orElse(null);
    Acted acted = decideAndAct(ctx, where, conflictOwner, remote);
    return acted.stop() != null ? acted.stop() : report(ctx, where, conflictOwner, acted.remote());
  }

  /** The connection from the shared snapshot: fresh for a spec change or a request; nothing is sent for a non-owner. */
  private Connection read(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, Connector.Connected where, boolean nonOwner,
                          boolean restartAsked) {
    String id = where.connectionId();
    if (nonOwner) return snapshots.peek(id).map(SnapshotCache.Snapshot::connection).orElse(null);
    ManagedLoop.Pass pass = ctx.pass();
    boolean fresh = pass.specChanged() || restartAsked || pass.refreshRequested();
    Duration maxAge = fresh ? Duration.ZERO
        : Conditions.isTrue(ctx.status(), Conditions.READY) ? intervals.refresh().minusSeconds(1) : intervals.settling();
    return snapshots.get(id, where.api(), Freshness.within(maxAge, pass.priority())).connection();
  }

  /** What the writes left: the connection as read after them, or where the pass stopped. */
  private record Acted(Connection remote, Outcome stop) {}

  /** Decide and act; after writes, decide once more on the state they left (a pause waits for them, a URL for setup). */
  private Acted decideAndAct(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, Connector.Connected where,
                             String conflictOwner, Connection remote) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    String id = where.connectionId();
    for (int round = 0; round < 2; round++) {
      fillStatus(status, remote); // what was read, whatever the writes below meet
      showAskedUrl(c, status, remote.state());
      Facts facts = ConnectionDecisions.facts(c, status, ctx.management(), conflictOwner, remote);
      Plan plan = ConnectionDecisions.plan(facts);
      if (plan.stop() != null) return new Acted(remote, plan.stop());
      boolean wrote = false;
      for (Step step : plan.steps()) {
        wrote |= act(step, ctx, where.api().withPriority(Priority.USER), id, facts.restart(), facts.state());
      }
      if (!wrote) break;
      remote = snapshots.get(id, where.api(), Freshness.now(Priority.USER).takenAfter(clock.instant())).connection();
    }
    return new Acted(remote, null);
  }

  /** Status from the connection as it is now, the outcome, and a validation's progress. */
  private Outcome report(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, Connector.Connected where, String conflictOwner,
                         Connection remote) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    fillStatus(status, remote);
    if (StateTable.CONNECTION.kind(remote.state()) != StateTable.Kind.NEEDS_AUTHORIZATION) {
      status.setAuthorizationUrl(null);
      status.setAuthorizationUrlForState(null);
      askedFor.remove(c.getMetadata().getUid());
    }
    Outcome outcome = ConnectionDecisions.outcome(ConnectionDecisions.facts(c, status, ctx.management(), conflictOwner, remote));
    if (validations.advance(ctx, where.api().withPriority(Priority.USER), where.connectionId())) {
      // a validation waits for its result: look again soon (the loop's backoff paces the polls)
      return new Outcome(outcome.kind(), outcome.reason(), outcome.message(), StateTable.Requeue.SETTLING, null);
    }
    return outcome;
  }

  /** Sends a pause or resume, which the API accepts only in one state: a 400 then means the state moved since the read. */
  private static void whileTheStateHolds(Runnable call, String reason, String verb) {
    try {
      call.run();
    } catch (ConnectApiException.BadRequest moved) {
      throw new RefusedByState(Outcome.progressing(reason, "the API refused to " + verb + " the connection (" + moved.getMessage()
          + "): its state moved since it was read; trying again shortly", StateTable.Requeue.SETTLING));
    }
  }


  /**
   * Part of observing: the authorization URL this process asked for in this state and generation is
   * shown again when the status read is older than that write (or the write was lost), so it is
   * never asked for twice.
   */
  private void showAskedUrl(HerokuConnection c, HerokuConnectionStatus status, String state) {
    Asked memo = askedFor.get(c.getMetadata().getUid());
    if (memo != null && memo.entry().equals(state + "@" + c.getMetadata().getGeneration()) && status.getAuthorizationUrl() == null) {
      status.setAuthorizationUrl(memo.url());
      status.setAuthorizationUrlForState(state);
    }
  }

  private boolean act(Step step, Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionApi api, String id,
                      Request restart, String state) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    HerokuConnectionSpec spec = c.getSpec();
    return switch (step) { // exhaustive: a new step fails to compile until it is acted on
      case CONFIGURE_DATABASE -> {
        api.configureDatabase(id, spec.getDatabase().getConfigVar(), spec.getDatabase().getSchema());
        ctx.normal(c, "Configured", "set db_key " + spec.getDatabase().getConfigVar() + " and schema_name "
            + spec.getDatabase().getSchema());
        yield true;
      }
      case RESTART -> {
        actions.send(ctx, restart, () -> api.restart(id), "Restarted", ConnectionDecisions.restartMessage(restart));
        yield true;
      }
      case PAUSE -> {
        whileTheStateHolds(() -> api.pause(id), Reasons.PAUSING, "pause");
        ctx.normal(c, "Paused", "paused the connection (spec.paused: true)");
        yield true;
      }
      case RESUME -> {
        whileTheStateHolds(() -> api.resume(id), Reasons.PROGRESSING, "resume");
        ctx.normal(c, "Resumed", "resumed the connection (spec.paused: false)");
        yield true;
      }
      case ASK_AUTHORIZATION_URL -> {
        SalesforceSpec sf = spec.getSalesforce();
        String url = api.authorizeUrl(id, new Model.AuthorizeRequest(sf.getEnvironment().apiValue(), sf.getDomain(),
            sf.getApiVersion(), sf.getRedirectUrl()));
        askedFor.put(c.getMetadata().getUid(), new Asked(state + "@" + c.getMetadata().getGeneration(), url));
        status.setAuthorizationUrl(url);
        status.setAuthorizationUrlForState(state);
        yield false;
      }
    };
  }

  /** 404 for the connection: terminal; a discovered add-on is looked for again (with backoff), a pinned one is the spec's fault. */
  private Outcome connectionGone(HerokuConnection c, HerokuConnectionStatus status, String id) {
    boolean pinned = c.getSpec().getConnectionId() != null && !c.getSpec().getConnectionId().isBlank();
    snapshots.forget(id);
    connector.forget(c);
    // unbound: a destroyed add-on binds nothing, so a fixed spec.connectionId (or appName) is followed
    status.setConnectionId(null);
    status.setApiUrl(null);
    status.setAppName(null);
    status.setState(null);
    return ConnectionDecisions.notFound(id, pinned);
  }

  private static void fillStatus(HerokuConnectionStatus status, Connection remote) {
    status.setState(remote.state());
    status.setResourceName(remote.resourceName() != null ? remote.resourceName() : status.getResourceName());
    status.setMappingsSummaryState(remote.mappingsSummaryState());
    status.setOrganizationId(remote.organizationId());
    status.setSchemaName(remote.schemaName());
    status.setDbKey(remote.dbKey());
    status.setLastSyncTime(remote.mappingsOrEmpty().stream()
        .map(MappingStatusView::lastSyncTime).filter(Objects::nonNull).max(String::compareTo).orElse(null));
  }

  /**
   * status.rateLimit as the budget sees it now. The reservation ({@code reserved}) belongs to the
   * spend journal, which writes it on its own; this write keeps the value the object had, so it
   * can never take back a newer reservation.
   */
  private void showBudget(HerokuConnectionStatus status, RateLimitStatus recorded) {
    String id = status.getConnectionId();
    if (id == null || !budget.knows(id)) {
      status.setRateLimit(recorded);
      return;
    }
    ApiBudget.Usage u = budget.usage(id);
    RateLimitStatus rl = new RateLimitStatus();
    rl.setDailyLimit(u.dailyLimit());
    rl.setUsed(u.used());
    rl.setUsedAsOf(u.usedAsOf().toString());
    rl.setRemaining(u.remaining());
    rl.setThrottledUntil(u.throttledUntil() == null ? null : u.throttledUntil().toString());
    rl.setReserved(recorded != null && recorded.getReserved() != null ? recorded.getReserved() : u.reserved());
    status.setRateLimit(rl);
  }

  /**
   * The add-on itself is never deleted (the API cannot). The finalizer stays while any
   * HerokuMapping still uses this connection, so their cleanup can reach the API; then the
   * credentials Secret is released (if no other connection needs it).
   */
  @Override
  public ManagedLoop.Deletion delete(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    ConnectionDecisions.Deletion d = ConnectionDecisions.deletion(mappingsOf.apply(ctx.resource()));
    ctx.note(d.event());
    return switch (d.step()) { // exhaustive: a new step fails to compile until it is acted on
      case WAIT_FOR_MAPPINGS -> ManagedLoop.Deletion.waitFor(intervals.settling());
      case RELEASE_CREDENTIALS -> releaseCredentials(ctx);
    };
  }

  private ManagedLoop.Deletion releaseCredentials(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    HerokuConnection c = ctx.resource();
    try {
      credentials.releaseAll(c);
    } catch (RuntimeException e) {
      ctx.warning(c, "ReleaseFailed", "could not remove the finalizer " + CredentialsGuard.FINALIZER + " from the credentials Secret ("
          + e.getMessage() + "); trying again with backoff");
      return ManagedLoop.Deletion.retry();
    }
    forget(c);
    return ManagedLoop.Deletion.DONE;
  }

  /**
   * The connection's cleanup is done: what was kept for it goes (its client, its authorization-URL
   * memo) and, unless another HerokuConnection stands for the same add-on or app, its snapshot and
   * its budget accounts (those keep the day's spend until their window empties: {@link ApiBudget#release}).
   */
  @Override
  public void retain(java.util.Set<String> live) {
    askedFor.keySet().retainAll(live);
  }

  @Override
  public void deleted(HerokuConnection c) {
    directory.markGone(c); // it owns the add-on no more, though the caches show it a moment longer
  }

  private void forget(HerokuConnection c) {
    String uid = c.getMetadata().getUid();
    connector.forget(c);
    askedFor.remove(uid);
    String id = Directory.connectionIdOf(c);
    if (id != null && directory.connectionsUsing(id).stream().allMatch(o -> uid.equals(o.getMetadata().getUid()))) {
      snapshots.forget(id);
      budget.release(id);
    }
    String app = c.getSpec().getAppName();
    if (app != null && directory.allConnections().stream()
        .noneMatch(o -> !uid.equals(o.getMetadata().getUid()) && app.equals(o.getSpec().getAppName()))) {
      budget.release(dev.herokuconnect.operator.connect.DiscoveryApi.budgetKey(app));
    }
  }
}
