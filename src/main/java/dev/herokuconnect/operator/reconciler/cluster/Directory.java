package dev.herokuconnect.operator.reconciler.cluster;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.cluster.Ownership.Claimant;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the cluster holds, read from the controllers' informer caches (never from what this
 * process happens to have reconciled): which HerokuConnections use a connection id, which
 * HerokuMappings claim a remote mapping, and so who owns what.
 */
public final class Directory {
  private volatile Supplier<Stream<HerokuConnection>> connections = Stream::empty;
  private volatile Supplier<Stream<HerokuMapping>> mappings = Stream::empty;
  private volatile Supplier<Stream<HerokuConnection>> connectionsSeenByMappings = Stream::empty;
  /**
   * Objects whose cleanup has finished: their finalizer is being removed, so they no longer claim
   * anything, though the informer caches may show them for a moment longer. The next claimant
   * takes over at once instead of after its backoff. Pruned once the caches no longer hold them.
   */
  private final Set<String> gone = ConcurrentHashMap.newKeySet();

  public void useConnections(Supplier<Stream<HerokuConnection>> cache) {
    this.connections = cache;
  }

  public void useConnectionsSeenByMappings(Supplier<Stream<HerokuConnection>> cache) {
    this.connectionsSeenByMappings = cache;
  }

  public void useMappings(Supplier<Stream<HerokuMapping>> cache) {
    this.mappings = cache;
  }

  /**
   * The HerokuConnection {@code namespace/name}, the newest of what the connection controller and the
   * mapping controller's connection informer have seen: an event on one may arrive before the other.
   */
  public Optional<HerokuConnection> connection(String namespace, String name) {
    return Stream.concat(connections.get(), connectionsSeenByMappings.get())
        .filter(c -> namespace.equals(c.getMetadata().getNamespace()) && name.equals(c.getMetadata().getName()))
        .max(java.util.Comparator.comparingLong(Directory::version));
  }

  private static long version(HerokuConnection c) {
    try {
      return Long.parseLong(c.getMetadata().getResourceVersion());
    } catch (RuntimeException notANumber) {
      return 0;
    }
  }


  /** The uids of every HerokuConnection and HerokuMapping in the caches. */
  public Set<String> liveUids() {
    return Stream.concat(connections.get(), mappings.get()).map(x -> x.getMetadata().getUid()).collect(Collectors.toSet());
  }

  /** {@code o}'s cleanup is done: it claims nothing from now on. */
  public void markGone(HasMetadata o) {
    gone.retainAll(liveUids()); // what the caches no longer hold is forgotten
    gone.add(o.getMetadata().getUid());
  }

  /** How many finished objects are remembered (they are forgotten once the caches drop them). */
  public int goneHeld() {
    return gone.size();
  }

  private boolean claims(HasMetadata o) {
    return !gone.contains(o.getMetadata().getUid());
  }

  /** Every HerokuConnection in the cache (metrics read them at scrape time). */
  public List<HerokuConnection> allConnections() {
    return connections.get().toList();
  }

  /** Every HerokuMapping in the cache (metrics read them at scrape time). */
  public List<HerokuMapping> allMappings() {
    return mappings.get().toList();
  }

  /** The connection id a HerokuConnection stands for: resolved in status, else pinned in the spec. */
  public static String connectionIdOf(HerokuConnection c) {
    String id = c.getStatus() == null ? null : c.getStatus().getConnectionId();
    if (id == null || id.isBlank()) id = c.getSpec().getConnectionId();
    return id == null || id.isBlank() ? null : id;
  }

  /** Every HerokuConnection of {@code namespace}, being deleted or not. */
  public List<HerokuConnection> connectionsIn(String namespace) {
    return connections.get().filter(c -> namespace.equals(c.getMetadata().getNamespace())).toList();
  }

  /** Every HerokuConnection, in any namespace, that stands for {@code connectionId}. */
  public List<HerokuConnection> connectionsUsing(String connectionId) {
    return connections.get().filter(c -> connectionId.equals(connectionIdOf(c)) && claims(c)).toList();
  }

