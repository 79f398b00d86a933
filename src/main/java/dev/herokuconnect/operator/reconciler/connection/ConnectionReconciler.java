package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import io.fabric8.kubernetes.api.model.Secret;
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
import java.util.Set;
import java.util.stream.Collectors;

/** The JOSDK controller for HerokuConnection: events in, then the managed loop with {@link ConnectionKind}. */
@ControllerConfiguration(name = "herokuconnection", finalizerName = Crds.FINALIZER)
public class ConnectionReconciler implements Reconciler<HerokuConnection>, Cleaner<HerokuConnection> {
  static final String SECRET_INDEX = "connection-by-secret";

  private final ManagedLoop loop;
  private final ConnectionKind sync;
  private final Directory directory;
  private final Connector.Secrets uncached;
  private final SimpleInboundEventSource<HerokuConnection> wakeUps = new SimpleInboundEventSource<>("connection-wake-ups");

  public ConnectionReconciler(ManagedLoop loop, ConnectionKind sync, Directory directory, Connector.Secrets uncached) {
    this.loop = loop;
    this.sync = sync;
    this.directory = directory;
    this.uncached = uncached;
  }

  /** Wakes every HerokuConnection that uses {@code connectionId} (a 429 to show at once). */
  public void wake(String connectionId) {
    directory.connectionsUsing(connectionId).forEach(c -> wakeUps.propagateEvent(ResourceID.fromResource(c)));
  }

  @Override
  public List<EventSource<?, HerokuConnection>> prepareEventSources(EventSourceContext<HerokuConnection> context) {
    var cache = context.getPrimaryCache();
    cache.addIndexer(SECRET_INDEX, c -> List.of(c.getMetadata().getNamespace() + "/" + c.getSpec().getCredentials().getSecretRef().getName()));
    directory.useConnections(cache::list);
    // Only Secrets the operator labelled (those a HerokuConnection uses) are watched and cached, so memory
    // does not grow with the cluster's other Secrets; one not labelled yet is read with a plain GET.
    var secrets = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Secret.class, HerokuConnection.class)
            .withNamespacesInheritedFromController()
            .withLabelSelector(CredentialsGuard.LABEL + "=true")
            .withSecondaryToPrimaryMapper(secret -> cache
                .byIndex(SECRET_INDEX, secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName())
                .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(c -> Set.of(new ResourceID(
                ((HerokuConnection) c).getSpec().getCredentials().getSecretRef().getName(),
                ((HerokuConnection) c).getMetadata().getNamespace())))
            .build(),
        context);
    sync.useSecrets((ns, name) -> secrets.get(new ResourceID(name, ns)).or(() -> uncached.get(ns, name)));
    // Mappings matter here only for deletion: the finalizer waits for the mappings that use us.
    var mappings = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(HerokuMapping.class, HerokuConnection.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(m -> Set.of(new ResourceID(Binding.of(m).connectionName(),
                m.getMetadata().getNamespace())))
            .withOnAddFilter(m -> false)
            .withOnUpdateFilter((n, o) -> n.getMetadata().getDeletionTimestamp() != null)
            .build(),
        context);
    // The finalizer waits for the mappings bound to it, read from this controller's own informer (synced before any cleanup).
    sync.useMappingsOf(c -> mappings.list(c.getMetadata().getNamespace())
        .filter(m -> c.getMetadata().getName().equals(Binding.of(m).connectionName()))
        .map(m -> m.getMetadata().getName()).sorted().toList());
    return List.of(secrets, mappings, wakeUps);
  }

  @Override
  public UpdateControl<HerokuConnection> reconcile(HerokuConnection c, Context<HerokuConnection> context) {
    return loop.reconcile(c, sync);
  }

  @Override
  public ErrorStatusUpdateControl<HerokuConnection> updateErrorStatus(HerokuConnection o, Context<HerokuConnection> context, Exception e) {
    return loop.errorStatus(o, sync, e);
  }

  @Override
  public DeleteControl cleanup(HerokuConnection c, Context<HerokuConnection> context) {
    DeleteControl control = loop.cleanup(c, sync);
    String connectionId = Directory.connectionIdOf(c);
    // another HerokuConnection on the same add-on takes over now, not after its backoff
    if (control.isRemoveFinalizer() && connectionId != null) wake(connectionId);
    return control;
  }
}
