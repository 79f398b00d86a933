package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionSpec;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.RateLimitStatus;
import dev.herokuconnect.operator.crd.SalesforceSpec;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.ConnectionDecisions.Facts;
import dev.herokuconnect.operator.reconciler.ConnectionDecisions.Plan;
import dev.herokuconnect.operator.reconciler.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.SnapshotCache.Freshness;
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
final class ConnectionSync implements ManagedLoop.Sync<HerokuConnection, HerokuConnectionStatus> {
  private final Directory directory;
  private final Connector connector;
  private final SnapshotCache snapshots;
  private final ApiBudget budget;
  private final CredentialsGuard credentials;
  private final ManagedLoop loop;
  private final ActionLedger actions;
  private final Validations validations;
  private volatile Connector.Secrets secrets = (ns, name) -> Optional.empty();
  /**
   * The authorization URL asked for, per object and entry (state@generation): a reconcile that reads a
   * status from before its own write (or whose write was lost) shows this URL again rather than asking twice.
   */
  private record Asked(String entry, String url) {}

  private final Map<String, Asked> askedFor = new ConcurrentHashMap<>();

  ConnectionSync(Directory directory, Connector connector, SnapshotCache snapshots, ApiBudget budget,
                 CredentialsGuard credentials, ManagedLoop loop, ActionLedger actions) {
    this.directory = directory;
    this.connector = connector;
    this.snapshots = snapshots;
    this.budget = budget;
    this.credentials = credentials;
    this.loop = loop;
    this.actions = actions;
    this.validations = new Validations(loop.events());
  }

  /** Entries held, for {@link Controllers#held()}. */
  int held() {
    return askedFor.size();
  }

