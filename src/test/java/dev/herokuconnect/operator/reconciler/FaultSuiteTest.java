package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi.MappingView;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import dev.herokuconnect.operator.testing.FaultWorld;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The operator under attack where it needs the SDK and a Kubernetes API: restarts in the middle,
 * a whole namespace deleted at once (finalizers), status writes racing edits of the objects. Each
 * scenario asserts on the fake API's request log and final state: no duplicates, no leftovers, no
 * unwanted deletes, nothing stuck. Conflicting edits, a revoked token and a 429 on one connection of
 * two run a layer down, in {@link FaultLoopTest}.
 */
class FaultSuiteTest extends OperatorTestBase {
  static final Duration LONG = Duration.ofSeconds(90);
  static final String[] OBJECTS = FaultWorld.OBJECTS;

  static String name(String object) {
    return FaultWorld.name(object);
  }

  Map<String, MappingView> remoteByObject() {
    return FaultWorld.remoteByObject(fake, connectionId);
  }

  boolean converged(Map<String, Integer> desiredPolling) {
    Map<String, MappingView> remote = fake.mappings(connectionId).stream().collect(Collectors.toMap(MappingView::objectName, m -> m, (a, b) -> a));
    if (!remote.keySet().equals(desiredPolling.keySet())) return false;
    for (var e : desiredPolling.entrySet()) {
      if (remote.get(e.getKey()).config().path("sf_polling_seconds").asInt() != e.getValue()) return false;
      HerokuMapping m = map(name(e.getKey()));
      if (m == null || !Conditions.isTrue(m.getStatus(), Conditions.READY)
          || m.getMetadata().getGeneration() != m.getStatus().getObservedGeneration()) return false;
    }
    return sb.client().resources(HerokuMapping.class).inNamespace(NS).list().getItems().size() == desiredPolling.size();
  }

