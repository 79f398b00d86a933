package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.Ownership;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.DeletionFacts;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.DeletionStep;
import java.util.Optional;

/**
 * Deleting a HerokuMapping: observe from the object's binding (an edited spec never changes what
 * its delete removes), decide ({@link MappingDecisions#deletion}), and the one write
 * ({@link MappingExternal#deleteBound}).
 */
final class MappingCleanup implements Cleanup<HerokuMapping, HerokuMappingStatus, MappingCleanup.Observed, DeletionStep> {
  /** The deletion's facts, and the client of the bound connection when one is needed and usable. */
  record Observed(DeletionFacts facts, Connector.Connected connected) {}

  private final MappingLinks links;
  private final Directory directory;
  private final MappingExternal external;

  MappingCleanup(MappingLinks links, Directory directory, MappingExternal external) {
    this.links = links;
    this.directory = directory;
    this.external = external;
  }

  @Override
  public Observed observe(Reconcile<HerokuMapping, HerokuMappingStatus> ctx) {
    HerokuMapping m = ctx.resource();
    Management management = ctx.management();
    Optional<HerokuConnection> conn = links.connection(m);
    Connector.Result r = management.deletesRemote() && conn.isPresent() ? links.connectTo(conn.get()) : null;
    Binding b = Binding.of(m);
    String problem = conn.isEmpty() ? "HerokuConnection " + b.connectionName() + " does not exist; create it again, or set "
        + "deletionPolicy: Orphan" : r == null || r.ok() ? null : r.problem().message();
    String id = r != null && r.ok() ? r.connected().connectionId() : null;
    DeletionFacts facts = new DeletionFacts(b.objectName(), management, b.mappingId(), b.connectionName(), conn.isPresent(),
        conn.isPresent() && Directory.connectionIdOf(conn.get()) != null,
        conn.isPresent() && Conditions.isTrueWith(conn.get().getStatus(), Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND),
        problem, b.connectionId(), id, id != null && directory.ownsAddon(conn.get(), id),
        id == null ? null : directory.mappingConflict(m, id).map(Ownership.Claimant::ref).orElse(null),
        id == null ? null : directory.nextOwner(m, id).map(Ownership.Claimant::ref).orElse(null));
    return new Observed(facts, id == null ? null : r.connected());
  }

  @Override
  public MappingDecisions.Deletion decide(Observed observed) {
    return MappingDecisions.deletion(observed.facts());
  }

  @Override
  public ManagedLoop.Deletion act(DeletionStep step, Reconcile<HerokuMapping, HerokuMappingStatus> ctx, Observed observed) {
    return switch (step) { // exhaustive: only DELETE_REMOTE sends anything (MappingDecisions.Deletion#finish)
      case DELETE_REMOTE -> external.deleteBound(ctx, observed.connected());
      case ORPHAN, NOTHING_REMOTE, ADDON_GONE, ADDON_CHANGED, RELEASE, HAND_OVER, WAIT ->
          throw new IllegalStateException(step + " sends nothing");
    };
  }
}