  void useSecrets(Connector.Secrets secrets) {
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
  public Outcome sync(HerokuConnection c, HerokuConnectionStatus status, ManagedLoop.Pass pass) {
    RateLimitStatus recorded = status.getRateLimit();
    try {
      return syncRemote(c, status, pass);
    } finally {
      showBudget(status, recorded);
    }
  }

  private Outcome syncRemote(HerokuConnection c, HerokuConnectionStatus status, ManagedLoop.Pass pass) {
    // observe: the token and where the add-on is
    String secretName = c.getSpec().getCredentials().getSecretRef().getName();
    Optional<Secret> secret = secrets.get(c.getMetadata().getNamespace(), secretName);
    if (pass.management().writes()) credentials.hold(c, secret, status);
    Request restart = pending(c, status);
    Priority priority = restart != null ? Priority.USER : pass.priority();
    Connector.Result r = connector.connect(c, secret, priority, pass.management().writes());
    if (!r.ok()) return r.problem();
    Connector.Connected where = r.connected();
    String id = where.connectionId();
    status.setConnectionId(id);
    status.setApiUrl(where.apiRoot());
    if (where.resourceName() != null) status.setResourceName(where.resourceName());
    Optional<Ownership.Claimant> owner = directory.connectionConflict(c, id);
    Instant throttledUntil = budget.throttledUntil(id);
    if (owner.isEmpty() && throttledUntil != null) {
      return ConnectionDecisions.throttled(throttledUntil, loop.until(throttledUntil));
    }
    Connection remote;
    if (owner.isPresent()) {
      remote = snapshots.peek(id).map(SnapshotCache.Snapshot::connection).orElse(null); // nothing is sent for a non-owner
    } else {
      boolean fresh = pass.specChanged() || restart != null || pass.refreshRequested();
      Duration maxAge = fresh ? Duration.ZERO
          : Conditions.isTrue(status, Conditions.READY) ? loop.intervals().refresh().minusSeconds(1) : loop.intervals().settling();
      try {
        remote = snapshots.get(id, where.api(), Freshness.within(maxAge, priority)).connection();
      } catch (ConnectApiException.NotFound gone) {
        return connectionGone(c, status, id);
      }
    }
    // decide and act, twice at most: the writes change the state that the next decisions read
    for (int round = 0; remote != null && round < 2; round++) {
      Facts facts = facts(c, status, pass, owner, remote, restart);
      Plan plan = ConnectionDecisions.plan(facts);
      if (plan.stop() != null) {
        fillStatus(status, remote);
        return plan.stop();
      }
      if (plan.steps().isEmpty()) break;
      boolean wrote = false;
      for (Step step : plan.steps()) wrote |= act(step, c, status, where.api().withPriority(Priority.USER), id, restart, facts.state());
      if (plan.steps().contains(Step.RESTART)) restart = null;
      if (wrote) remote = snapshots.get(id, where.api(), Freshness.now(Priority.USER).takenAfter(loop.clock().instant())).connection();
    }
    // report
    if (remote == null) return ConnectionDecisions.conflict(owner.get().ref()); // a non-owner, before any snapshot
    fillStatus(status, remote);
    if (StateTable.CONNECTION.kind(remote.state()) != StateTable.Kind.NEEDS_AUTHORIZATION) {
      status.setAuthorizationUrl(null);
      status.setAuthorizationUrlForState(null);
      askedFor.remove(c.getMetadata().getUid());
    }
    Outcome outcome = ConnectionDecisions.outcome(facts(c, status, pass, owner, remote, restart));
    if (validations.advance(c, status, where.api().withPriority(Priority.USER), id, loop.clock().instant(),
        pass.management().writes())) {
      // a validation waits for its result: look again soon (the loop's backoff paces the polls)
      return new Outcome(outcome.kind(), outcome.reason(), outcome.message(), StateTable.Requeue.SETTLING, null);
    }
    return outcome;
  }

  private static Request pending(HerokuConnection c, HerokuConnectionStatus status) {
    String v = RequestedAction.RESTART.pending(c, status);
    return v == null ? null : new Request(RequestedAction.RESTART, v);
  }

  private Facts facts(HerokuConnection c, HerokuConnectionStatus status, ManagedLoop.Pass pass, Optional<Ownership.Claimant> owner,
                      Connection remote, Request restart) {
    HerokuConnectionSpec spec = c.getSpec();
    String state = remote.state();
    String entry = state + "@" + c.getMetadata().getGeneration();
    Asked memo = askedFor.get(c.getMetadata().getUid());
    if (memo != null && memo.entry().equals(entry) && status.getAuthorizationUrl() == null) {
      status.setAuthorizationUrl(memo.url());
      status.setAuthorizationUrlForState(state);
    }
    boolean asked = state != null && state.equals(status.getAuthorizationUrlForState()) && status.getAuthorizationUrl() != null;
    return new Facts(c.getMetadata().getName(), pass.management(), owner.map(Ownership.Claimant::ref).orElse(null), state,
        remote.mappingsSummaryState(), remote.dbKey(), remote.schemaName(), spec.getDatabase().getConfigVar(),
        spec.getDatabase().getSchema(), spec.isPaused(), restart, asked, spec.getSalesforce().getEnvironment().apiValue());
  }

  private boolean act(Step step, HerokuConnection c, HerokuConnectionStatus status, ConnectionApi api, String id, Request restart,
                      String state) {
    HerokuConnectionSpec spec = c.getSpec();
    switch (step) {
      case CONFIGURE_DATABASE -> {
        api.configureDatabase(id, spec.getDatabase().getConfigVar(), spec.getDatabase().getSchema());
        loop.events().normal(c, "Configured", "set db_key " + spec.getDatabase().getConfigVar() + " and schema_name "
            + spec.getDatabase().getSchema());
        return true;
      }
      case RESTART -> {
        actions.send(c, status, restart, () -> api.restart(id), "Restarted", ConnectionDecisions.restartMessage(restart));
        return true;
      }
      case PAUSE -> {
        api.pause(id);
        loop.events().normal(c, "Paused", "paused the connection (spec.paused: true)");
        return true;
      }
      case RESUME -> {
        api.resume(id);
        loop.events().normal(c, "Resumed", "resumed the connection (spec.paused: false)");
        return true;
      }
      case ASK_AUTHORIZATION_URL -> {
        SalesforceSpec sf = spec.getSalesforce();
        String url = api.authorizeUrl(id, new Model.AuthorizeRequest(sf.getEnvironment().apiValue(), sf.getDomain(),
            sf.getApiVersion(), sf.getRedirectUrl()));
        askedFor.put(c.getMetadata().getUid(), new Asked(state + "@" + c.getMetadata().getGeneration(), url));
        status.setAuthorizationUrl(url);
        status.setAuthorizationUrlForState(state);
        return false;
      }
      default -> throw new IllegalStateException(step.name());
    }
  }

  /** 404 for the connection: terminal; a discovered add-on is looked for again (with backoff), a pinned one is the spec's fault. */
  private Outcome connectionGone(HerokuConnection c, HerokuConnectionStatus status, String id) {
    boolean pinned = c.getSpec().getConnectionId() != null && !c.getSpec().getConnectionId().isBlank();
    snapshots.forget(id);
    connector.forget(c);
    if (!pinned) {
      status.setConnectionId(null);
      status.setApiUrl(null);
    }
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
  ManagedLoop.Deletion delete(HerokuConnection c, java.util.List<String> users) {
    if (!users.isEmpty()) {
      loop.events().normal(c, Reasons.DELETING, "waiting for " + users.size() + " HerokuMapping(s) that use this connection to be deleted: "
          + String.join(", ", users));
      return ManagedLoop.Deletion.waitFor(loop.intervals().settling());
    }
    try {
      credentials.releaseAll(c);
    } catch (RuntimeException e) {
      Duration again = loop.retryDelay(c);
      loop.events().warning(c, "ReleaseFailed", "could not remove the finalizer " + CredentialsGuard.FINALIZER + " from the credentials Secret ("
          + e.getMessage() + "); trying again in " + again.toSeconds() + " s");
      return ManagedLoop.Deletion.waitFor(again);
    }
    forget(c);
    return ManagedLoop.Deletion.DONE;
  }

  /**
   * The connection's cleanup is done: what was kept for it goes (its client, its authorization-URL
   * memo) and, unless another HerokuConnection stands for the same add-on or app, its snapshot and
   * its budget accounts (those keep the day's spend until their window empties: {@link ApiBudget#release}).
   */
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
