package dev.herokuconnect.operator.reconciler.cluster;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The last deep GET of each connection, shared by the connection and all its mappings, so the
 * steady-state cost per connection does not grow with the number of mappings. Concurrent
 * callers that need a newer snapshot share one request (single flight). Writes the operator
 * makes (create, edit, delete) are folded in at once, so nothing acts on what it already changed.
 *
 * <p>Two rules keep it honest: a failed fetch forgets the snapshot, so nothing can report
 * Synced from a read older than the failure; and while a connection is in a settling or
 * unknown state, background reads back off exponentially per connection (settling interval
 * up to the refresh interval), however many objects ask.
 *
 * <p>A caller waits for another's fetch only until that fetch is {@link #WAIT_FOR_FETCH} old, then
 * gets {@link ConnectApiException.StillFetching} (the reconcile reports it and comes back soon) instead of holding a
 * reconcile thread: one slow region must not starve the other connections. Measured from the
 * fetch's start, not the caller's arrival, so all waiters of a hanging fetch are freed together
 * and later ones do not wait at all. The fetching caller itself waits for its answer (the HTTP
 * client's timeouts bound it).
 */
public final class SnapshotCache {
  /** One deep GET and when it was taken. */
  public record Snapshot(Connection connection, Instant fetchedAt) {
    public Optional<Mapping> mappingById(String id) {
      return connection.mappingById(id);
    }

    public Optional<Mapping> mappingByObject(String objectName) {
      return connection.mappingByObject(objectName);
    }
  }

  /** How fresh a read must be: no older than {@code maxAge}, and taken after {@code notBefore}. */
  public record Freshness(Duration maxAge, Instant notBefore, Priority priority) {
    public static Freshness within(Duration maxAge, Priority priority) {
      return new Freshness(maxAge, Instant.MIN, priority);
    }

    public static Freshness now(Priority priority) {
      return new Freshness(Duration.ZERO, Instant.MIN, priority);
    }

    public Freshness takenAfter(Instant t) {
      return new Freshness(maxAge, t.isAfter(notBefore) ? t : notBefore, priority);
    }
  }

  private record InFlight(Instant startedAt, long startedNanos, CompletableFuture<Snapshot> result) {}

  /** How long after a fetch started its waiters give up waiting for it (a normal deep GET takes well under this). */
  static final Duration WAIT_FOR_FETCH = Duration.ofSeconds(2);


  /** A write the operator made (a mapping put, or removed when {@code put} is null), kept to re-apply over a fetch that started before it. */
  private record LocalWrite(Instant at, String mappingId, Mapping put) {}

  private static final Duration KEEP_LOCAL_WRITES = Duration.ofMinutes(5);

  private final Clock clock;
  private final Duration settlingStart;
  private final Duration settlingCap;
  private final Duration waitForFetch;
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<String, InFlight> inflight = new ConcurrentHashMap<>();
  private final Map<String, Duration> settlingStep = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, List<LocalWrite>> localWrites = new ConcurrentHashMap<>();

  public SnapshotCache(Clock clock, Duration settlingStart, Duration settlingCap) {
    this(clock, settlingStart, settlingCap, WAIT_FOR_FETCH);
  }

  public SnapshotCache(Clock clock, Duration settlingStart, Duration settlingCap, Duration waitForFetch) {
    this.clock = clock;
    this.settlingStart = settlingStart;
    this.settlingCap = settlingCap;
    this.waitForFetch = waitForFetch;
  }

  /** Called with a connection id whenever what is known about that connection changes. */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  /**
   * A snapshot as fresh as asked, fetched with one deep GET when needed; callers that arrive
   * while a fetch that started late enough is in flight wait for the same answer, for a bounded
   * time ({@link ConnectApiException.StillFetching}). API failures are rethrown (and the old snapshot is forgotten).
   */
  public Snapshot get(String connectionId, ConnectionApi api, Freshness want) {
    Snapshot current = snapshots.get(connectionId);
    Instant now = clock.instant();
    if (current != null && fresh(connectionId, current, want, now)) return current;
    while (true) {
      InFlight running = inflight.get(connectionId);
      if (running != null) {
        Snapshot theirs = await(connectionId, running);
        if (!running.startedAt().isBefore(want.notBefore())) return theirs;
        continue; // too early for us: it is done, fetch again
      }
      InFlight mine = new InFlight(clock.instant(), System.nanoTime(), new CompletableFuture<>());
      if (inflight.putIfAbsent(connectionId, mine) != null) continue;
      return fetch(connectionId, api, want.priority(), mine);
    }
  }

  /** The snapshot in hand, if any, without a request. */
  public Optional<Snapshot> peek(String connectionId) {
    return Optional.ofNullable(snapshots.get(connectionId));
  }

  private boolean fresh(String connectionId, Snapshot s, Freshness want, Instant now) {
    if (s.fetchedAt().isBefore(want.notBefore())) return false;
    Duration maxAge = want.maxAge();
    if (want.priority() == Priority.BACKGROUND) {
      Duration step = settlingStep.get(connectionId);
      if (step != null && step.compareTo(maxAge) > 0) maxAge = step;
    }
    return !s.fetchedAt().plus(maxAge).isBefore(now);
  }

  private Snapshot fetch(String connectionId, ConnectionApi api, Priority priority, InFlight mine) {
    try {
      Connection read = api.withPriority(priority).getConnection(connectionId, true);
      // As of when the request started (what it shows may be that old), with the operator's own writes since then.
      Snapshot fresh = new Snapshot(withLocalWrites(connectionId, read, mine.startedAt()), mine.startedAt());
      if (inflight.get(connectionId) != mine) { // forgotten meanwhile (the connection was deleted): answer, keep nothing
        mine.result().complete(fresh);
        return fresh;
      }
      Snapshot old = snapshots.put(connectionId, fresh);
      paceSettling(connectionId, fresh.connection().state());
      mine.result().complete(fresh);
      if (old == null || !old.connection().equals(fresh.connection())) notifyChange(connectionId);
      return fresh;
    } catch (RuntimeException | Error e) {
      snapshots.remove(connectionId); // nothing may be reported from before the failure
      mine.result().completeExceptionally(e); // waiters learn of it too, whatever was thrown
      throw e;
    } finally {
      inflight.remove(connectionId, mine);
    }
  }

  /** Settling and unknown connection states: each background read waits twice as long as the last. */
  private void paceSettling(String connectionId, String state) {
    StateTable.Kind kind = StateTable.CONNECTION.kind(state);
    if (kind == StateTable.Kind.SETTLING) {
      settlingStep.merge(connectionId, settlingStart, (old, x) -> {
        Duration doubled = old.multipliedBy(2);
        return doubled.compareTo(settlingCap) > 0 ? settlingCap : doubled;
      });
    } else {
      settlingStep.remove(connectionId);
    }
  }

  private Connection withLocalWrites(String connectionId, Connection read, Instant since) {
    List<LocalWrite> writes = localWrites.get(connectionId);
    if (writes == null) return read;
    Instant cutoff = clock.instant().minus(KEEP_LOCAL_WRITES);
    writes.removeIf(w -> w.at().isBefore(cutoff));
    List<Mapping> list = new ArrayList<>(read.mappingsOrEmpty());
    boolean changed = false;
    for (LocalWrite w : List.copyOf(writes)) {
      if (w.at().isBefore(since)) continue;
      list.removeIf(m -> m.id().equals(w.mappingId()));
      if (w.put() != null) list.add(w.put());
      changed = true;
    }
    return changed ? withMappings(read, list) : read;
  }

  private void remember(String connectionId, String mappingId, Mapping put) {
    localWrites.computeIfAbsent(connectionId, k -> new CopyOnWriteArrayList<>()).add(new LocalWrite(clock.instant(), mappingId, put));
  }

  /** Folds in a mapping the operator just created or edited. */
  public void putMapping(String connectionId, Mapping mapping) {
    remember(connectionId, mapping.id(), mapping);
    snapshots.computeIfPresent(connectionId, (k, s) -> {
      List<Mapping> list = new ArrayList<>(s.connection().mappingsOrEmpty());
      list.removeIf(m -> m.id().equals(mapping.id()));
      list.add(mapping);
      return new Snapshot(withMappings(s.connection(), list), s.fetchedAt());
    });
  }

  /** Forgets a mapping the operator just deleted. */
  public void removeMapping(String connectionId, String mappingId) {
    remember(connectionId, mappingId, null);
    snapshots.computeIfPresent(connectionId, (k, s) -> {
      List<Mapping> list = new ArrayList<>(s.connection().mappingsOrEmpty());
      list.removeIf(m -> m.id().equals(mappingId));
      return new Snapshot(withMappings(s.connection(), list), s.fetchedAt());
    });
  }

  /** Makes the next {@link #get} fetch again (after a write that changes connection state). */
  public void invalidate(String connectionId) {
    snapshots.computeIfPresent(connectionId, (k, s) -> new Snapshot(s.connection(), Instant.EPOCH));
    settlingStep.remove(connectionId);
  }

  /** Forgets a connection entirely (the add-on is gone, or no HerokuConnection stands for it any more). */
  public void forget(String connectionId) {
    inflight.remove(connectionId); // a fetch still running answers its callers but stores nothing
    snapshots.remove(connectionId);
    localWrites.remove(connectionId);
    settlingStep.remove(connectionId);
  }

  /** Entries held per map, for Controllers.held(). */
  public Map<String, Integer> held() {
    return Map.of("snapshots", snapshots.size(), "snapshot fetches in flight", inflight.size(),
        "settling steps", settlingStep.size(), "operator writes", localWrites.size());
  }

  private void notifyChange(String connectionId) {
    listeners.forEach(l -> l.accept(connectionId));
  }

  private static Connection withMappings(Connection c, List<Mapping> mappings) {
    return c.withMappings(mappings); // every other component kept, the Salesforce API version included
  }

  /** Another's fetch, until it is {@link #waitForFetch} old (real time: what is bounded is a thread). */
  private Snapshot await(String connectionId, InFlight running) {
    long left = running.startedNanos() + waitForFetch.toNanos() - System.nanoTime();
    try {
      return running.result().get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new ConnectApiException.StillFetching(connectionId, Duration.ofNanos(System.nanoTime() - running.startedNanos()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a connection snapshot", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    }
  }
}
