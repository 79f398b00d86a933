package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Freshness;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Snapshot;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Waits on another's fetch are bounded and send nothing; a forgotten connection keeps nothing. */
class SnapshotCacheTest {
  static final Duration WAIT_FOR_FETCH = Duration.ofMillis(300);

  /** A deep GET that hangs until released, as a slow region's does. */
  static final class HangingApi extends DecisionsTest.CountingApi {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger started = new AtomicInteger();

    @Override
    public Connection getConnection(String id, boolean deep) {
      started.incrementAndGet();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      state = "IDLE";
      return super.getConnection(id, deep);
    }
  }

  @Test
  void aWaitForAnotherFetchIsBoundedSendsNothingAndLaterWaitersDoNotWaitAtAll() throws Exception {
    SnapshotCache cache = new SnapshotCache(Clock.systemUTC(), Duration.ofSeconds(10), Duration.ofMinutes(5), WAIT_FOR_FETCH);
    HangingApi api = new HangingApi();
    CompletableFuture<Snapshot> fetcher = CompletableFuture.supplyAsync(() -> cache.get("c1", api, Freshness.now(Priority.USER)));
    try {
      assertTrue(Sandbox.await(Duration.ofSeconds(10), () -> api.started.get() == 1), "the fetch is in flight");
      long start = System.nanoTime();
      ConnectApiException.StillFetching waited = assertThrows(ConnectApiException.StillFetching.class,
          () -> cache.get("c1", api, Freshness.now(Priority.USER)));
      long firstMs = (System.nanoTime() - start) / 1_000_000;
      start = System.nanoTime();
      assertThrows(ConnectApiException.StillFetching.class, () -> cache.get("c1", api, Freshness.within(Duration.ZERO, Priority.BACKGROUND)));
      long secondMs = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("waits on a hanging fetch: first %d ms, next %d ms (bound %d ms from the fetch's start)%n",
          firstMs, secondMs, WAIT_FOR_FETCH.toMillis());
      assertTrue(firstMs <= WAIT_FOR_FETCH.toMillis() + 1000, "bounded: " + firstMs + " ms");
      assertTrue(secondMs < WAIT_FOR_FETCH.toMillis(), "the fetch is already overdue: no wait at all, " + secondMs + " ms");
      assertTrue(waited.getMessage().contains("waiting for the snapshot of connection c1"), waited.getMessage());
      assertEquals(1, api.started.get(), "the waiters sent nothing");
      assertEquals(1, cache.held().get("snapshot fetches in flight"));
    } finally {
      api.release.countDown();
    }
    assertEquals("IDLE", fetcher.get(10, TimeUnit.SECONDS).connection().state(), "the fetcher gets its answer");
    assertEquals("IDLE", cache.get("c1", api, Freshness.within(Duration.ofMinutes(1), Priority.BACKGROUND)).connection().state(),
        "and it is shared once it came");
    assertEquals(1, api.started.get());
  }

  @Test
  void aConnectionForgottenWhileItsFetchIsInFlightKeepsNothing() throws Exception {
    SnapshotCache cache = new SnapshotCache(Clock.systemUTC(), Duration.ofSeconds(10), Duration.ofMinutes(5), WAIT_FOR_FETCH);
    HangingApi api = new HangingApi();
    CompletableFuture<Snapshot> fetcher = CompletableFuture.supplyAsync(() -> cache.get("c1", api, Freshness.now(Priority.USER)));
    assertTrue(Sandbox.await(Duration.ofSeconds(10), () -> api.started.get() == 1), "the fetch is in flight");
    cache.forget("c1"); // its HerokuConnection was deleted meanwhile
    api.release.countDown();
    assertEquals("c1", fetcher.get(10, TimeUnit.SECONDS).connection().id(), "the caller still gets its answer");
    cache.held().forEach((map, n) -> assertEquals(0, n, map + " holds " + n + " entries for a forgotten connection"));
  }
}