  /** The HerokuConnection {@code c} conflicts with on its add-on, if an older one claims it. */
  public Optional<Claimant> connectionConflict(HerokuConnection c, String connectionId) {
    return Ownership.conflictFor(Claimant.of(c), connectionsUsing(connectionId).stream().map(Claimant::of).toList());
  }

  /** True when {@code c} owns its add-on (no older HerokuConnection claims the same id). */
  public boolean ownsAddon(HerokuConnection c, String connectionId) {
    return connectionConflict(c, connectionId).isEmpty();
  }

  /**
   * The HerokuMapping {@code m} conflicts with: an older one, in any namespace, for the same object
   * (case-insensitively) through a HerokuConnection that owns the same add-on.
   */
  public Optional<Claimant> mappingConflict(HerokuMapping m, String connectionId) {
    return Ownership.conflictFor(Claimant.of(m), mappingClaimants(m, connectionId).stream().map(Claimant::of).toList());
  }

  /**
   * The other HerokuMappings, not being deleted, that claim the same remote mapping as {@code m}:
   * they take it over. While the HerokuConnection that owns the add-on is itself being deleted, the
   * mappings bound to the one that owns it next claim too (a namespace move, a blue/green swap):
   * the remote mapping is handed over to them, never deleted and created again.
   */
  public Optional<Claimant> nextOwner(HerokuMapping m, String connectionId) {
    return Ownership.owner(Stream.concat(mappingClaimants(m, connectionId).stream(), successorClaimants(m, connectionId).stream())
        .filter(x -> !x.getMetadata().getUid().equals(m.getMetadata().getUid()) && x.getMetadata().getDeletionTimestamp() == null)
        .map(Claimant::of).toList());
  }

  private List<HerokuMapping> successorClaimants(HerokuMapping m, String connectionId) {
    List<HerokuConnection> using = connectionsUsing(connectionId);
    Optional<HerokuConnection> owner = using.stream().min(java.util.Comparator.comparing(Claimant::of, Ownership.OLDEST_FIRST));
    if (owner.isEmpty() || owner.get().getMetadata().getDeletionTimestamp() == null) return List.of();
    Optional<HerokuConnection> next = using.stream().filter(c -> c.getMetadata().getDeletionTimestamp() == null)
        .min(java.util.Comparator.comparing(Claimant::of, Ownership.OLDEST_FIRST));
    if (next.isEmpty()) return List.of();
    Binding self = Binding.of(m);
    return mappingsOf(next.get().getMetadata().getNamespace(), next.get().getMetadata().getName()).stream()
        .filter(this::claims).filter(x -> self.sameObject(Binding.of(x).objectName())).toList();
  }

  /** Every HerokuMapping bound to the same object as {@code m} through a HerokuConnection that owns {@code connectionId}. */
  private List<HerokuMapping> mappingClaimants(HerokuMapping m, String connectionId) {
    Binding self = Binding.of(m);
    return mappings.get().filter(this::claims)
        .filter(x -> self.sameObject(Binding.of(x).objectName()))
        .filter(x -> connection(x.getMetadata().getNamespace(), Binding.of(x).connectionName())
            .filter(c -> connectionId.equals(connectionIdOf(c)) && ownsAddon(c, connectionId)).isPresent())
        .toList();
  }

  /** The HerokuMappings bound to the HerokuConnection {@code namespace/name}. */
  public List<HerokuMapping> mappingsOf(String namespace, String name) {
    return mappings.get().filter(m -> namespace.equals(m.getMetadata().getNamespace())
        && name.equals(Binding.of(m).connectionName())).toList();
  }

  /** The HerokuMappings of every HerokuConnection that stands for {@code connectionId}. */
  public List<HerokuMapping> mappingsUsing(String connectionId) {
    return connectionsUsing(connectionId).stream()
        .flatMap(c -> mappingsOf(c.getMetadata().getNamespace(), c.getMetadata().getName()).stream())
        .filter(Objects::nonNull).toList();
  }
}
