package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.reconciler.connection.CredentialsGuard;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where two parties, a restart or a vanished thing meet: ownership, stale observations,
 * deletions that must complete, a budget that survives, conditions that do not lie. Each test
 * prints the figure it measures.
 */
class StateMachineTest extends OperatorTestBase {

  long writes(String pathPart) {
    return fake.requests().stream().filter(r -> r.isWrite() && r.path().contains(pathPart)).count();
  }

  @Test
  void twoMappingsOfOneObjectHaveOneOwner() {
    readyConnection();
    apply(mapping("account", "Account", "sfPollingSeconds: 600"));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    apply(mapping("account-2", "account", "sfPollingSeconds: 900")); // the same object, other case, other settings
    HerokuMapping second = awaitMapping("account-2", mappingReason(Conditions.STALLED, Reasons.CONFLICT), "in conflict");
    String msg = Conditions.find(second.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("crm/account"), msg);
    long before = writes("/mappings");
    reconcileMappingNow("account-2");
    reconcileMappingNow("account");
    letItRun(Duration.ofSeconds(3));
    long during = writes("/mappings") - before;
    System.out.printf("conflict: %d writes in %d s with two claimants of Account%n", during, 3);
    assertEquals(0, during, "no ping-pong");
    assertEquals(600, fake.mappings(connectionId).get(0).config().path("sf_polling_seconds").asInt());
    // Deleting the newer claimant deletes nothing remote.
    long start = System.nanoTime();
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account-2").delete();
    assertTrue(Sandbox.await(WAIT, () -> map("account-2") == null));
    System.out.printf("conflict: the non-owner was deleted in %d ms, remote mappings left: %d%n",
        (System.nanoTime() - start) / 1_000_000, fake.mappings(connectionId).size());
    assertEquals(0, count("DELETE", "/mappings/"));
    assertEquals(id, fake.mappings(connectionId).get(0).id());
    // The owner goes: the remote mapping is handed over to the next claimant, not deleted and created again.
    apply(mapping("account-3", "ACCOUNT", "sfPollingSeconds: 600"));
    awaitMapping("account-3", mappingReason(Conditions.STALLED, Reasons.CONFLICT), "waits behind the owner");
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    HerokuMapping third = awaitMappingReady("account-3");
    assertEquals(id, third.getStatus().getMappingId(), "taken over, not re-created (no reload)");
    assertEquals(1, fake.mappings(connectionId).size());
    assertEquals(0, count("DELETE", "/mappings/"));
    assertTrue(hasEvent("account", "HandedOver"));
  }

