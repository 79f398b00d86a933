package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.RequestGate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The last deep GET of each connection, shared by the connection and all its mappings, so the
 * steady-state cost per connection does not grow with the number of mappings. Concurrent
 * callers that need a newer snapshot share one request (single flight). Writes the operator
 * makes (create, edit, delete) are folded in at once, so nothing acts on what it already changed.
 */
public final class SnapshotCache {
  /** One deep GET and when it was taken. */
  public record Snapshot(Connection connection, Instant fetchedAt) {
    public Optional<Mapping> mappingById(String id) {
      return id == null ? Optional.empty()
          : connection.mappingsOrEmpty().stream().filter(m -> id.equals(m.id())).findFirst();
    }

    public Optional<Mapping> mappingByObject(String objectName) {
      return connection.mappingsOrEmpty().stream()
          .filter(m -> m.objectName() != null && m.objectName().toLowerCase(Locale.ROOT).equals(objectName.toLowerCase(Locale.ROOT)))
          .findFirst();
    }
  }

  private final Clock clock;
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Snapshot>> inflight = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public SnapshotCache(Clock clock) {
    this.clock = clock;
  }

  /** Called with a connection id whenever what is known about that connection changes. */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  /**
   * A snapshot no older than {@code maxAge}, fetched with one deep GET when needed; callers
   * that arrive while it is in flight wait for the same answer. API failures are rethrown.
   */
  public Snapshot get(ConnectionHandle handle, Duration maxAge, RequestGate.Priority priority) {
    String id = handle.connectionId();
    Snapshot current = snapshots.get(id);
    if (current != null && !current.fetchedAt().plus(maxAge).isBefore(clock.instant())) return current;
    CompletableFuture<Snapshot> mine = new CompletableFuture<>();
    CompletableFuture<Snapshot> running = inflight.putIfAbsent(id, mine);
    if (running != null) return join(running);
    try {
      Snapshot fresh = new Snapshot(handle.api().withPriority(priority).getConnection(id, true), clock.instant());
      Snapshot old = snapshots.put(id, fresh);
      mine.complete(fresh);
      if (old == null || !old.connection().equals(fresh.connection())) notifyChange(id);
      return fresh;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inflight.remove(id, mine);
    }
  }

  /** Folds in a mapping the operator just created or edited. */
  public void putMapping(String connectionId, Mapping mapping) {
    snapshots.computeIfPresent(connectionId, (k, s) -> {
      List<Mapping> list = new ArrayList<>(s.connection().mappingsOrEmpty());
      list.removeIf(m -> m.id().equals(mapping.id()));
      list.add(mapping);
      return new Snapshot(withMappings(s.connection(), list), s.fetchedAt());
    });
  }

  /** Forgets a mapping the operator just deleted. */
  public void removeMapping(String connectionId, String mappingId) {
    snapshots.computeIfPresent(connectionId, (k, s) -> {
      List<Mapping> list = new ArrayList<>(s.connection().mappingsOrEmpty());
      list.removeIf(m -> m.id().equals(mappingId));
      return new Snapshot(withMappings(s.connection(), list), s.fetchedAt());
    });
  }

  /** Makes the next {@link #get} fetch again (after a write that changes connection state). */
  public void invalidate(String connectionId) {
    snapshots.computeIfPresent(connectionId, (k, s) -> new Snapshot(s.connection(), Instant.EPOCH));
  }

  private void notifyChange(String connectionId) {
    listeners.forEach(l -> l.accept(connectionId));
  }

  private static Connection withMappings(Connection c, List<Mapping> mappings) {
    return new Connection(c.id(), c.name(), c.resourceName(), c.appName(), c.appId(), c.schemaName(), c.dbKey(),
        c.database(), c.organizationId(), c.state(), c.mappingsSummaryState(), c.region(), c.detailUrl(), mappings);
  }

  private static Snapshot join(CompletableFuture<Snapshot> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a connection snapshot", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    }
  }
}
