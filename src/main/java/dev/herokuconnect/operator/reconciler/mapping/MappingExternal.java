package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.Ownership;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Freshness;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Snapshot;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.ExternalClient;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RefusedByState;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Facts;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Step;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The HerokuMapping's external client: {@link #observe} reads the bound connection and the remote
 * mapping (from the connection's shared snapshot) into a {@link MappingObservation};
 * {@link #act} sends one decided step (create, update, adopt, a requested action) through
 * {@link MappingClient}; {@link #deleteBound} is the one write of a deletion.
 */
final class MappingExternal implements ExternalClient<HerokuMapping, HerokuMappingStatus, MappingObservation, Step> {
  private final MappingLinks links;
  private final Directory directory;
  private final SnapshotCache snapshots;
  private final Intervals intervals;
  private final Clock clock;
  private final ActionLedger actions;
  private final MappingValidations validations;

  MappingExternal(MappingLinks links, Directory directory, SnapshotCache snapshots, Intervals intervals, Clock clock,
                  ActionLedger actions) {
    this.links = links;
    this.directory = directory;
    this.snapshots = snapshots;
    this.intervals = intervals;
    this.clock = clock;
    this.actions = actions;
    this.validations = new MappingValidations(clock);
  }

  /** The bound connection, then the remote mapping; the first pass records what the object is bound to (its identity). */
  @Override
  public MappingObservation observe(Reconcile<HerokuMapping, HerokuMappingStatus> ctx) {
    HerokuMapping m = ctx.resource();
    HerokuMappingStatus status = ctx.status();
    Binding.bind(m, status);
    MappingLinks.Link link = links.link(m);
    Connector.Connected c = link.connected();
    String conflict = c == null ? null : directory.mappingConflict(m, c.connectionId()).map(Ownership.Claimant::ref).orElse(null);
    Snapshot seen = c == null || conflict != null ? null : read(m, status, ctx.pass(), c);
    Facts facts = MappingDecisions.facts(m, status, ctx.management(), conflict, link.waiting(), seen == null ? null : seen.connection());
    return MappingObservation.of(facts, c);
  }

  /** The remote mapping, from the connection's shared snapshot; a create is never decided on a stale one. */
  private Snapshot read(HerokuMapping m, HerokuMappingStatus status, ManagedLoop.Pass pass, Connector.Connected c) {
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

  private MappingClient client(Connector.Connected c) {
    return new MappingClient(snapshots, c.connectionId(), c.api().withPriority(Priority.USER));
  }

  /**
   * One step. The mapping's id is recorded in status as soon as a step learns it (the binding):
   * a failure later in the pass never loses which remote mapping is this object's.
   */
  @Override
  public MappingObservation act(Step step, Reconcile<HerokuMapping, HerokuMappingStatus> ctx, MappingObservation o) {
    HerokuMapping m = ctx.resource();
    HerokuMappingStatus status = ctx.status();
    String object = m.getSpec().getObjectName();
    Mapping remote = o.current();
    MappingClient client = client(o.connected());
    return o.with(switch (step) { // exhaustive: a new step fails to compile until it is acted on
      case ADOPT -> {
        if (o.facts().management().writes() && !remote.id().equals(status.getMappingId())) {
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
          status.setRefusedInConnectionState(o.connectionState());
          throw refused;
        }
        ctx.normal(m, "Updated", "updated the remote mapping " + remote.id() + " of " + object + " to match the spec: "
            + String.join("; ", o.differences()));
        yield edited;
      }
      case SEND_REQUESTED -> {
        for (Request r : MappingDecisions.actionsToSend(o.facts())) send(ctx, r, client, remote.id());
        yield remote;
      }
      case VALIDATE -> {
        validations.run(ctx, o.connected().api().withPriority(Priority.USER), remote.id(), MappingDecisions.validation(o.facts()));
        yield remote;
      }
    });
  }

  /** One requested action, recorded before it is sent; the switch fails to compile until a new action is handled. */
  private void send(Reconcile<HerokuMapping, HerokuMappingStatus> ctx, Request r, MappingClient client, String id) {
    Runnable call = switch (r.action()) {
      case RELOAD -> () -> client.reload(id);
      case ABORT -> () -> client.abort(id);
      case RECONCILE, RESTART, VALIDATE, ACKNOWLEDGE -> throw new IllegalStateException(r.action() + " is not a mapping action sent here");
    };
    actions.send(ctx, r, call, r.action().doneReason(), r.action().name().toLowerCase(Locale.ROOT)
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

  /** The one remote write of a deletion: the bound mapping (by id, else by the bound object), 404 = done. */
  ManagedLoop.Deletion deleteBound(Reconcile<HerokuMapping, HerokuMappingStatus> ctx, Connector.Connected c) {
    HerokuMapping m = ctx.resource();
    Binding b = Binding.of(m);
    MappingClient client = client(c);
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
