package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** The JOSDK controller for HerokuMapping: events in, then the managed loop with {@link MappingKind}. */
@ControllerConfiguration(name = "herokumapping", finalizerName = Crds.FINALIZER)
public class MappingReconciler implements Reconciler<HerokuMapping>, Cleaner<HerokuMapping> {
  static final String CONNECTION_INDEX = "mapping-by-connection";

  private final ManagedLoop loop;
  private final MappingKind sync;
  private final Directory directory;
  private final SimpleInboundEventSource<HerokuMapping> snapshotEvents = new SimpleInboundEventSource<>("snapshots");

  public MappingReconciler(ManagedLoop loop, MappingKind sync, Directory directory) {
    this.loop = loop;
    this.sync = sync;
    this.directory = directory;
  }

  /** A new snapshot of {@code connectionId}: the mappings of every HerokuConnection that uses it follow. */
  public void wake(String connectionId) {
    directory.mappingsUsing(connectionId).forEach(m -> snapshotEvents.propagateEvent(ResourceID.fromResource(m)));
  }

  @Override
  public List<EventSource<?, HerokuMapping>> prepareEventSources(EventSourceContext<HerokuMapping> context) {
    var cache = context.getPrimaryCache();
    cache.addIndexer(CONNECTION_INDEX, m -> List.of(Binding.of(m).connectionKey(m.getMetadata().getNamespace())));
    directory.useMappings(cache::list);
    var connections = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(HerokuConnection.class, HerokuMapping.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(c -> cache.byIndex(CONNECTION_INDEX, c.getMetadata().getNamespace() + "/" + c.getMetadata().getName())
                .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(m -> Set.of(new ResourceID(
                Binding.of((HerokuMapping) m).connectionName(), ((HerokuMapping) m).getMetadata().getNamespace())))
            .withOnUpdateFilter(MappingReconciler::connectionChangeMatters)
            .build(),
        context);
    directory.useConnectionsSeenByMappings(connections::list);
    return List.of(connections, snapshotEvents);
  }

  /** Only what decides whether mappings can proceed, not every rate-limit figure. */
  private static boolean connectionChangeMatters(HerokuConnection now, HerokuConnection before) {
    HerokuConnectionStatus a = now.getStatus();
    HerokuConnectionStatus b = before.getStatus();
    if (a == null || b == null) return a != b;
    return !Objects.equals(a.getState(), b.getState())
        || !Objects.equals(a.getConnectionId(), b.getConnectionId())
        || !Objects.equals(readiness(a), readiness(b))
        || !Objects.equals(now.getMetadata().getAnnotations(), before.getMetadata().getAnnotations());
  }

  private static String readiness(HerokuConnectionStatus st) {
    return Conditions.find(st, Conditions.READY).map(Condition::getStatus).orElse("")
        + Conditions.find(st, Conditions.STALLED).map(c -> c.getStatus() + c.getReason()).orElse("");
  }

  @Override
  public UpdateControl<HerokuMapping> reconcile(HerokuMapping m, Context<HerokuMapping> context) {
    return loop.reconcile(m, sync);
  }

  @Override
  public ErrorStatusUpdateControl<HerokuMapping> updateErrorStatus(HerokuMapping o, Context<HerokuMapping> context, Exception e) {
    return loop.errorStatus(o, sync, e);
  }

  @Override
  public DeleteControl cleanup(HerokuMapping m, Context<HerokuMapping> context) {
    DeleteControl control = loop.cleanup(m, sync);
    String connectionId = Binding.of(m).connectionId();
    // the next claimant of the same remote mapping takes over now, not after its backoff
    if (control.isRemoveFinalizer() && connectionId != null) wake(connectionId);
    return control;
  }
}
