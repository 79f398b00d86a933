package dev.herokuconnect.operator.reconciler;

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
import dev.herokuconnect.operator.reconciler.MappingDecisions.Facts;
import dev.herokuconnect.operator.reconciler.MappingDecisions.Plan;
import dev.herokuconnect.operator.reconciler.MappingDecisions.Step;
import dev.herokuconnect.operator.reconciler.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.SnapshotCache.Freshness;
import dev.herokuconnect.operator.reconciler.SnapshotCache.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The HerokuMapping's part of the loop: observe (the connection, ownership, the shared snapshot),
 * decide ({@link MappingDecisions}), act (through {@link MappingClient}), report (status).
 */
final class MappingSync implements ManagedLoop.Sync<HerokuMapping, HerokuMappingStatus> {
  private final Directory directory;
  private final Connector connector;
  private final Connector.Secrets secrets;
  private final SnapshotCache snapshots;
  private final ManagedLoop loop;
  private final ActionLedger actions;
  private final WriteErrors writeErrors;

  MappingSync(Directory directory, Connector connector, Connector.Secrets secrets, SnapshotCache snapshots,
              ManagedLoop loop, ActionLedger actions) {
    this.directory = directory;
    this.connector = connector;
    this.secrets = secrets;
    this.snapshots = snapshots;
    this.loop = loop;
    this.actions = actions;
    this.writeErrors = new WriteErrors(loop.events(), loop.clock(), loop.intervals());
  }

  int held() { return writeErrors.held(); }