  @Test
  void twoConnectionsOnOneAddonHaveOneOwner() {
    readyConnection();
    sb.ensureNamespace("other");
    apply(secret(TOKEN).replace("namespace: crm", "namespace: other") + "---\n"
        + connection("database: {configVar: DATABASE_URL, schema: other_schema}\npaused: true").replace("namespace: crm", "namespace: other")
            .replace("  database: {configVar: DATABASE_URL, schema: salesforce}\n", ""));
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("other").withName("sales").get();
      return c != null && connectionReason(Conditions.STALLED, Reasons.CONFLICT).test(c);
    }), "the newer connection is in conflict");
    HerokuConnection other = sb.client().resources(HerokuConnection.class).inNamespace("other").withName("sales").get();
    assertTrue(Conditions.find(other.getStatus(), Conditions.STALLED).get().getMessage().contains("crm/sales"));
    letItRun(Duration.ofSeconds(2));
    assertEquals(1, count("PATCH", "/connections/"), "the schema was set once, by the owner");
    assertEquals(0, count("POST", "/actions/pause"), "the non-owner never pauses");
    assertEquals("salesforce", conn().getStatus().getSchemaName());
  }

  @Test
  void aMappingForAnObjectThatAppearedAfterTheSnapshotIsAdoptedWithoutAPost() {
    readyConnection();
    String[] objects = {"Account", "Contact", "Lead", "Opportunity", "Case"};
    for (String o : objects) fake.dashboardCreate(connectionId, o, MappingReconcilerTest.accountConfig(600)); // after the snapshot
    long deepBefore = count("GET", "/connections/" + connectionId);
    StringBuilder all = new StringBuilder();
    for (String o : objects) all.append("---\n").append(mapping(o.toLowerCase(), o, "sfPollingSeconds: 600"));
    apply(all.toString());
    for (String o : objects) awaitMapping(o.toLowerCase(), x -> x.getStatus() != null && x.getStatus().getMappingId() != null, "adopted");
    long deepGets = count("GET", "/connections/" + connectionId) - deepBefore;
    System.out.printf("stale snapshot: %d POSTs and %d deep GETs for a wave of %d mappings of existing objects%n",
        count("POST", "/mappings"), deepGets, objects.length);
    assertEquals(0, count("POST", "/mappings"), "never created: it exists");
    assertTrue(deepGets <= 3, "one fresh read shared by the wave (and settling refreshes): " + deepGets);
    for (String o : objects) assertEquals(1, events(o.toLowerCase()).stream().filter(e -> e.getReason().equals("Adopted")).count());
  }

  @Test
  void aDestroyedAddonIsTerminalAndItsMappingsCanBeDeleted() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    fake.destroyConnection(connectionId);
    reconcileConnectionNow();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND), "ConnectionNotFound");
    assertTrue(Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage().contains("404"));
    assertTrue(!Conditions.isTrue(c.getStatus(), Conditions.READY));
    long start = System.nanoTime();
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales").delete();
    assertTrue(Sandbox.await(WAIT, () -> map("account") == null && conn() == null), "deletions complete");
    System.out.printf("destroyed add-on: mapping and connection deleted in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    assertNull(sb.client().secrets().inNamespace(NS).withName("heroku-api").get().getMetadata().getFinalizers().stream()
        .filter(f -> f.equals(CredentialsGuard.FINALIZER)).findFirst().orElse(null), "the Secret is released");
  }

  @Test
  void theCredentialsFinalizerFollowsTheSecretRef() {
    readyConnection();
    apply(secret(TOKEN).replace("name: heroku-api", "name: heroku-api-2"));
    apply(connection("").replace("secretRef: {name: heroku-api}", "secretRef: {name: heroku-api-2}"));
    assertTrue(Sandbox.await(WAIT, () -> finalizers("heroku-api-2").contains(CredentialsGuard.FINALIZER)
        && !finalizers("heroku-api").contains(CredentialsGuard.FINALIZER)), "moved to the new Secret");
    assertEquals("true", sb.client().secrets().inNamespace(NS).withName("heroku-api-2").get().getMetadata().getLabels()
        .get(CredentialsGuard.LABEL), "the Secret in use is labelled, so the operator's Secret informer (which selects on it) sees it");
    assertNull(sb.client().secrets().inNamespace(NS).withName("heroku-api").get().getMetadata().getLabels().get(CredentialsGuard.LABEL));
    sb.client().secrets().inNamespace(NS).withName("heroku-api").delete();
    assertTrue(Sandbox.await(WAIT, () -> sb.client().secrets().inNamespace(NS).withName("heroku-api").get() == null),
        "the old Secret is not stuck Terminating");
    // A Secret shared by two connections is released only when neither needs it.
    apply(connection("resourceName: herokuconnect-shiny-1").replace("name: sales", "name: sales-copy")
        .replace("secretRef: {name: heroku-api}", "secretRef: {name: heroku-api-2}"));
    awaitConnection(c -> true, "exists");
    sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales-copy").delete();
    assertTrue(Sandbox.await(WAIT, () -> sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales-copy").get() == null));
    assertTrue(finalizers("heroku-api-2").contains(CredentialsGuard.FINALIZER), "still held for sales");
  }

  List<String> finalizers(String secret) {
    var s = sb.client().secrets().inNamespace(NS).withName(secret).get();
    return s == null || s.getMetadata().getFinalizers() == null ? List.of() : s.getMetadata().getFinalizers();
  }

  @Test
  void theBudgetRecordSurvivesARestartWhileTheTokenIsMissing() throws Exception {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    reconcileConnectionNow();
    int used = conn().getStatus().getRateLimit().getUsed();
    int reserved = conn().getStatus().getRateLimit().getReserved();
    sb.stopOperator();
    sb.client().secrets().inNamespace(NS).withName("heroku-api").edit(s -> { // a rotation, half done
      s.setData(java.util.Map.of());
      s.setStringData(java.util.Map.of());
      return s;
    });
    sb.startOperator(config());
    reconcileConnectionNow();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.UNAUTHORIZED), "stalls on the missing key");
    System.out.printf("restart with the token missing: used %d, reserved %d before; used %d, reserved %d after%n",
        used, reserved, c.getStatus().getRateLimit().getUsed(), c.getStatus().getRateLimit().getReserved());
    assertTrue(c.getStatus().getRateLimit().getUsed() >= used, "the record is not lost");
    assertTrue(c.getStatus().getRateLimit().getReserved() >= reserved);
  }

  @Test
  void aGracefulStopRecordsTheTrueSpend() throws Exception {
    readyConnection();
    reconcileConnectionNow();
    int reservedBefore = conn().getStatus().getRateLimit().getReserved();
    sb.stopOperatorGracefully();
    int used = conn().getStatus().getRateLimit().getUsed();
    int reserved = conn().getStatus().getRateLimit().getReserved();
    System.out.printf("graceful stop: reserved %d while running, recorded used %d / reserved %d at stop (fake counted %d)%n",
        reservedBefore, used, reserved, fake.requestsInWindow(connectionId));
    assertEquals(fake.requestsInWindow(connectionId), used);
    assertEquals(used, reserved, "no phantom block for the next process");
    sb.startOperator(config());
  }

  @Test
  void a429MetByAMappingIsShownOnTheConnectionAtOnce() {
    readyConnection();
    fake.setDailyLimit(connectionId, fake.requestsInWindow(connectionId) + 1); // one more request, then 429
    apply(mapping("account", "Account", "") + "---\n" + mapping("contact", "Contact", ""));
    HerokuConnection c = awaitConnection(connectionReason(Conditions.RECONCILING, Reasons.THROTTLED), "shows the 429");
    assertNotNull(c.getStatus().getRateLimit().getThrottledUntil());
    assertTrue(Instant.parse(c.getStatus().getRateLimit().getThrottledUntil()).isAfter(Instant.now().plusSeconds(3600)));
    assertTrue(!Conditions.isTrue(c.getStatus(), Conditions.READY), "not Ready while nothing can be sent");
    assertEquals(0, c.getStatus().getRateLimit().getRemaining(), "nothing can go before the 429's wait is over");
    int after = fake.requests().size();
    reconcileConnectionNow();
    reconcileMappingNow("account");
    assertEquals(after, fake.requests().size(), "nothing goes to the connection while the 429's wait lasts");
    System.out.printf("429 from a mapping: connection shows Throttled until %s; %d request(s) answered 429 (in flight together)%n",
        c.getStatus().getRateLimit().getThrottledUntil(), fake.requests().stream().filter(r -> r.status() == 429).count());
  }

  @Test
  void aConnectionStuckBusyCostsLittle() {
    readyConnection();
    fake.forceConnectionState(connectionId, "BUSY");
    reconcileConnectionNow();
    int before = fake.requests().size();
    long start = System.nanoTime();
    letItRun(Duration.ofSeconds(12)); // wall time is the point: count what goes out in it
    double seconds = (System.nanoTime() - start) / 1e9;
    long deep = fake.requests().subList(before, fake.requests().size()).stream().filter(r -> r.method().equals("GET")).count();
    // Settling 0.5 s and refresh 30 s here: backoff 0.5, 1, 2, 4, 8 s... at most ~6 reads in 12 s (not 24).
    double perHourAtDefaults = deep / seconds * 3600 * 0.5 / 10; // same count of steps with the defaults (10 s → 5 min)
    System.out.printf("BUSY connection: %d requests in %.1f s with 0.5 s settling (about %.0f per hour at the default 10 s)%n",
        deep, seconds, perHourAtDefaults);
    assertTrue(deep >= 2 && deep <= 7, "backs off exponentially: " + deep);
  }

}