  @Test
  void thirtyPercentFailuresWhileCreatingEditingAndDeletingWithRestarts() throws Exception {
    readyConnection();
    fake.setFailureRate(0.3);
    StringBuilder all = new StringBuilder();
    for (String o : OBJECTS) all.append("---\n").append(mapping(name(o), o, "sfPollingSeconds: 600"));
    apply(all.toString());
    Map<String, Integer> desired = new TreeMap<>();
    for (String o : OBJECTS) desired.put(o, 600);
    assertTrue(Sandbox.await(LONG, () -> converged(desired)), "20 mappings converge through the failures");

    sb.stopOperator(); // abruptly, between whatever it was doing
    sb.startOperator(config());
    for (int i = 0; i < 8; i++) {
      apply(mapping(name(OBJECTS[i]), OBJECTS[i], "sfPollingSeconds: 900"));
      desired.put(OBJECTS[i], 900);
    }
    for (int i = 15; i < 20; i++) {
      sb.client().resources(HerokuMapping.class).inNamespace(NS).withName(name(OBJECTS[i])).delete();
      desired.remove(OBJECTS[i]);
    }
    annotateMapping(name(OBJECTS[9]), Crds.RELOAD_REQUESTED_AT, "once");
    sb.stopOperator();
    sb.startOperator(config());
    assertTrue(Sandbox.await(LONG, () -> converged(desired)
        && "once".equals(map(name(OBJECTS[9])).getStatus().getLastHandledReloadAt())), () -> "edits and deletes converge too:\n" + state());
    fake.setFailureRate(0);

    assertEquals(desired.keySet(), remoteByObject().keySet(), "exactly the desired set: no leftovers, nothing lost");
    List<RecordedRequest> log = fake.requests();
    long createsThatLanded = log.stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/mappings")
        && (r.status() == 201 || r.status() >= 500 || r.status() == 0)).count();
    long reloads = log.stream().filter(r -> r.path().endsWith("/actions/reload") && r.status() == 202).count();
    assertTrue(reloads <= 1, "the reload was not repeated: " + reloads);
    System.out.printf("fault suite: %d faults injected, 2 restarts, %d requests, %d create attempts, duplicates 0, leftovers 0%n",
        fake.faultsInjected(), log.size(), createsThatLanded);
    assertTrue(fake.faultsInjected() >= 5, "faults were really injected: " + fake.faultsInjected());
  }

  /** Every mapping's conditions and remote polling, for a failure message. */
  String state() {
    StringBuilder b = new StringBuilder();
    for (HerokuMapping m : sb.client().resources(HerokuMapping.class).inNamespace(NS).list().getItems()) {
      b.append(m.getMetadata().getName()).append(" gen ").append(m.getMetadata().getGeneration())
          .append(m.getMetadata().getDeletionTimestamp() == null ? "" : " deleting")
          .append(m.getStatus() == null ? " no status" : " observed " + m.getStatus().getObservedGeneration() + " "
              + m.getStatus().getState() + " reload=" + m.getStatus().getLastHandledReloadAt() + " "
              + Conditions.find(m.getStatus(), Conditions.READY).map(c -> c.getStatus() + "/" + c.getReason() + ": " + c.getMessage()).orElse(""))
          .append('\n');
    }
    fake.mappings(connectionId).forEach(r -> b.append("remote ").append(r.objectName()).append(" polling ")
        .append(r.config().path("sf_polling_seconds").asInt()).append('\n'));
    return b.toString();
  }

  @Test
  void theWholeNamespaceDeletedAtOnceWithARestartInTheMiddle() throws Exception {
    readyConnection();
    apply(mapping("account", "Account", "") + "---\n" + mapping("contact", "Contact", "") + "---\n"
        + mapping("invoice", "Invoice__c", "deletionPolicy: Orphan"));
    for (String n : List.of("account", "contact", "invoice")) awaitMappingReady(n);
    assertTrue(sb.client().secrets().inNamespace(NS).withName("heroku-api").get().getMetadata().getFinalizers()
        .contains("herokuconnect.dev/credentials-in-use"));
    sb.stopOperator();
    // kubectl delete namespace: everything at once, the Secret first.
    sb.client().secrets().inNamespace(NS).withName("heroku-api").delete();
    sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales").delete();
    sb.client().resources(HerokuMapping.class).inNamespace(NS).delete();
    sb.startOperator(config());
    assertTrue(Sandbox.await(WAIT, () -> sb.client().resources(HerokuMapping.class).inNamespace(NS).list().getItems().isEmpty()
        && conn() == null && sb.client().secrets().inNamespace(NS).withName("heroku-api").get() == null), "nothing stays Terminating");
    assertEquals(List.of("Invoice__c"), fake.mappings(connectionId).stream().map(MappingView::objectName).toList(),
        "Delete policies deleted, Orphan kept");
  }

  @Test
  void statusWritesSurviveConcurrentEditsOfTheObjects() {
    readyConnection();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      apply(mapping(name(OBJECTS[i]), OBJECTS[i], ""));
      names.add(name(OBJECTS[i]));
    }
    Thread editor = new Thread(() -> {
      for (int round = 0; round < 40 && !Thread.currentThread().isInterrupted(); round++) {
        for (String n : names) {
          sb.client().resources(HerokuMapping.class).inNamespace(NS).withName(n)
              .patch(MERGE, "{\"metadata\":{\"labels\":{\"round\":\"r" + round + "\"}}}");
        }
      }
    });
    editor.start();
    for (String n : names) awaitMappingReady(n);
    assertTrue(Sandbox.await(WAIT, () -> !editor.isAlive()), "the editor finishes its 40 rounds");
    for (String n : names) {
      HerokuMapping m = map(n);
      // Status writes that replaced the whole object (or patched from a stale copy) would undo the editor's labels.
      assertEquals("r39", m.getMetadata().getLabels().get("round"), "the last label edit of " + n + " survived the status writes");
      assertEquals(m.getMetadata().getGeneration(), m.getStatus().getObservedGeneration());
      assertNotNull(m.getStatus().getMappingId(), "no lost status update for " + n);
      assertNotNull(m.getStatus().getState());
    }
    assertEquals(6, remoteByObject().size());
  }
}