  /** The mapping's cleanup is done: what was kept for it goes. */
  void forget(HerokuMapping m) { writeErrors.forget(m.getMetadata().getUid()); }

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
    return "fix the credentials of HerokuConnection " + m.getSpec().getConnectionRef().getName();
  }

  private Optional<HerokuConnection> connection(HerokuMapping m) {
    return directory.connection(m.getMetadata().getNamespace(), m.getSpec().getConnectionRef().getName());
  }

  /** The connection and its client, or why the mapping must wait. */
  record Link(HerokuConnection connection, Connector.Connected connected, Outcome waiting) {}

  Link link(HerokuMapping m) {
    String name = m.getSpec().getConnectionRef().getName();
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
    Connector.Result r = connector.connectKnown(conn.get(), secrets);
    if (!r.ok()) return new Link(conn.get(), null, r.problem());
    if (!directory.ownsAddon(conn.get(), r.connected().connectionId())) {
      return new Link(conn.get(), null, Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection " + name
          + " does not own its add-on (see its status)", StateTable.Requeue.REFRESH));
    }
    return new Link(conn.get(), r.connected(), null);
  }

  @Override
  public Outcome sync(HerokuMapping m, HerokuMappingStatus status, ManagedLoop.Pass pass) {
    // observe
    Link link = link(m);
    Observed seen = link.waiting() == null ? observe(m, status, pass, link.connected()) : Observed.NONE;
    Facts facts = facts(m, status, pass, link, seen);
    // decide
    Plan plan = MappingDecisions.plan(facts);
    if (plan.stop() != null && plan.steps().isEmpty()) return keepMessage(plan.stop(), status);
    // act
    Mapping remote = facts.remote();
    MappingClient client = link.connected() == null ? null
        : new MappingClient(snapshots, link.connected().connectionId(), link.connected().api().withPriority(Priority.USER));
    List<Step> done = new ArrayList<>();
    try {
      for (Step step : plan.steps()) {
        remote = act(step, m, status, facts, client, remote, seen);
        done.add(step);
      }
    } catch (ConnectionNotReady e) {
      return Outcome.progressing(Reasons.CONNECTION_NOT_READY, "the API refused the write because the connection is " + e.state
          + ": mappings are created and edited once it is set up and authorized", StateTable.Requeue.SETTLING);
    }
    // report
    List<String> drift = remote == null ? List.of() : MappingConfigs.differences(m.getSpec(), configOf(remote));
    status.setDrift(pass.management().observeOnly() ? drift : List.of());
    status.setObjectName(m.getSpec().getObjectName());
    status.setConnectionName(m.getSpec().getConnectionRef().getName());
    if (remote == null) return plan.stop();
    status.setConnectionId(link.connected().connectionId());
    fillStatus(status, remote);
    writeErrors.read(m, status, remote, link.connected().api());
    return plan.stop() != null ? keepMessage(plan.stop(), status) : MappingDecisions.outcome(facts, remote, done, drift);
  }

  /** A repeated refusal keeps the message the API gave when it refused. */
  private static Outcome keepMessage(Outcome o, HerokuMappingStatus status) {
    if (o.message() != null) return o;
    String was = Conditions.find(status, Conditions.STALLED).map(c -> c.getMessage()).orElse("the API refused this spec");
    return new Outcome(o.kind(), o.reason(), was, o.requeue(), o.after());
  }

  private record Observed(Snapshot snapshot, Mapping byId, Mapping byObject) {
    static final Observed NONE = new Observed(null, null, null);
  }

  /** The remote mapping, from the connection's shared snapshot; a create is never decided on a stale one. */
  private Observed observe(HerokuMapping m, HerokuMappingStatus status, ManagedLoop.Pass pass, Connector.Connected c) {
    if (directory.mappingConflict(m, c.connectionId()).isPresent()) return Observed.NONE;
    boolean ready = Conditions.isTrue(status, Conditions.READY);
    Freshness want = Freshness.within(pass.refreshRequested() ? java.time.Duration.ZERO
        : ready && !pass.specChanged() ? loop.intervals().refresh().minusSeconds(1) : loop.intervals().settling(), pass.priority());
    Snapshot snap = snapshots.get(c.connectionId(), c.api(), want);
    Mapping byId = snap.mappingById(status.getMappingId()).orElse(null);
    Mapping byObject = byId != null ? null : snap.mappingByObject(m.getSpec().getObjectName()).orElse(null);
    if (byId == null && byObject == null) {
      // Absent from a snapshot taken before this object existed (or long ago) proves nothing: read again once,
      // shared with every mapping of the connection that waits for the same.
      // creationTimestamp is cut to the second: a read must start after the next second (or now, if that is sooner)
      Instant created = Instant.parse(m.getMetadata().getCreationTimestamp()).plusSeconds(1);
      Instant notBefore = status.getMappingId() != null ? pass.now().minus(loop.intervals().settling())
          : created.isBefore(pass.now()) ? created : pass.now();
      if (snap.fetchedAt().isBefore(notBefore) || snap.fetchedAt().equals(notBefore)) {
        snap = snapshots.get(c.connectionId(), c.api(), Freshness.now(Priority.USER).takenAfter(notBefore.plusMillis(1)));
        byId = snap.mappingById(status.getMappingId()).orElse(null);
        byObject = byId != null ? null : snap.mappingByObject(m.getSpec().getObjectName()).orElse(null);
      }
    }
    return new Observed(snap, byId, byObject);
  }

  private Facts facts(HerokuMapping m, HerokuMappingStatus status, ManagedLoop.Pass pass, Link link, Observed seen) {
    HerokuMappingSpec spec = m.getSpec();
    Optional<String> conflict = link.connected() == null ? Optional.empty()
        : directory.mappingConflict(m, link.connected().connectionId()).map(Ownership.Claimant::ref);
    Mapping found = seen.byId() != null ? seen.byId() : seen.byObject();
    List<String> drift = found == null ? List.of() : MappingConfigs.differences(spec, configOf(found));
    List<Request> requested = Stream.of(RequestedAction.RELOAD, RequestedAction.ABORT)
        .map(a -> {
          String v = a.pending(m, status);
          return v == null ? null : new Request(a, v);
        }).filter(java.util.Objects::nonNull).toList();
    boolean refused = Conditions.isTrueWith(status, Conditions.STALLED, Reasons.INVALID_SPEC);
    String connectionState = seen.snapshot() == null ? null : seen.snapshot().connection().state();
    return new Facts(spec.getObjectName(), status.getObjectName(), spec.getConnectionRef().getName(), status.getConnectionName(),
        m.getMetadata().getGeneration(), status.getObservedGeneration(), refused, status.getRefusedInConnectionState(),
        pass.management(), conflict.orElse(null), link.waiting(), status.getMappingId(), seen.byId(), seen.byObject(), drift,
        connectionState, requested);
  }

  private Mapping act(Step step, HerokuMapping m, HerokuMappingStatus status, Facts facts, MappingClient client,
                      Mapping remote, Observed seen) {
    String object = m.getSpec().getObjectName();
    boolean writes = facts.management().writes();
    switch (step) {
      case ADOPT -> {
        if (writes && !remote.id().equals(status.getMappingId())) {
          loop.events().normal(m, "Adopted", "adopted the existing remote mapping " + remote.id() + " of " + remote.objectName());
        }
        status.setMappingId(remote.id());
        return remote;
      }
      case CREATE, RECREATE -> {
        Mapping created = create(m, status, client, seen);
        if (created.id().equals(status.getMappingId())) return created;
        if (step == Step.RECREATE) {
          loop.events().warning(m, "Recreated", "the remote mapping " + status.getMappingId()
              + " was deleted outside the operator; created " + created.id() + " again");
        } else {
          loop.events().normal(m, "Created", "created the remote mapping " + created.id() + " of " + object);
        }
        status.setMappingId(created.id());
        return created;
      }
      case UPDATE -> {
        Mapping edited;
        try {
          edited = client.update(remote, m.getSpec());
        } catch (ConnectApiException.BadRequest refused) {
          status.setRefusedInConnectionState(facts.connectionState());
          throw refused;
        }
        loop.events().normal(m, "Updated", "updated the remote mapping " + remote.id() + " of " + object + " to match the spec: "
            + String.join("; ", facts.drift()));
        return edited;
      }
      case RELOAD, ABORT -> {
        RequestedAction action = step == Step.RELOAD ? RequestedAction.RELOAD : RequestedAction.ABORT;
        Request r = facts.requested().stream().filter(x -> x.action() == action).findFirst().orElseThrow();
        String id = remote.id();
        actions.send(m, status, r, () -> {
          if (action == RequestedAction.RELOAD) client.reload(id);
          else client.abort(id);
        }, step == Step.RELOAD ? "Reloaded" : "Aborted", action.name().toLowerCase(java.util.Locale.ROOT) + " requested ("
            + r.describe() + ")");
        return remote;
      }
      default -> throw new IllegalStateException(step.name());
    }
  }

  /** POST; a refusal is read once more: created elsewhere meanwhile → adopted; the connection's state → not the spec's fault. */
  private Mapping create(HerokuMapping m, HerokuMappingStatus status, MappingClient client, Observed seen) {
    String object = m.getSpec().getObjectName();
    try {
      return client.create(object, MappingConfigs.desired(m.getSpec(), null));
    } catch (ConnectApiException.BadRequest refused) {
      Snapshot now = client.snapshotTakenAfter(loop.clock().instant());
      Optional<Mapping> appeared = now.mappingByObject(object);
      if (appeared.isPresent()) {
        loop.events().normal(m, "Adopted", "adopted the remote mapping " + appeared.get().id() + " of " + object
            + ", created elsewhere meanwhile");
        status.setMappingId(appeared.get().id()); // adopted, not created: no Created event follows
        return appeared.get();
      }
      status.setRefusedInConnectionState(now.connection().state());
      if (!StateTable.acceptsMappings(now.connection().state())) {
        throw new ConnectionNotReady(now.connection().state());
      }
      throw refused;
    }
  }

  /** A write refused because of the connection's state, not the spec. */
  static final class ConnectionNotReady extends RuntimeException {
    final String state;

    ConnectionNotReady(String state) {
      super("the connection is " + state);
      this.state = state;
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

  /**
   * Delete removes the remote mapping (404 counts as done); Orphan and observe-only leave it, and
   * so does an object that does not own it. With nothing remote that could be this object's, the
   * finalizer goes at once.
   */
  ManagedLoop.Deletion delete(HerokuMapping m, Management management) {
    HerokuMappingSpec spec = m.getSpec();
    if (!management.deletesRemote()) {
      loop.events().normal(m, "Orphaned", "left the remote mapping of " + spec.getObjectName() + " in place (" + management.why() + ")");
      return ManagedLoop.Deletion.DONE;
    }
    String mappingId = m.getStatus() == null ? null : m.getStatus().getMappingId();
    Optional<HerokuConnection> conn = connection(m);
    boolean resolved = conn.isPresent() && Directory.connectionIdOf(conn.get()) != null;
    if (mappingId == null && !resolved) return ManagedLoop.Deletion.DONE; // it never reached the API: nothing remote is ours
    if (conn.isPresent() && Conditions.isTrueWith(conn.get().getStatus(), Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND)) {
      loop.events().normal(m, "Deleted", "the add-on of HerokuConnection " + spec.getConnectionRef().getName()
          + " no longer exists, and its mappings with it");
      return ManagedLoop.Deletion.DONE;
    }
    Connector.Result r = conn.isPresent() ? connector.connectKnown(conn.get(), secrets) : null;
    if (r == null || !r.ok()) {
      java.time.Duration again = loop.retryDelay(m);
      loop.events().warning(m, "DeleteWaiting", "cannot delete the remote mapping of " + spec.getObjectName() + " yet: "
          + (conn.isEmpty() ? "HerokuConnection " + spec.getConnectionRef().getName()
          + " does not exist; create it again, or set deletionPolicy: Orphan" : r.problem().message()));
      return ManagedLoop.Deletion.waitFor(again);
    }
    if (!directory.ownsAddon(conn.get(), r.connected().connectionId())) {
      return ManagedLoop.Deletion.DONE; // its connection never owned the add-on, so nothing remote is this object's
    }
    Connector.Connected c = r.connected();
    Optional<Ownership.Claimant> owner = directory.mappingConflict(m, c.connectionId());
    if (owner.isPresent()) {
      loop.events().normal(m, "Released", "the remote mapping of " + spec.getObjectName() + " belongs to HerokuMapping "
          + owner.get().ref() + "; nothing deleted");
      return ManagedLoop.Deletion.DONE;
    }
    Optional<Ownership.Claimant> next = directory.nextOwner(m, c.connectionId());
    if (next.isPresent()) { // deleting it would only make the next claimant create it again (a full reload)
      loop.events().normal(m, "HandedOver", "left the remote mapping of " + spec.getObjectName() + " to HerokuMapping "
          + next.get().ref() + ", which claims it too");
      return ManagedLoop.Deletion.DONE;
    }
    MappingClient client = new MappingClient(snapshots, c.connectionId(), c.api().withPriority(Priority.USER));
    try {
      Snapshot snap = client.snapshot(Freshness.within(loop.intervals().settling(), Priority.USER));
      Optional<Mapping> remote = snap.mappingById(mappingId).or(() -> snap.mappingByObject(spec.getObjectName()));
      if (remote.isPresent()) {
        client.delete(remote.get().id());
        loop.events().normal(m, "Deleted", "deleted the remote mapping " + remote.get().id() + " of " + spec.getObjectName());
      }
      return ManagedLoop.Deletion.DONE;
    } catch (ConnectApiException.NotFound gone) {
      loop.events().normal(m, "Deleted", "the connection " + c.connectionId() + " no longer exists, and its mappings with it");
      return ManagedLoop.Deletion.DONE;
    } catch (ConnectApiException e) {
      Outcome o = loop.failure(e, "deleting the remote mapping of " + spec.getObjectName(), credentialsHint(m));
      java.time.Duration again = o.after() != null ? o.after() : loop.retryDelay(m);
      loop.events().warning(m, "DeleteFailed", o.message() + "; trying again in " + again.toSeconds() + " s");
      return ManagedLoop.Deletion.waitFor(again);
    }
  }
}
