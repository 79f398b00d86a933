package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi.MappingView;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What needs the operator running on a (mock) Kubernetes API: watches between the two kinds,
 * snapshots older than an object, namespaces. The mapping sync's own cases run a layer down, in
 * {@link MappingLoopTest}, in milliseconds.
 */
class MappingReconcilerTest extends OperatorTestBase {

  static ObjectNode accountConfig(int polling) {
    ObjectNode c = JsonNodeFactory.instance.objectNode().put("access", "read_only").put("sf_notify_enabled", false)
        .put("sf_polling_seconds", polling);
    c.putObject("fields").putObject("Id");
    c.with("fields").putObject("Name");
    c.with("fields").putObject("SystemModstamp");
    c.putObject("indexes").putObject("Id").put("unique", true);
    return c;
  }

  MappingView remote(String object) {
    return fake.mappings(connectionId).stream().filter(m -> m.objectName().equalsIgnoreCase(object)).findFirst().orElse(null);
  }

  @Test
  void aMappingCreatedElsewhereSinceTheLastSnapshotIsAdoptedAfterTheRefusal() {
    readyConnection();
    String existing = fake.dashboardCreate(connectionId, "Account", accountConfig(600)); // newer than the snapshot
    apply(mapping("account", "Account", "sfPollingSeconds: 600"));
    HerokuMapping m = awaitMappingReady("account");
    assertEquals(existing, m.getStatus().getMappingId());
    assertEquals(1, fake.mappings(connectionId).size(), "no duplicate");
    assertEquals(0, fake.requests().stream().filter(r -> r.path().endsWith("/mappings")).count(),
        "decided on a snapshot taken after the HerokuMapping was created: no POST at all");
    assertTrue(hasEvent("account", "Adopted"));
  }

  @Test
  void waitsForItsConnection() {
    apply(mapping("account", "Account", ""));
    HerokuMapping m = awaitMapping("account", mappingReason(Conditions.RECONCILING, Reasons.CONNECTION_NOT_READY), "waits");
    assertTrue(Conditions.find(m.getStatus(), Conditions.READY).get().getMessage().contains("crm/sales"));
    readyConnection();
    awaitMappingReady("account");
  }

  @Test
  void theConnectionWaitsForItsMappingsBeforeGoing() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    sb.client().resources(dev.herokuconnect.operator.crd.HerokuConnection.class).inNamespace(NS).withName("sales").delete();
    awaitConnection(c -> hasEvent("sales", Reasons.DELETING), "waits for its mappings");
    assertNotNull(conn());
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    assertTrue(dev.herokuconnect.operator.sandbox.Sandbox.await(WAIT, () -> map("account") == null && conn() == null), "both gone");
    assertNull(remote("Account"), "the mapping's cleanup reached the API");
    assertFalse(fake.requests().stream().anyMatch(r -> r.method().equals("DELETE") && r.path().contains("/connections/")));
  }

  @Test
  void aMappingCannotUseAConnectionOfAnotherNamespace() {
    readyConnection();
    sb.ensureNamespace("other");
    apply(mapping("account", "Account", "").replace("namespace: crm", "namespace: other"));
    assertTrue(dev.herokuconnect.operator.sandbox.Sandbox.await(WAIT, () -> {
      HerokuMapping m = sb.client().resources(HerokuMapping.class).inNamespace("other").withName("account").get();
      return m != null && mappingReason(Conditions.RECONCILING, Reasons.CONNECTION_NOT_READY).test(m);
    }), "waits: sales exists only in crm");
    HerokuMapping m = sb.client().resources(HerokuMapping.class).inNamespace("other").withName("account").get();
    assertTrue(Conditions.find(m.getStatus(), Conditions.READY).get().getMessage().contains("other/sales"));
    assertEquals(0, count("POST", "/mappings"));
  }

  static String withPhone(String yaml) {
    return yaml.replace("fields: [Id, Name, SystemModstamp]", "fields: [Id, Name, SystemModstamp, Phone]");
  }

  static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
