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
 * What needs the operator running on a (mock) Kubernetes API: watches between the two kinds (a
 * mapping woken by its connection, a connection's finalizer by its mappings' deletion), the
 * lifecycle of both kinds end to end through the SDK. The mapping sync's own cases (snapshots
 * older than an object and namespaces among them) run a layer down, in {@link MappingLoopTest}.
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

  static String withPhone(String yaml) {
    return yaml.replace("fields: [Id, Name, SystemModstamp]", "fields: [Id, Name, SystemModstamp, Phone]");
  }

  static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
