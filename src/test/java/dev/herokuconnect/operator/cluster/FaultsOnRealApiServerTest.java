package dev.herokuconnect.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi.MappingView;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.reconciler.connection.CredentialsGuard;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import dev.herokuconnect.operator.testing.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import dev.herokuconnect.operator.testing.FaultWorld;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault suite (the sandbox's {@code reconciler.FaultSuiteTest}) on a real kube-apiserver
 * (1.20.2; see {@link KubeApiServerExtension}), for the cases where the real server adds what the
 * mock cannot: restarts that re-list and re-watch for real, finalizers and deletes with
 * resourceVersions, the namespace controller deleting a whole namespace (the token Secret
 * included) while the operator is down, and status writes racing other writers on real
 * resourceVersion conflicts. The same assertions: no duplicate remote mappings, no remote delete
 * that was not asked for, nothing stuck Terminating, each object Ready at the end.
 *
 * <p>Not ported (the Kubernetes API plays no part in them; the sandbox keeps them): the Connect
 * API's own 409 on a PUT, a revoked token, a 429.
 */
class FaultsOnRealApiServerTest extends ClusterTestBase {
  @RegisterExtension
  static final KubeApiServerExtension CLUSTER = new KubeApiServerExtension();

  @Override
  KubeApiServerExtension cluster() { return CLUSTER; }

  static final Duration LONG = Duration.ofSeconds(120);
  static final String[] OBJECTS = FaultWorld.OBJECTS;

  static String name(String object) {
    return FaultWorld.name(object);
  }

  Map<String, MappingView> remoteByObject() {
    return FaultWorld.remoteByObject(fake, connectionId);
  }

  List<HerokuMapping> mappings() {
    return kube.resources(HerokuMapping.class).inNamespace(ns).list().getItems();
  }

  /** Remote set and polling as desired, every object Ready at its generation, none left over (or Terminating). */
  boolean converged(Map<String, Integer> desiredPolling) {
    Map<String, MappingView> remote = fake.mappings(connectionId).stream().collect(Collectors.toMap(MappingView::objectName, m -> m, (a, b) -> a));
    if (!remote.keySet().equals(desiredPolling.keySet())) return false;
    for (var e : desiredPolling.entrySet()) {
      if (remote.get(e.getKey()).config().path("sf_polling_seconds").asInt() != e.getValue()) return false;
      HerokuMapping m = map(name(e.getKey()));
      if (m == null || !Conditions.isTrue(m.getStatus(), Conditions.READY)
          || !m.getMetadata().getGeneration().equals(m.getStatus().getObservedGeneration())) return false;
    }
    return mappings().size() == desiredPolling.size();
  }

  /** Every mapping's conditions and remote polling, for a failure message. */
  String state() {
    StringBuilder b = new StringBuilder();
    for (HerokuMapping m : mappings()) {
      b.append(m.getMetadata().getName()).append(" gen ").append(m.getMetadata().getGeneration())
          .append(m.getMetadata().getDeletionTimestamp() == null ? "" : " deleting " + m.getMetadata().getFinalizers())
          .append(m.getStatus() == null ? " no status" : " observed " + m.getStatus().getObservedGeneration() + " "
              + m.getStatus().getState() + " reload=" + m.getStatus().getLastHandledReloadAt() + " "
              + Conditions.find(m.getStatus(), Conditions.READY).map(c -> c.getStatus() + "/" + c.getReason() + ": " + c.getMessage()).orElse(""))
          .append('\n');
    }
    fake.mappings(connectionId).forEach(r -> b.append("remote ").append(r.objectName()).append(' ').append(r.id()).append(" polling ")
        .append(r.config().path("sf_polling_seconds").asInt()).append('\n'));
    return b.toString();
  }

  /** The status writes the API server refused with a resourceVersion conflict (409), over every recorder given. */
  static long conflicts(List<WriteRecorder> recorders) {
    return recorders.stream().flatMap(r -> r.writes().stream()).filter(w -> w.code() == 409).count();
  }

  @Test
  void thirtyPercentFailuresWhileCreatingEditingAndDeletingWithTwoRestarts() throws Exception {
    readyConnection();
    List<WriteRecorder> recorders = new ArrayList<>();
    fake.setFailureRate(0.3);
    StringBuilder all = new StringBuilder();
    for (String o : OBJECTS) all.append("---\n").append(Manifests.mapping(name(o), o, "sfPollingSeconds: 600"));
    apply(all.toString());
    Map<String, Integer> desired = new TreeMap<>();
    for (String o : OBJECTS) desired.put(o, 600);
    long start = System.nanoTime();
    assertTrue(Sandbox.await(LONG, () -> converged(desired)), () -> "20 mappings converge through the failures:\n" + state());
    long created = System.nanoTime();

    recorders.add(recorder);
    crashOperator(); // abruptly, between whatever it was doing
    startOperator();
    // What a person does meanwhile (kubectl apply is a patch: the operator's finalizers stay).
    for (int i = 0; i < 8; i++) {
      kube.resources(HerokuMapping.class).inNamespace(ns).withName(name(OBJECTS[i])).patch(MERGE, "{\"spec\":{\"sfPollingSeconds\":900}}");
      desired.put(OBJECTS[i], 900);
    }
    Set<String> askedToDelete = new TreeSet<>();
    for (int i = 15; i < 20; i++) {
      askedToDelete.add(map(name(OBJECTS[i])).getStatus().getMappingId());
      kube.resources(HerokuMapping.class).inNamespace(ns).withName(name(OBJECTS[i])).delete();
      desired.remove(OBJECTS[i]);
    }
    kube.resources(HerokuMapping.class).inNamespace(ns).withName(name(OBJECTS[9]))
        .patch(MERGE, "{\"metadata\":{\"annotations\":{\"" + Crds.RELOAD_REQUESTED_AT + "\":\"once\"}}}");
    recorders.add(recorder);
    crashOperator();
    startOperator();
    assertTrue(Sandbox.await(LONG, () -> converged(desired)
        && "once".equals(map(name(OBJECTS[9])).getStatus().getLastHandledReloadAt())), () -> "edits and deletes converge too:\n" + state());
    recorders.add(recorder);
    fake.setFailureRate(0);

    assertEquals(desired.keySet(), remoteByObject().keySet(), "exactly the desired set: no leftovers, nothing lost");
    List<RecordedRequest> log = fake.requests();
    Set<String> deleted = log.stream().filter(r -> r.method().equals("DELETE") && r.path().contains("/mappings/"))
        .map(r -> r.path().substring(r.path().lastIndexOf('/') + 1)).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(askedToDelete, deleted, "remote deletes: exactly the five asked for");
    assertTrue(mappings().stream().allMatch(m -> m.getMetadata().getDeletionTimestamp() == null), this::state);
    long createsThatLanded = log.stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/mappings")
        && (r.status() == 201 || r.status() >= 500 || r.status() == 0)).count();
    long reloads = log.stream().filter(r -> r.path().endsWith("/actions/reload") && r.status() == 202).count();
    assertTrue(reloads <= 1, "the reload was not repeated: " + reloads);
    System.out.printf("fault suite on a real API server: %d faults injected, 2 restarts, %d requests, %d create attempts, "
            + "duplicates 0, leftovers 0; %d resourceVersion conflicts; converged in %d ms, then in %d ms after the restarts%n",
        fake.faultsInjected(), log.size(), createsThatLanded, conflicts(recorders), (created - start) / 1_000_000,
        (System.nanoTime() - created) / 1_000_000);
    assertTrue(fake.faultsInjected() >= 5, "faults were really injected: " + fake.faultsInjected());
  }

  @Test
  void theWholeNamespaceDeletedWhileTheOperatorIsDownThenItStarts() throws Exception {
    readyConnection();
    apply(Manifests.mapping("account", "Account", "") + "---\n" + Manifests.mapping("contact", "Contact", "") + "---\n"
        + Manifests.mapping("invoice", "Invoice__c", "deletionPolicy: Orphan"));
    for (String n : List.of("account", "contact", "invoice")) awaitMappingReady(n);
    assertTrue(kube.secrets().inNamespace(ns).withName("heroku-api").get().getMetadata().getFinalizers()
        .contains(CredentialsGuard.FINALIZER));
    crashOperator();

    // kubectl delete namespace: the namespace controller deletes everything in it at once, the Secret too.
    long start = System.nanoTime();
    kube.namespaces().withName(ns).delete();
    assertTrue(Sandbox.await(WAIT, () -> left().size() == 5 && left().stream().allMatch(o -> o.getMetadata().getDeletionTimestamp() != null)),
        () -> "the namespace controller marked all five for deletion (the finalizers keep them): " + stuck());
    assertEquals(List.of(CredentialsGuard.FINALIZER), kube.secrets().inNamespace(ns).withName("heroku-api").get().getMetadata().getFinalizers(),
        "the operator's hold keeps the token Secret for the cleanup");

    startOperator();
    assertTrue(Sandbox.await(LONG, () -> kube.namespaces().withName(ns).get() == null), () -> "namespace " + ns + " still there: " + stuck());
    System.out.printf("namespace deleted with the operator down, then started: gone %d ms after the delete; DELETE /mappings: %d%n",
        (System.nanoTime() - start) / 1_000_000, count("DELETE", "/mappings/"));
    assertEquals(List.of("Invoice__c"), fake.mappings(connectionId).stream().map(MappingView::objectName).toList(),
        "Delete policies deleted, Orphan kept");
    assertEquals(2, count("DELETE", "/mappings/"), "each deleted once");
  }

  /** The Secret, the connection and the mappings still in the namespace. */
  private List<HasMetadata> left() {
    return Stream.of(kube.resources(HerokuMapping.class).inNamespace(ns).list().getItems(),
            kube.resources(HerokuConnection.class).inNamespace(ns).list().getItems(),
            kube.secrets().inNamespace(ns).list().getItems().stream().filter(s -> s.getMetadata().getName().equals("heroku-api")).toList())
        .flatMap(List::stream).map(HasMetadata.class::cast).toList();
  }

  /** What keeps the namespace: its conditions, and every object left in it with its finalizers. */
  private String stuck() {
    Namespace n = kube.namespaces().withName(ns).get();
    StringBuilder b = new StringBuilder();
    if (n != null && n.getStatus() != null) b.append(n.getStatus().getPhase()).append(' ').append(n.getStatus().getConditions());
    left().forEach(o -> b.append("\n  ").append(o.getKind()).append(' ').append(o.getMetadata().getName())
        .append(" deletionTimestamp=").append(o.getMetadata().getDeletionTimestamp())
        .append(" finalizers=").append(o.getMetadata().getFinalizers()));
    b.append("\nkube-controller-manager ").append(CLUSTER.controllerManagerAlive() ? "running" : "NOT running")
        .append(", its last lines:\n").append(CLUSTER.controllerManagerLog(20));
    return b.toString();
  }

  @Test
  void statusWritesSurviveConcurrentEditsOfTheObjects() throws Exception {
    readyConnection();
    List<String> names = new ArrayList<>();
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      all.append("---\n").append(Manifests.mapping(name(OBJECTS[i]), OBJECTS[i], ""));
      names.add(name(OBJECTS[i]));
    }
    // Every version of the six the API server stores, in order: an edit undone shows as a label going back.
    Map<String, List<String>> seen = new java.util.concurrent.ConcurrentHashMap<>();
    io.fabric8.kubernetes.client.Watch watch = kube.resources(HerokuMapping.class).inNamespace(ns)
        .watch(new io.fabric8.kubernetes.client.Watcher<HerokuMapping>() {
          @Override
          public void eventReceived(Action action, HerokuMapping m) {
            Map<String, String> l = m.getMetadata().getLabels() == null ? Map.of() : m.getMetadata().getLabels();
            seen.computeIfAbsent(m.getMetadata().getName(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(l.getOrDefault("round", "-1") + "/" + l.getOrDefault("before-write", "-1"));
          }

          @Override
          public void onClose(io.fabric8.kubernetes.client.WatcherException e) { }
        });
    List<Throwable> editorFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Before each status write of the operator to a mapping, the other party edits it: the edit lands
    // between the operator's read and its write, every time.
    Map<String, java.util.concurrent.atomic.AtomicInteger> beforeWrite = new java.util.concurrent.ConcurrentHashMap<>();
    recorder.hook((method, path) -> {
      if (!path.contains("/herokumappings/") || !path.endsWith("/status")) return;
      String n = path.replaceAll(".*/herokumappings/([^/]+)/status$", "$1");
      int v = beforeWrite.computeIfAbsent(n, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
      try {
        kube.resources(HerokuMapping.class).inNamespace(ns).withName(n).patch(MERGE, "{\"metadata\":{\"labels\":{\"before-write\":\"" + v + "\"}}}");
      } catch (RuntimeException e) {
        editorFailures.add(e);
      }
    });
    apply(all.toString());
    // And another relabels all six, round after round, until all are Ready.
    java.util.concurrent.atomic.AtomicBoolean allReady = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
    Thread editor = new Thread(() -> {
      try {
        for (int round = 0; !allReady.get() && round < 1000; round++) {
          for (String n : names) {
            kube.resources(HerokuMapping.class).inNamespace(ns).withName(n)
                .patch(MERGE, "{\"metadata\":{\"labels\":{\"round\":\"" + round + "\"}}}");
          }
          rounds.set(round + 1);
        }
      } catch (RuntimeException e) {
        editorFailures.add(e);
      }
    });
    editor.start();
    try {
      for (String n : names) awaitMappingReady(n);
      allReady.set(true);
      assertTrue(Sandbox.await(WAIT, () -> !editor.isAlive()), "the editor stops");
      recorder.hook(null);
      assertEquals(List.of(), editorFailures, "the other party's patches all landed");
      String last = String.valueOf(rounds.get() - 1);
      for (String n : names) {
        HerokuMapping m = awaitMapping(n, x -> x.getMetadata().getGeneration().equals(x.getStatus().getObservedGeneration())
            && Conditions.isTrue(x.getStatus(), Conditions.READY), "Ready at its generation");
        // Status writes that replaced the whole object (or patched from a stale copy) would undo the edits.
        assertEquals(last, m.getMetadata().getLabels().get("round"), "the last label edit of " + n + " survived the status writes");
        assertEquals(String.valueOf(beforeWrite.get(n).get()), m.getMetadata().getLabels().get("before-write"),
            "the edit before the operator's last write to " + n + " survived it");
        assertTrue(m.getMetadata().getFinalizers().contains(Crds.FINALIZER), "the finalizer survived the edits: " + m.getMetadata().getFinalizers());
        assertNotNull(m.getStatus().getMappingId(), "no lost status update for " + n);
        assertNotNull(m.getStatus().getState());
        String expected = last + "/" + beforeWrite.get(n).get();
        assertTrue(Sandbox.await(WAIT, () -> seen.get(n).get(seen.get(n).size() - 1).equals(expected)), () -> "the watch saw " + seen.get(n));
        int[] high = {-1, -1};
        for (String v : seen.get(n)) {
          String[] p = v.split("/");
          for (int i = 0; i < 2; i++) {
            int x = Integer.parseInt(p[i]);
            assertTrue(x >= high[i], () -> "an edit of " + n + " was undone: its labels went " + seen.get(n));
            high[i] = x;
          }
        }
      }
    } finally {
      allReady.set(true);
      watch.close();
    }
    assertEquals(6, remoteByObject().size());
    assertEquals(6, count("POST", "/mappings"), "each created once");
    System.out.printf("status writes under %d concurrent label edits and %d edits just before a write: %d status writes, %d resourceVersion conflicts%n",
        rounds.get() * names.size(), beforeWrite.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum(),
        recorder.writes().stream().filter(WriteRecorder.Write::status).count(), conflicts(List.of(recorder)));
  }
}
