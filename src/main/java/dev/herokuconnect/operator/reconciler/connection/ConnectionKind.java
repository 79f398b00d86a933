package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.DiscoveryApi;
import dev.herokuconnect.operator.connect.ValidationPoller;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.RateLimitStatus;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.Decision;
import dev.herokuconnect.operator.reconciler.loop.ExternalClient;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.Kind;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The HerokuConnection kind, as the loop runs it: its external client ({@link ConnectionExternal}),
 * its decisions ({@link ConnectionDecisions}; after writes the loop reads again and decides once
 * more, so a pause waits for the configure before it), its report (the outcome, a validation's
 * progress, the budget), its cleanup ({@link ConnectionCleanup}). No sequencing lives here.
 */
public final class ConnectionKind implements Kind<HerokuConnection, HerokuConnectionStatus, ConnectionObservation, Step> {
  private final Directory directory;
  private final Connector connector;
  private final SnapshotCache snapshots;
  private final ApiBudget budget;
  private final AuthorizationUrls urls = new AuthorizationUrls();
  private final ConnectionExternal external;
  private final ConnectionCleanup cleanup;
  private final Validations validations;

  public ConnectionKind(Directory directory, Connector connector, SnapshotCache snapshots, ApiBudget budget,
                        CredentialsGuard credentials, Intervals intervals, Clock clock, ActionLedger actions) {
    this.directory = directory;
    this.connector = connector;
    this.snapshots = snapshots;
    this.budget = budget;
    this.external = new ConnectionExternal(directory, connector, snapshots, budget, credentials, intervals, clock, actions, urls);
    this.cleanup = new ConnectionCleanup(credentials, this::forget, external);
    this.validations = new Validations(new ValidationPoller(ValidationPoller.Policy.DEFAULT, clock), clock);
  }

  public void useMappingsOf(Function<HerokuConnection, List<String>> mappingsOf) {
    cleanup.useMappingsOf(mappingsOf);
  }

  public void useSecrets(Connector.Secrets secrets) {
    external.useSecrets(secrets);
  }

