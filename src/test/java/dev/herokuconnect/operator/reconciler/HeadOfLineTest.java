package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No head-of-line blocking: while one connection's deep GET hangs (a slow region), the reconciles
 * that wait for that shared snapshot give up after a bounded wait instead of holding reconcile
 * threads, so other connections' mappings are still created and go Ready. Two reconcile threads
 * make the blocking visible: the hanging fetch holds one, a waiter would hold the other.
 */
class HeadOfLineTest extends OperatorTestBase {
  static final int THREADS = 2;
  /** Less than the HTTP client's read timeout (30 s), after which a hanging fetch fails and frees its thread anyway. */
  static final Duration OTHERS_DEADLINE = Duration.ofSeconds(20);

  @Override
  OperatorConfig config() {
    return super.config().withReconcileThreads(THREADS);
  }

  static String connectionNamed(String name, String app) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuConnection
        metadata: {name: %s, namespace: crm}
        spec:
          appName: %s
          credentials: {secretRef: {name: heroku-api}}
          database: {configVar: DATABASE_URL, schema: salesforce}
        """.formatted(name, app);
  }

  static String mappingOn(String name, String connection, String object) {
    return mappingOn(name, connection, object, 600);
  }

  static String mappingOn(String name, String connection, String object, int pollingSeconds) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuMapping
        metadata: {name: %s, namespace: crm}
        spec:
          connectionRef: {name: %s}
          objectName: %s
          fields: [Id, Name, SystemModstamp]
          indexes: [{field: Id, unique: true}]
          sfPollingSeconds: %d
        """.formatted(name, connection, object, pollingSeconds);
  }

  static final List<String> SLOW_MAPPINGS = List.of("slow-account", "slow-contact", "slow-lead");
  static final List<String> OTHER_MAPPINGS = List.of("fast-0-account", "fast-0-contact", "fast-1-account", "fast-1-contact");

  @Test
  void oneHangingConnectionDoesNotHoldTheThreadsOtherConnectionsNeed() {
    String slowId = fake.addReadyConnection("slow-app", "herokuconnect-slow", "ops@example.com", "DATABASE_URL", "salesforce");
    apply(secret(TOKEN) + "---\n" + connectionNamed("slow", "slow-app") + "---\n" + mappingOn("slow-account", "slow", "Account")
        + "---\n" + mappingOn("slow-contact", "slow", "Contact") + "---\n" + mappingOn("slow-lead", "slow", "Lead"));
    SLOW_MAPPINGS.forEach(this::awaitMappingReady);

    fake.hangDeepGets(slowId);
    try {
      // Every mapping of the slow connection gets a new spec, so each needs a fresh read: one fetches (and hangs),
      // the others wait for it.
      apply(mappingOn("slow-account", "slow", "Account", 900) + "---\n" + mappingOn("slow-contact", "slow", "Contact", 900)
          + "---\n" + mappingOn("slow-lead", "slow", "Lead", 900));
      assertTrue(Sandbox.await(WAIT, () -> fake.hanging() >= 1), "the slow connection's deep GET hangs");

      String fast0 = fake.addReadyConnection("fast-0-app", "herokuconnect-fast-0", "ops@example.com", "DATABASE_URL", "salesforce");
      String fast1 = fake.addReadyConnection("fast-1-app", "herokuconnect-fast-1", "ops@example.com", "DATABASE_URL", "salesforce");
      long start = System.nanoTime();
      apply(connectionNamed("fast-0", "fast-0-app") + "---\n" + connectionNamed("fast-1", "fast-1-app")
          + "---\n" + mappingOn("fast-0-account", "fast-0", "Account") + "---\n" + mappingOn("fast-0-contact", "fast-0", "Contact")
          + "---\n" + mappingOn("fast-1-account", "fast-1", "Account") + "---\n" + mappingOn("fast-1-contact", "fast-1", "Contact"));
      boolean othersDone = Sandbox.await(OTHERS_DEADLINE, () -> OTHER_MAPPINGS.stream().allMatch(n -> {
        HerokuMapping m = map(n);
        return m != null && Conditions.isTrue(m.getStatus(), Conditions.READY);
      }));
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      long ready = OTHER_MAPPINGS.stream().filter(n -> map(n) != null && Conditions.isTrue(map(n).getStatus(), Conditions.READY)).count();
      System.out.printf("while connection slow hung (%d reconcile threads): %d of %d other connections' mappings Ready %s%n",
          THREADS, ready, OTHER_MAPPINGS.size(), othersDone ? "in " + tookMs + " ms" : "after " + tookMs + " ms (deadline passed)");
      assertTrue(othersDone, "other connections' mappings go Ready while one connection hangs: " + ready + " of " + OTHER_MAPPINGS.size());
      assertEquals(2, fake.mappings(fast0).size(), "created on fast-0");
      assertEquals(2, fake.mappings(fast1).size(), "created on fast-1");

      // The slow connection's mappings that wait say so (not Ready: their new spec is not applied), and waiting sends
      // nothing: one deep GET hangs, no second one.
      assertTrue(Sandbox.await(WAIT, () -> SLOW_MAPPINGS.stream().filter(n -> waiting(map(n))).count() >= SLOW_MAPPINGS.size() - 1),
          "the mappings that wait for the fetch report WaitingForSnapshot: " + SLOW_MAPPINGS.stream().map(n -> n + ": "
          + Conditions.find(map(n).getStatus(), Conditions.READY).map(c -> c.getReason() + " " + c.getMessage()).orElse("")).toList());
      String msg = SLOW_MAPPINGS.stream().map(this::map).filter(HeadOfLineTest::waiting).findFirst()
          .map(m -> Conditions.find(m.getStatus(), Conditions.READY).get().getMessage()).orElseThrow();
      assertTrue(msg.contains("waiting for the snapshot of connection " + slowId), msg);
      assertEquals(1, fake.hanging(), "single flight: the waiters sent no deep GET of their own");
    } finally {
      fake.releaseHang();
    }
    // Once the region answers, the slow connection's mappings apply their new spec and are Ready again.
    SLOW_MAPPINGS.forEach(n -> awaitMapping(n, m -> Conditions.isTrue(m.getStatus(), Conditions.READY)
        && m.getMetadata().getGeneration().equals(m.getStatus().getObservedGeneration()), "Ready with the new spec"));
    fake.mappings(slowId).forEach(m -> assertEquals(900, m.config().path("sf_polling_seconds").asInt(), m.objectName()));
  }

  /** Not Ready because it waits for the shared snapshot. */
  static boolean waiting(HerokuMapping m) {
    return m != null && Conditions.find(m.getStatus(), Conditions.READY)
        .filter(c -> "False".equals(c.getStatus()) && Reasons.WAITING_FOR_SNAPSHOT.equals(c.getReason())).isPresent();
  }
}

