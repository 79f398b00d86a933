package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingSpec;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.MappingStatusView;
import dev.herokuconnect.operator.reconciler.cluster.Ownership;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Freshness;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Snapshot;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
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
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Facts;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Plan;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The HerokuMapping's part of the loop: observe (the connection, ownership, the shared snapshot),
 * decide ({@link MappingDecisions}), act (through {@link MappingClient}), report (status).
 */
public final class MappingSync implements ManagedLoop.Sync<HerokuMapping, HerokuMappingStatus> {
  private final Directory directory;
  private final Connector connector;
  private final Connector.Secrets secrets;
  private final SnapshotCache snapshots;
  private final Intervals intervals;
  private final java.time.Clock clock;
  private final ActionLedger actions;
  private final WriteErrors writeErrors;

  public MappingSync(Directory directory, Connector connector, Connector.Secrets secrets, SnapshotCache snapshots,
              Intervals intervals, java.time.Clock clock, ActionLedger actions) {
    this.directory = directory;
    this.connector = connector;
    this.secrets = secrets;
    this.snapshots = snapshots;
    this.intervals = intervals;
    this.clock = clock;
    this.actions = actions;
    this.writeErrors = new WriteErrors(clock, intervals);
  }

  public int held() { return writeErrors.held(); }

  /** The mapping's cleanup is done: what was kept for it goes. */
  @Override
  public void retain(java.util.Set<String> live) {
    writeErrors.retain(live);
  }

  @Override
  public void deleted(HerokuMapping m) {
    writeErrors.forget(m.getMetadata().getUid());
    directory.markGone(m); // it claims nothing from now on, though the caches show it a moment longer
  }

  @Override
  public HerokuMappingStatus newStatus() {
    return new HerokuMappingStatus();
  }

  @Override
  public Management management(HerokuMapping m) {
    return Management.of(m, m.getSpec().getDeletionPolicy(), connection(m).orElse(null));
  }

  @Override
  public String doing(HerokuMapping m) {
    return "reconciling mapping " + m.getSpec().getObjectName();
  }

  @Override
  public String credentialsHint(HerokuMapping m) {
    return "fix the credentials of HerokuConnection " + Binding.of(m).connectionName();
  }

  /** The HerokuConnection the mapping is bound to (its first connectionRef, never an edited one). */
  private Optional<HerokuConnection> connection(HerokuMapping m) {
    return directory.connection(m.getMetadata().getNamespace(), Binding.of(m).connectionName());
  }

  /** The connection and its client, or why the mapping must wait. */
  record Link(HerokuConnection connection, Connector.Connected connected, Outcome waiting) {}

