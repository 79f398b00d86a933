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
import java.util.List;
import org.junit.jupiter.api.Test;

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
  void createsThenNeverWritesWhenNothingDiffers() {
    readyConnection();
    apply(mapping("account", "Account", "sfPollingSeconds: 600"));
    HerokuMapping m = awaitMapping("account", x -> x.getStatus() != null && "DATA_SYNCED".equals(x.getStatus().getState()), "synced");
    assertTrue(Conditions.isTrue(m.getStatus(), Conditions.READY));
    MappingView r = remote("Account");
    assertEquals(r.id(), m.getStatus().getMappingId());
    assertEquals(connectionId, m.getStatus().getConnectionId());
    assertEquals(1L, m.getStatus().getRevision());
    assertTrue(m.getStatus().getCounts().getDb() > 0);
    assertNotNull(m.getStatus().getTimes().getSfPoll());
    assertNotNull(m.getStatus().getLastSyncTime());
    assertEquals(List.of("Id", "Name", "SystemModstamp"), iterable(r.config().path("fields").fieldNames()));
    assertTrue(hasEvent("account", "Created"));
    long deepGets = count("GET", "/connections/" + connectionId);
    long writesBefore = fake.requests().stream().filter(x -> x.isWrite()).count();
    reconcileMappingNow("account");
    reconcileMappingNow("account");
    assertEquals(writesBefore, fake.requests().stream().filter(x -> x.isWrite()).count(), "no write on forced reconciles");
    assertEquals(1, count("POST", "/mappings"), "one create");
    assertEquals(0, count("PUT", "/mappings/"), "no PUT when nothing differs");
    assertEquals(0, count("GET", "/mappings/"), "status comes from the connection's deep GET");
    assertTrue(count("GET", "/connections/" + connectionId) <= deepGets + 2);
  }

  @Test
  void adoptsAnExistingMappingCaseInsensitively() {
    readyConnection();
    String existing = fake.dashboardCreate(connectionId, "account", accountConfig(600));
    reconcileConnectionNow(); // the operator's snapshot now includes it, as after any refresh
    apply(mapping("account", "Account", "sfPollingSeconds: 600"));
    HerokuMapping m = awaitMappingReady("account");
    assertEquals(existing, m.getStatus().getMappingId());
    assertEquals(0, count("POST", "/mappings"), "never created twice");
    assertEquals(0, count("PUT", "/mappings/"), "nothing differed");
    assertTrue(hasEvent("account", "Adopted"));
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
  void driftIsCorrectedWithTheRevisionAndUnknownKeysAreKept() {
    readyConnection();
    apply(mapping("account", "Account", "sfPollingSeconds: 600"));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    fake.dashboardEdit(id, c -> c.put("sf_polling_seconds", 120).put("sf_sync_mode", "bulk")); // someone in the dashboard
    reconcileMappingNow("account");
    awaitMapping("account", x -> remote("Account").config().path("sf_polling_seconds").asInt() == 600, "corrected");
    MappingView r = remote("Account");
    assertEquals("bulk", r.config().path("sf_sync_mode").asText(), "a key the operator does not manage is kept");
    assertEquals(3, r.revision());
    assertEquals(1, count("PUT", "/mappings/"));
    assertTrue(fake.requests().stream().filter(x -> x.method().equals("PUT")).allMatch(x -> x.body().contains("\"revision\":2")));
    assertTrue(hasEvent("account", "Updated"));
  }

  @Test
  void aConflictIsReadAgainAndRetried() {
    readyConnection();
    apply(mapping("account", "Account", "sfPollingSeconds: 600"));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    // Someone edits behind the operator's cached snapshot, then the spec changes: the first PUT is stale.
    fake.dashboardEdit(id, c -> c.put("sf_sync_mode", "bulk"));
    apply(mapping("account", "Account", "sfPollingSeconds: 900"));
    awaitMapping("account", x -> remote("Account").config().path("sf_polling_seconds").asInt() == 900, "edited");
    List<Integer> puts = fake.requests().stream().filter(x -> x.method().equals("PUT")).map(x -> x.status()).toList();
    assertEquals(List.of(409, 200), puts);
    assertEquals(1, count("GET", "/mappings/" + id), "re-read once after the 409");
    assertEquals("bulk", remote("Account").config().path("sf_sync_mode").asText(), "the other party's key survives");
  }

  @Test
  void aRefusedSpecStallsWithoutRetriesUntilItChanges() {
    readyConnection();
    apply(mapping("ghost", "Ghost", "")); // valid for the schema, unknown to the Salesforce org
    HerokuMapping m = awaitMapping("ghost", mappingReason(Conditions.STALLED, Reasons.INVALID_SPEC), "stalls");
    String msg = Conditions.find(m.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("object_name") && msg.contains("Ghost"), msg);
    assertTrue(hasEvent("ghost", Reasons.INVALID_SPEC));
    reconcileMappingNow("ghost");
    reconcileMappingNow("ghost");
    assertEquals(1, count("POST", "/mappings"), "no retry storm: one POST for this generation");
    apply(mapping("ghost", "Ghost", "sfPollingSeconds: 900"));
    awaitMapping("ghost", x -> x.getStatus().getObservedGeneration() == 2L
        && mappingReason(Conditions.STALLED, Reasons.INVALID_SPEC).test(x), "tried the new generation");
    assertEquals(2, count("POST", "/mappings"), "one more try for the new generation");
  }

  @Test
  void deletionHonoursThePolicy() {
    readyConnection();
    apply(mapping("account", "Account", "") + "---\n" + mapping("contact", "Contact", "deletionPolicy: Orphan"));
    awaitMappingReady("account");
    awaitMappingReady("contact");
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("contact").delete();
    assertTrue(dev.herokuconnect.operator.sandbox.Sandbox.await(WAIT, () -> map("account") == null && map("contact") == null));
    assertNull(remote("Account"), "Delete removed the remote mapping");
    assertNotNull(remote("Contact"), "Orphan left it");
    assertEquals(1, count("DELETE", "/mappings/"));
  }

  @Test
  void deletionWhileTheApiFailsKeepsTheFinalizerAndFinishesLater() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    fake.setFailureRate(1.0);
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    awaitMapping("account", x -> hasEvent("account", "DeleteFailed"), "reports the failure");
    assertNotNull(map("account").getMetadata().getDeletionTimestamp());
    assertNotNull(remote("Account"));
    fake.setFailureRate(0);
    assertTrue(dev.herokuconnect.operator.sandbox.Sandbox.await(WAIT, () -> map("account") == null), "deleted once the API works");
    assertNull(remote("Account"));
  }

  @Test
  void aMappingDeletedBehindOurBackIsCreatedAgain() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    String first = awaitMappingReady("account").getStatus().getMappingId();
    fake.dashboardDelete(first);
    reconcileMappingNow("account");
    HerokuMapping m = awaitMapping("account", x -> !first.equals(x.getStatus().getMappingId()), "re-created");
    assertNotNull(remote("Account"));
    assertEquals(m.getStatus().getMappingId(), remote("Account").id());
    assertTrue(hasEvent("account", "Recreated"));
  }

  @Test
  void observeOnlyReportsDriftAndWritesNothing() {
    readyConnection();
    String id = fake.dashboardCreate(connectionId, "Account", accountConfig(120));
    reconcileConnectionNow();
    apply(withPhone(mapping("account", "Account", "sfPollingSeconds: 600"))
        .replace("metadata: {name: account, namespace: crm}",
            "metadata: {name: account, namespace: crm, annotations: {herokuconnect.dev/reconcile-policy: observe}}"));
    HerokuMapping m = awaitMapping("account", x -> x.getStatus() != null && x.getStatus().getDrift().size() == 2, "reports drift");
    assertEquals(id, m.getStatus().getMappingId());
    assertTrue(m.getStatus().getDrift().stream().anyMatch(d -> d.contains("sf_polling_seconds: remote 120, spec 600")), m.getStatus().getDrift().toString());
    assertTrue(m.getStatus().getDrift().stream().anyMatch(d -> d.contains("fields: add Phone")), m.getStatus().getDrift().toString());
    assertTrue(fake.requests().stream().noneMatch(r -> r.path().contains("/mappings")), "no write, no mapping GET");
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    assertTrue(dev.herokuconnect.operator.sandbox.Sandbox.await(WAIT, () -> map("account") == null));
    assertNotNull(remote("Account"), "observe-only never deletes");
    // Switching to manage applies the spec.
    apply(withPhone(mapping("account", "Account", "sfPollingSeconds: 600")));
    awaitMapping("account", x -> x.getStatus() != null && x.getStatus().getDrift().isEmpty() && Conditions.isTrue(x.getStatus(), Conditions.READY), "managed");
    assertEquals(600, remote("Account").config().path("sf_polling_seconds").asInt());
  }

  @Test
  void reloadAndAbortActOnce() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMapping("account", x -> x.getStatus() != null && "DATA_SYNCED".equals(x.getStatus().getState()), "synced");
    annotateMapping("account", Crds.ABORT_REQUESTED_AT, "a1");
    HerokuMapping m = awaitMapping("account", mappingReason(Conditions.STALLED, Reasons.ABORTED), "aborted");
    assertEquals("a1", m.getStatus().getLastHandledAbortAt());
    annotateMapping("account", Crds.RELOAD_REQUESTED_AT, "r1");
    awaitMapping("account", x -> "r1".equals(x.getStatus().getLastHandledReloadAt()) && "DATA_SYNCED".equals(x.getStatus().getState()), "reloaded");
    reconcileMappingNow("account");
    assertEquals(1, count("POST", "/actions/abort"));
    assertEquals(1, count("POST", "/actions/reload"));
    assertTrue(hasEvent("account", "Reloaded"));
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
