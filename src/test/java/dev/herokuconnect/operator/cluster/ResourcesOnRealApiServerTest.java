package dev.herokuconnect.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import dev.herokuconnect.operator.testing.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator against a real kube-apiserver (1.20.2; see {@link KubeApiServerExtension}): what
 * the mock API cannot show. Schema pruning of what the operator writes into status, finalizers
 * on a real delete, and a namespace deletion run by the real namespace controller.
 *
 * <p>The CRDs from crds/ go in without their CEL rules ({@code x-kubernetes-validations}, which
 * 1.20 does not know; stripped by the extension); schema validation, pruning, the status
 * subresource, resourceVersion conflicts and finalizers are the API server's own.
 */
class ResourcesOnRealApiServerTest extends ClusterTestBase {
  @RegisterExtension
  static final KubeApiServerExtension CLUSTER = new KubeApiServerExtension();

  @Override
  KubeApiServerExtension cluster() { return CLUSTER; }

  @Test
  void connectionAndMappingGoReadyAndSchemaPruningKeepsEveryStatusFieldTheOperatorWrites() throws Exception {
    // notifications read once the connection is set up: status.notifications and notificationsRead (a map by type)
    fake.addNotification(connectionId, "mapping-error", "Failed to sync Account records due to validation error");
    fake.addNotification(connectionId, "postgres-connection", "Database cannot connect");
    readyConnection();
    apply(Manifests.mapping("account", "Account", "sfPollingSeconds: 600"));
    HerokuMapping m = awaitMappingReady("account");
    awaitConnection(x -> x.getStatus().getNotifications().size() == 2, "the notifications in status");
    // a mapping's validation: status.validation with its findings
    kube.resources(HerokuMapping.class).inNamespace(ns).withName("account")
        .patch(MERGE, "{\"metadata\":{\"annotations\":{\"" + Crds.VALIDATE_REQUESTED_AT + "\":\"v1\"}}}");
    m = awaitMapping("account", x -> "v1".equals(x.getStatus().getLastHandledValidateAt()), "validated");
    assertEquals(1, m.getStatus().getValidation().getPassed());
    HerokuConnection c = conn();
    assertEquals(Map.of("mapping-error", 1, "postgres-connection", 1), c.getStatus().getNotificationsRead().getByType(),
        "the map by type survives the schema");

    // The status subresource holds what the operator found.
    assertEquals(fake.mappings(connectionId).get(0).id(), m.getStatus().getMappingId());
    assertEquals(m.getMetadata().getGeneration(), m.getStatus().getObservedGeneration());
    assertEquals(connectionId, c.getStatus().getConnectionId());
    assertNotNull(c.getStatus().getApiUrl());
    assertNotNull(c.getStatus().getRateLimit());
    assertEquals(c.getMetadata().getGeneration(), c.getStatus().getObservedGeneration());

    // Every status write the operator made: each field it sent is in the stored object the
    // server answered with (pruning drops fields the CRD schema does not declare), and the
    // server refused none (schema validation), apart from resourceVersion conflicts.
    List<WriteRecorder.Write> statusWrites = recorder.writes().stream().filter(WriteRecorder.Write::status).toList();
    assertFalse(statusWrites.isEmpty(), "the operator wrote status" + writes());
    Map<String, Set<String>> fields = new TreeMap<>();
    List<String> pruned = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (WriteRecorder.Write w : statusWrites) {
      if (w.code() / 100 != 2) {
        if (w.code() != 409) refused.add(w + ": " + w.answer());
        continue;
      }
      for (String leaf : WriteRecorder.sent(w)) fields.computeIfAbsent(w.kind(), k -> new TreeSet<>()).add(WriteRecorder.shape(leaf));
      for (String p : WriteRecorder.pruned(w)) pruned.add(w.kind() + "/" + w.name() + " " + p);
    }
    fields.forEach((kind, f) -> System.out.printf("status fields the operator wrote to %s (%d): %s%n", kind, f.size(), f));
    System.out.printf("status writes: %d (%s)%n", statusWrites.size(),
        statusWrites.stream().map(w -> w.method() + " " + w.contentType() + " -> " + w.code()).distinct().toList());
    assertEquals(List.of(), refused, "status writes the API server refused");
    assertEquals(List.of(), pruned.stream().distinct().toList(), "status fields the CRD schema pruned");
    assertTrue(fields.getOrDefault("herokumappings", Set.of()).contains("/status/mappingId"), fields.toString());
    assertTrue(fields.getOrDefault("herokuconnections", Set.of()).contains("/status/connectionId"), fields.toString());
    assertTrue(fields.getOrDefault("herokuconnections", Set.of()).contains("/status/notificationsRead/byType/mapping-error"), fields.toString());
    assertTrue(fields.getOrDefault("herokumappings", Set.of()).contains("/status/validation/passed"), fields.toString());
  }