  Link link(HerokuMapping m) {
    String name = Binding.of(m).connectionName();
    Optional<HerokuConnection> conn = connection(m);
    if (conn.isEmpty()) {
      return new Link(null, null, Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection "
          + m.getMetadata().getNamespace() + "/" + name + " (spec.connectionRef) not found", StateTable.Requeue.REFRESH));
    }
    HerokuConnectionStatus cs = conn.get().getStatus();
    String state = cs == null ? null : cs.getState();
    boolean stalled = Conditions.isTrue(cs, Conditions.STALLED)
        && !Reasons.REMOTE_ERROR.equals(Conditions.find(cs, Conditions.STALLED).get().getReason());
    if (state == null || stalled) {
      String why = cs == null ? "not reconciled yet" : Conditions.find(cs, Conditions.READY)
          .map(c -> c.getReason() + ": " + c.getMessage()).orElse("state " + state);
      return new Link(conn.get(), null, Outcome.progressing(Reasons.CONNECTION_NOT_READY, "waiting for HerokuConnection " + name
          + " (" + why + ")", StateTable.Requeue.SETTLING)); // costs no request; a change of the connection wakes it too
    }
    Connector.Result r = connectTo(conn.get());
    if (!r.ok()) return new Link(conn.get(), null, r.problem());
    String bound = Binding.of(m).connectionId();
    if (bound != null && !bound.equals(r.connected().connectionId())) { // identity: never re-derived from where the connection went
      return new Link(conn.get(), null, Outcome.stalled(Reasons.ADDON_CHANGED, MappingDecisions.addonChanged(name, bound,
          r.connected().connectionId()) + ": nothing is written. If add-on " + bound + " is gone for good, delete this HerokuMapping "
          + "(it deletes nothing elsewhere) and apply it again to create the mapping on the new add-on", StateTable.Requeue.REFRESH));
    }
    if (!directory.ownsAddon(conn.get(), r.connected().connectionId())) {
      return new Link(conn.get(), null, Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection " + name
          + " does not own its add-on (see its status)", StateTable.Requeue.REFRESH));
    }
    return new Link(conn.get(), r.connected(), null);
  }

  /**
   * A client for the connection's add-on. A URL of the connection's that is refused (its host not
   * allowed) is the connection's to fix, not this mapping's spec: the mapping waits for it.
   */
  private Connector.Result connectTo(HerokuConnection c) {
    try {
      return connector.connectKnown(c, secrets);
    } catch (dev.herokuconnect.operator.connect.RefusedUrl refused) {
      return Connector.Result.failed(Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection "
          + c.getMetadata().getName() + " cannot be reached: " + refused.getMessage(), StateTable.Requeue.SETTLING));
    }
  }

  @Override
  public Outcome sync(Reconcile<HerokuMapping, HerokuMappingStatus> ctx) {
    HerokuMapping m = ctx.resource();
    HerokuMappingStatus status = ctx.status();
    ManagedLoop.Pass pass = ctx.pass();
    Binding.bind(m, status);
    // observe
    Link link = link(m);
    Snapshot seen = link.waiting() == null ? observe(m, status, pass, link.connected()) : null;
    Facts facts = facts(m, status, pass, link, seen);
    // decide
    Plan plan = MappingDecisions.plan(facts);
    if (plan.stop() != null && plan.steps().isEmpty()) return keepMessage(plan.stop(), status);
    // act
    Mapping remote = facts.remote();
    MappingClient client = link.connected() == null ? null
        : new MappingClient(snapshots, link.connected().connectionId(), link.connected().api().withPriority(Priority.USER));
    List<Step> done = new ArrayList<>();
    for (Step step : plan.steps()) {
      remote = act(step, ctx, facts, client, remote);
      done.add(step);
    }
    // report
    List<String> drift = remote == null ? List.of() : MappingConfigs.differences(m.getSpec(), configOf(remote));
    status.setDrift(pass.management().observeOnly() ? drift : List.of());
    if (remote == null) return plan.stop();
    status.setConnectionId(link.connected().connectionId());
    fillStatus(status, remote);
    writeErrors.read(ctx, remote, link.connected().api());
    return plan.stop() != null ? keepMessage(plan.stop(), status) : MappingDecisions.outcome(facts, remote, done, drift);
  }

  /** A repeated refusal keeps the message the API gave when it refused. */
  private static Outcome keepMessage(Outcome o, HerokuMappingStatus status) {
    if (o.message() != null) return o;
    String was = Conditions.find(status, Conditions.STALLED).map(c -> c.getMessage()).orElse("the API refused this spec");
    return new Outcome(o.kind(), o.reason(), was, o.requeue(), o.after());
  }

  /** The remote mapping, from the connection's shared snapshot; a create is never decided on a stale one. Null: nothing to read. */
  private Snapshot observe(HerokuMapping m, HerokuMappingStatus status, ManagedLoop.Pass pass, Connector.Connected c) {
    if (directory.mappingConflict(m, c.connectionId()).isPresent()) return null;
    boolean ready = Conditions.isTrue(status, Conditions.READY);
    Freshness want = Freshness.within(pass.refreshRequested() ? java.time.Duration.ZERO
        : ready && !pass.specChanged() ? intervals.refresh().minusSeconds(1) : intervals.settling(), pass.priority());
    Snapshot snap = snapshots.get(c.connectionId(), c.api(), want);
    Binding b = Binding.of(m);
    if (snap.mappingById(b.mappingId()).isEmpty() && snap.mappingByObject(b.objectName()).isEmpty()) {
      // Absent from a snapshot taken before this object existed (or long ago) proves nothing: read again once,
      // shared with every mapping of the connection that waits for the same.
      // creationTimestamp is cut to the second: a read must start after the next second (or now, if that is sooner)
      Instant created = Instant.parse(m.getMetadata().getCreationTimestamp()).plusSeconds(1);
      Instant notBefore = b.mappingId() != null ? pass.now().minus(intervals.settling())
          : created.isBefore(pass.now()) ? created : pass.now();
      if (snap.fetchedAt().isBefore(notBefore) || snap.fetchedAt().equals(notBefore)) {
        snap = snapshots.get(c.connectionId(), c.api(), Freshness.now(Priority.USER).takenAfter(notBefore.plusMillis(1)));
      }
    }
    return snap;
  }

  private Facts facts(HerokuMapping m, HerokuMappingStatus status, ManagedLoop.Pass pass, Link link, Snapshot seen) {
    String conflict = link.connected() == null ? null
        : directory.mappingConflict(m, link.connected().connectionId()).map(Ownership.Claimant::ref).orElse(null);
    return MappingDecisions.facts(m, status, pass.management(), conflict, link.waiting(), seen == null ? null : seen.connection());
  }

  private Mapping act(Step step, Reconcile<HerokuMapping, HerokuMappingStatus> ctx, Facts facts, MappingClient client,
                      Mapping remote) {
    HerokuMapping m = ctx.resource();
    HerokuMappingStatus status = ctx.status();
    String object = m.getSpec().getObjectName();
    boolean writes = facts.management().writes();
    return switch (step) { // exhaustive: a new step fails to compile until it is acted on
      case ADOPT -> {
        if (writes && !remote.id().equals(status.getMappingId())) {
          ctx.normal(m, "Adopted", "adopted the existing remote mapping " + remote.id() + " of " + remote.objectName());
        }
        status.setMappingId(remote.id());
        yield remote;
      }
      case CREATE, RECREATE -> {
        Mapping created = create(ctx, client);
        if (!created.id().equals(status.getMappingId())) {
          if (step == Step.RECREATE) {
            ctx.warning(m, "Recreated", "the remote mapping " + status.getMappingId()
                + " was deleted outside the operator; created " + created.id() + " again");
          } else {
            ctx.normal(m, "Created", "created the remote mapping " + created.id() + " of " + object);
          }
          status.setMappingId(created.id());
        }
        yield created;
      }
      case UPDATE -> {
        Mapping edited;
        try {
          edited = client.update(remote, m.getSpec());
        } catch (ConnectApiException.BadRequest refused) {
          status.setRefusedInConnectionState(facts.connectionState());
          throw refused;
        }
        ctx.normal(m, "Updated", "updated the remote mapping " + remote.id() + " of " + object + " to match the spec: "
            + String.join("; ", facts.drift()));
        yield edited;
      }
      case SEND_REQUESTED -> {
        for (Request r : facts.requested()) send(ctx, r, client, remote.id());
        yield remote;
      }
    };
  }

  /** One requested action, recorded before it is sent; the switch fails to compile until a new action is handled. */
  private void send(Reconcile<HerokuMapping, HerokuMappingStatus> ctx, Request r, MappingClient client, String id) {
    Runnable call = switch (r.action()) {
      case RELOAD -> () -> client.reload(id);
      case ABORT -> () -> client.abort(id);
      case RECONCILE, RESTART, VALIDATE -> throw new IllegalStateException(r.action() + " is not a mapping action sent here");
    };
    actions.send(ctx, r, call, r.action().doneReason(), r.action().name().toLowerCase(java.util.Locale.ROOT)
        + " requested (" + r.describe() + ")");
  }

  /** POST; a refusal is read once more: created elsewhere meanwhile → adopted; the connection's state → not the spec's fault. */
  private Mapping create(Reconcile<HerokuMapping, HerokuMappingStatus> ctx, MappingClient client) {
    HerokuMapping m = ctx.resource();
    HerokuMappingStatus status = ctx.status();
    String object = m.getSpec().getObjectName();
    try {
      return client.create(object, MappingConfigs.desired(m.getSpec(), null));
    } catch (ConnectApiException.BadRequest refused) {
      Snapshot now = client.snapshotTakenAfter(clock.instant());
      Optional<Mapping> appeared = now.mappingByObject(object);
      if (appeared.isPresent()) {
        ctx.normal(m, "Adopted", "adopted the remote mapping " + appeared.get().id() + " of " + object
            + ", created elsewhere meanwhile");
        status.setMappingId(appeared.get().id()); // adopted, not created: no Created event follows
        return appeared.get();
      }
      status.setRefusedInConnectionState(now.connection().state());
      if (!StateTable.acceptsMappings(now.connection().state())) {
        throw new RefusedByState(Outcome.progressing(Reasons.CONNECTION_NOT_READY, "the API refused the write because the "
            + "connection is " + now.connection().state() + ": mappings are created and edited once it is set up and authorized",
            StateTable.Requeue.SETTLING));
      }
      throw refused;
    }
  }


  private static MappingConfig configOf(Mapping remote) {
    return remote.config() == null ? new MappingConfig() : remote.config();
  }

  private static void fillStatus(HerokuMappingStatus st, Mapping remote) {
    st.setState(remote.state());
    st.setStateDescription(remote.stateDescription());
    st.setRevision(remote.config() == null ? null : remote.config().revision());
    st.setActivelyWriting(remote.activelyWriting());
    if (remote.counts() != null) {
      st.setCounts(new HerokuMappingStatus.Counts(remote.counts().db(), remote.counts().sf(), remote.counts().errors(), remote.counts().pending()));
    }
    if (remote.times() != null) {
      st.setTimes(new HerokuMappingStatus.Times(remote.times().dbPoll(), remote.times().dbWrite(), remote.times().sfPoll(), remote.times().sfWrite()));
    }
    st.setLastSyncTime(MappingStatusView.lastSyncTime(remote));
  }

  /** The deletion's facts, from the object's binding: an edited spec never changes what its delete removes. */
  private MappingDecisions.DeletionFacts deletionFacts(HerokuMapping m, Management management, Optional<HerokuConnection> conn,
                                                       Connector.Result r) {
    Binding b = Binding.of(m);
    String problem = conn.isEmpty() ? "HerokuConnection " + b.connectionName() + " does not exist; create it again, or set "
        + "deletionPolicy: Orphan" : r == null || r.ok() ? null : r.problem().message();
    String id = r != null && r.ok() ? r.connected().connectionId() : null;
    return new MappingDecisions.DeletionFacts(b.objectName(), management, b.mappingId(), b.connectionName(), conn.isPresent(),
        conn.isPresent() && Directory.connectionIdOf(conn.get()) != null,
        conn.isPresent() && Conditions.isTrueWith(conn.get().getStatus(), Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND),
        problem, b.connectionId(), id, id != null && directory.ownsAddon(conn.get(), id),
        id == null ? null : directory.mappingConflict(m, id).map(Ownership.Claimant::ref).orElse(null),
        id == null ? null : directory.nextOwner(m, id).map(Ownership.Claimant::ref).orElse(null));
  }

  /** Observe, decide ({@link MappingDecisions#deletion}), act: the finalizer goes unless the decision is to wait. */
  @Override
  public ManagedLoop.Deletion delete(Reconcile<HerokuMapping, HerokuMappingStatus> ctx) {
    HerokuMapping m = ctx.resource();
    Management management = ctx.management();
    Optional<HerokuConnection> conn = connection(m);
    boolean needsClient = management.deletesRemote() && conn.isPresent();
    Connector.Result r = needsClient ? connectTo(conn.get()) : null;
    MappingDecisions.Deletion d = MappingDecisions.deletion(deletionFacts(m, management, conn, r));
    ctx.note(d.event());
    return switch (d.step()) { // exhaustive: a new step fails to compile until it is acted on
      case ORPHAN, NOTHING_REMOTE, ADDON_GONE, ADDON_CHANGED, RELEASE, HAND_OVER -> ManagedLoop.Deletion.DONE;
      case WAIT -> ManagedLoop.Deletion.retry();
      case DELETE_REMOTE -> deleteRemote(ctx, r.connected());
    };
  }

  /** The one remote write of a deletion: the bound mapping (by id, else by the bound object), 404 = done. */
  private ManagedLoop.Deletion deleteRemote(Reconcile<HerokuMapping, HerokuMappingStatus> ctx, Connector.Connected c) {
    HerokuMapping m = ctx.resource();
    Binding b = Binding.of(m);
    MappingClient client = new MappingClient(snapshots, c.connectionId(), c.api().withPriority(Priority.USER));
    try {
      Snapshot snap = client.snapshot(Freshness.within(intervals.settling(), Priority.USER));
      Optional<Mapping> remote = snap.mappingById(b.mappingId()).or(() -> snap.mappingByObject(b.objectName()));
      if (remote.isPresent()) {
        client.delete(remote.get().id());
        ctx.normal(m, "Deleted", "deleted the remote mapping " + remote.get().id() + " of " + b.objectName());
      }
      return ManagedLoop.Deletion.DONE;
    } catch (ConnectApiException.NotFound gone) {
      ctx.warning(m, "NotDeleted", MappingDecisions.addonGone(b.connectionName(), b.objectName(), b.mappingId(),
          c.connectionId()));
      return ManagedLoop.Deletion.DONE;
    } catch (ConnectApiException e) {
      return ManagedLoop.Deletion.failed(e, "deleting the remote mapping of " + b.objectName());
    }
  }
}