  /** Entries held, for Controllers.held(). */
  public int held() {
    return urls.held();
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
  public ExternalClient<HerokuConnection, HerokuConnectionStatus, ConnectionObservation, Step> external() {
    return external;
  }

  @Override
  public ConnectionDecisions.Plan decide(ConnectionObservation o) {
    if (o.stop() != null) return ConnectionDecisions.stopped(o.stop());
    if (!o.exists()) return AddonDecisions.beforeConnecting(o.addon()); // spec.addon's add-on, not usable yet: the connection is unread
    ConnectionDecisions.Plan connection = NotificationDecisions.with(ConnectionDecisions.plan(o.facts()), o.notices()); // notifications last
    return o.addon() == null ? connection : AddonDecisions.then(AddonDecisions.plan(o.addon()), connection);
  }

  @Override
  public ConnectionObservation observeAfter(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionObservation o,
                                            List<Step> round) {
    return round.stream().anyMatch(Step::writes) ? external.observeAgain(ctx, o) : o;
  }

  /** The outcome in the state the steps left, the authorization URL kept only while it is needed, and a validation's progress. */
  @Override
  public Outcome report(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionObservation o,
                        Decision<Step> decided, List<Step> done) {
    if (decided.stop() != null) return decided.stop();
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    if (StateTable.CONNECTION.kind(o.remote().state()) != StateTable.Kind.NEEDS_AUTHORIZATION) {
      status.setAuthorizationUrl(null);
      status.setAuthorizationUrlForState(null);
      urls.forget(c);
    }
    reportVersionChange(ctx, o.facts().version());
    Outcome outcome = ConnectionDecisions.outcome(o.facts());
    String planDiffers = o.addon() == null ? null : AddonDecisions.planDiffers(o.addon()); // said, never changed: not ours
    if (planDiffers != null) {
      outcome = new Outcome(outcome.kind(), outcome.reason(), outcome.message() + "; " + planDiffers, outcome.requeue(), outcome.after());
    }
    if (validations.advance(ctx, o.where().api().withPriority(Priority.USER), o.where().connectionId())) {
      // a validation waits for its result: poll again after the poller's interval (its bounds end it)
      return new Outcome(outcome.kind(), outcome.reason(), outcome.message(), null, validations.pollEvery());
    }
    return outcome;
  }

  /**
   * Where a Salesforce API version change stands when no step records it: Previewed, Blocked,
   * Complete (one Event when the read confirms it), Abandoned (the spec no longer asks for it),
   * Refused (the spec asks for a version that may never be sent: recorded, so that the mappings
   * know the connection's only trouble is its version and keep syncing).
   */
  private void reportVersionChange(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ApiVersionDecisions.Facts f) {
    HerokuConnectionStatus status = ctx.status();
    ApiVersionChangeStatus change = status.getApiVersionChange();
    Outcome refused = ApiVersionDecisions.refused(f);
    if (refused != null) {
      ApiVersionChanges.recordRefused(status, f.want(), f.live(), refused.message());
      return;
    }
    if (change == null) return;
    ApiVersionDecisions.Decision d = ApiVersionDecisions.decide(f);
    String phase = d.phase();
    if (d.step() == null && phase == null) { // nothing to do now: a recorded change may have ended
      if (change.getTarget() != null && change.getTarget().equals(f.live())) phase = ApiVersionDecisions.COMPLETE;
      else if (f.want() == null || f.want().isBlank() || !f.want().equals(change.getTarget())) phase = ApiVersionDecisions.ABANDONED;
    }
    if (d.step() == null && phase != null && !phase.equals(change.getPhase())) {
      change.setPhase(phase);
      if (ApiVersionDecisions.COMPLETE.equals(phase)) {
        change.setCompletedAt(ctx.now().toString());
        ctx.normal(ctx.resource(), "ApiVersionChangeComplete", "the Salesforce API version is now " + change.getTarget() + " (was "
            + change.getFrom() + ")");
      } else if (ApiVersionDecisions.ABANDONED.equals(phase)) {
        ctx.normal(ctx.resource(), "ApiVersionChangeAbandoned", "spec.salesforce.apiVersion no longer asks for " + change.getTarget()
            + "; the Salesforce API version stays " + f.live());
      }
    }
    change.setMessage(d.outcome() != null ? d.outcome().message()
        : ApiVersionDecisions.COMPLETE.equals(change.getPhase()) ? "changed from " + change.getFrom() + " to " + change.getTarget()
        : ApiVersionDecisions.ABANDONED.equals(change.getPhase()) ? "not changed: spec.salesforce.apiVersion no longer asks for "
            + change.getTarget()
        : change.getMessage());
  }

  /**
   * status.rateLimit as the budget sees it now, whatever the pass met. The reservation
   * ({@code reserved}) belongs to the spend journal, which writes it on its own; this write keeps
   * the value the object had, so it can never take back a newer reservation.
   */
  @Override
  public void reportAlways(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    HerokuConnectionStatus status = ctx.status();
    RateLimitStatus recorded = status.getRateLimit();
    String id = status.getConnectionId();
    if (id == null || !budget.knows(id)) return;
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

  @Override
  public Cleanup<HerokuConnection, HerokuConnectionStatus, ?, ?> cleanup() {
    return cleanup;
  }

  @Override
  public void retain(Set<String> live) {
    urls.retain(live);
    connector.retain(live);
  }

  @Override
  public void deleted(HerokuConnection c) {
    directory.markGone(c); // it owns the add-on no more, though the caches show it a moment longer
  }

  /**
   * The connection's cleanup is done: what was kept for it goes (its client, its authorization-URL
   * memo) and, unless another HerokuConnection stands for the same add-on or app, its snapshot and
   * its budget accounts (those keep the day's spend until their window empties: {@link ApiBudget#release}).
   */
  private void forget(HerokuConnection c) {
    String uid = c.getMetadata().getUid();
    connector.forget(c);
    urls.forget(c);
    external.forget(c);
    String id = Directory.connectionIdOf(c);
    if (id != null && directory.connectionsUsing(id).stream().allMatch(o -> uid.equals(o.getMetadata().getUid()))) {
      snapshots.forget(id);
      budget.release(id);
    }
    String app = c.getSpec().getAppName();
    if (app != null && directory.allConnections().stream()
        .noneMatch(o -> !uid.equals(o.getMetadata().getUid()) && app.equals(o.getSpec().getAppName()))) {
      budget.release(DiscoveryApi.budgetKey(app));
    }
  }
}