  @Test
  void deletingAMappingRunsTheFinalizerAndDeletesTheRemoteMappingOnce() {
    readyConnection();
    apply(Manifests.mapping("account", "Account", ""));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    assertTrue(map("account").getMetadata().getFinalizers().contains(Crds.FINALIZER), describe(map("account")));

    kube.resources(HerokuMapping.class).inNamespace(ns).withName("account").delete();
    assertTrue(Sandbox.await(WAIT, () -> map("account") == null), () -> "still there: " + describe(map("account")) + writes());
    assertEquals(List.of(), fake.mappings(connectionId));
    assertEquals(1, count("DELETE", "/mappings/" + id));

    // One more round of the connection (which watches its mappings) deletes nothing more.
    String at = "t" + System.nanoTime();
    kube.resources(HerokuConnection.class).inNamespace(ns).withName("sales")
        .patch(MERGE, "{\"metadata\":{\"annotations\":{\"" + Crds.RECONCILE_REQUESTED_AT + "\":\"" + at + "\"}}}");
    awaitConnection(c -> at.equals(c.getStatus().getLastHandledReconcileAt()), "handled the refresh");
    assertEquals(1, count("DELETE", "/mappings/"));
  }

  @Test
  void deletingTheNamespaceRemovesEverythingAndLeavesNothingTerminating() {
    readyConnection();
    apply(Manifests.mapping("account", "Account", "") + "---\n" + Manifests.mapping("contact", "Contact", ""));
    awaitMappingReady("account");
    awaitMappingReady("contact");
    assertEquals(2, fake.mappings(connectionId).size());

    long start = System.nanoTime();
    kube.namespaces().withName(ns).delete();
    boolean gone = Sandbox.await(Duration.ofSeconds(120), () -> kube.namespaces().withName(ns).get() == null);
    assertTrue(gone, () -> "namespace " + ns + " still there: " + stuck());
    System.out.printf("namespace deleted in %d ms; remote mappings left: %d; DELETE /mappings: %d%n",
        (System.nanoTime() - start) / 1_000_000, fake.mappings(connectionId).size(), count("DELETE", "/mappings/"));
    assertEquals(List.of(), fake.mappings(connectionId), "each HerokuMapping's finalizer deleted its remote mapping");
    assertEquals(2, count("DELETE", "/mappings/"));
  }

  /** What keeps the namespace: its conditions, and every object left in it with its finalizers. */
  private String stuck() {
    Namespace n = kube.namespaces().withName(ns).get();
    StringBuilder b = new StringBuilder();
    if (n != null && n.getStatus() != null) b.append(n.getStatus().getPhase()).append(' ').append(n.getStatus().getConditions());
    Stream.of(kube.resources(HerokuMapping.class).inNamespace(ns).list().getItems(),
            kube.resources(HerokuConnection.class).inNamespace(ns).list().getItems(),
            kube.secrets().inNamespace(ns).list().getItems())
        .flatMap(List::stream)
        .map(HasMetadata.class::cast)
        .forEach(o -> b.append("\n  ").append(o.getKind()).append(' ').append(o.getMetadata().getName())
            .append(" deletionTimestamp=").append(o.getMetadata().getDeletionTimestamp())
            .append(" finalizers=").append(o.getMetadata().getFinalizers()));
    b.append("\nkube-controller-manager ").append(CLUSTER.controllerManagerAlive() ? "running" : "NOT running")
        .append(", its last lines:\n").append(CLUSTER.controllerManagerLog(20));
    b.append("\nConditions of the connection: ").append(conn() == null ? "-" : Conditions.find(conn().getStatus(), Conditions.READY));
    return b.toString();
  }
}
