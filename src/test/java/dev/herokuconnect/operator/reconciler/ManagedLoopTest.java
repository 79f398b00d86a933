package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import dev.herokuconnect.operator.util.MutableClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The loop itself, with a scripted sync, an in-memory Events sink and a clock the test moves: no
 * Kubernetes, no HTTP, no threads. What the loop alone must guarantee about conditions.
 */
class ManagedLoopTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
  final Duration refresh = Duration.ofMinutes(10);
  final Intervals intervals = new Intervals(OperatorConfig.fromEnv(java.util.Map.of())
      .withIntervals(refresh, Duration.ofSeconds(10), Duration.ofMinutes(5)), 5000);
  final List<String> events = new ArrayList<>();
  final ManagedLoop loop = new ManagedLoop(clock, intervals, new Events() {
    @Override public void normal(HasMetadata o, String reason, String message) { events.add("Normal " + reason + ": " + message); }
    @Override public void warning(HasMetadata o, String reason, String message) { events.add("Warning " + reason + ": " + message); }
  });

  /** A kind whose each pass ends as the test says. */
  static final class Scripted extends ScriptedKind<HerokuMapping, HerokuMappingStatus> {
    Scripted() {
      super(HerokuMappingStatus::new);
      next = () -> Outcome.ready("the mapping is DATA_SYNCED", StateTable.Requeue.REFRESH);
      doing = "reconciling mapping Account";
    }
  }

  static HerokuMapping object() {
    HerokuMapping m = new HerokuMapping();
    m.setMetadata(new ObjectMetaBuilder().withName("account").withNamespace("crm").withUid("u1").withGeneration(1L).build());
    return m;
  }

  @Test
  void anUnexpectedExceptionSetsConditionsAndAnEventAndBacksOff() {
    HerokuMapping m = object();
    Scripted sync = new Scripted();
    loop.reconcile(m, sync);
    assertTrue(Conditions.isTrue(m.getStatus(), Conditions.READY));
    sync.next = () -> {
      throw new NullPointerException("status.counts was null");
    };
    UpdateControl<HerokuMapping> first = loop.reconcile(m, sync);
    assertFalse(Conditions.isTrue(m.getStatus(), Conditions.READY), "never leaves Ready=True standing");
    assertTrue(Conditions.isTrueWith(m.getStatus(), Conditions.STALLED, Reasons.INTERNAL_ERROR));
    String msg = Conditions.find(m.getStatus(), Conditions.READY).get().getMessage();
    assertTrue(msg.contains("NullPointerException") && msg.contains("reconciling mapping Account"), msg);
    assertEquals(1, events.stream().filter(e -> e.startsWith("Warning " + Reasons.INTERNAL_ERROR)).count(), events.toString());
    long d1 = first.getScheduleDelay().orElseThrow();
    long d2 = loop.reconcile(m, sync).getScheduleDelay().orElseThrow();
    assertTrue(d2 > d1, "backs off: " + d1 + " ms then " + d2 + " ms");
    assertEquals(1, events.stream().filter(e -> e.startsWith("Warning " + Reasons.INTERNAL_ERROR)).count(), "one Event, not one per retry");
  }

  @Test
  void readsFailingForLongerThanThreeRefreshesEndReady() {
    HerokuMapping m = object();
    Scripted sync = new Scripted();
    loop.reconcile(m, sync);
    sync.next = () -> {
      throw new ConnectApiException.ServerError("GET /connections/c1", 503, "service unavailable");
    };
    clock.advance(refresh);
    loop.reconcile(m, sync);
    assertTrue(Conditions.isTrue(m.getStatus(), Conditions.READY), "one failed background read says nothing new");
    clock.advance(refresh.multipliedBy(2));
    loop.reconcile(m, sync);
    assertTrue(Conditions.isTrue(m.getStatus(), Conditions.READY), "three intervals: still within the bound");
    clock.advance(Duration.ofSeconds(1));
    loop.reconcile(m, sync);
    assertFalse(Conditions.isTrue(m.getStatus(), Conditions.READY), "over three refresh intervals without a good read");
    String msg = Conditions.find(m.getStatus(), Conditions.READY).get().getMessage();
    assertTrue(msg.contains("no successful read since 2026-12-01T00:00:00Z") && msg.contains("service unavailable"), msg);
    sync.next = () -> Outcome.ready("the mapping is DATA_SYNCED", StateTable.Requeue.REFRESH);
    loop.reconcile(m, sync);
    assertTrue(Conditions.isTrue(m.getStatus(), Conditions.READY), "a good read makes it Ready again");
  }

  @Test
  void refreshesOfManyObjectsSpreadOverATenthOfTheInterval() {
    Scripted sync = new Scripted();
    java.util.Set<Long> delays = new java.util.TreeSet<>();
    for (int i = 0; i < 1000; i++) {
      HerokuMapping m = object();
      m.getMetadata().setUid("u" + i);
      delays.add(loop.reconcile(m, sync).getScheduleDelay().orElseThrow());
    }
    long min = delays.iterator().next();
    long max = ((java.util.TreeSet<Long>) delays).last();
    System.out.printf("1000 Ready objects: refresh delays from %d ms to %d ms, %d distinct%n", min, max, delays.size());
    assertTrue(min >= refresh.toMillis() && max <= refresh.toMillis() * 11 / 10, min + ".." + max);
    assertTrue(delays.size() > 500, "spread, not one second for all: " + delays.size() + " distinct delays");
  }

  @Test
  void anExceptionThatEscapesThePassIsShownByTheSdksErrorStatusHook() {
    HerokuMapping m = object();
    Scripted sync = new Scripted();
    loop.reconcile(m, sync);
    assertTrue(Conditions.isTrue(m.getStatus(), Conditions.READY));
    // e.g. the SDK's status patch failed after the pass: JOSDK calls updateErrorStatus with it
    var control = loop.errorStatus(m, sync, new io.fabric8.kubernetes.client.KubernetesClientException("the server is on fire"));
    assertTrue(control.getResource().isPresent(), "the status is patched");
    assertFalse(Conditions.isTrue(m.getStatus(), Conditions.READY), "never leaves Ready=True standing");
    assertTrue(Conditions.isTrueWith(m.getStatus(), Conditions.STALLED, Reasons.INTERNAL_ERROR));
    assertTrue(Conditions.find(m.getStatus(), Conditions.READY).get().getMessage().contains("the server is on fire"));
  }
}
