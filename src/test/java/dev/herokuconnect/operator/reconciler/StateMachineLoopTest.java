package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.connection.CredentialsGuard;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.Manifests;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where two parties or a vanished thing meet, a layer down ({@link LoopWorld}): ownership of a
 * remote mapping and of an add-on, snapshots older than an object, a destroyed add-on, the
 * credentials hold following the Secret, the cost of a connection stuck BUSY. Moved from the
 * sandbox's StateMachineTest; what needs a restart of the process or a wake by the SDK stays there.
 */
class StateMachineLoopTest extends LoopWorldCase {

  long writes(String pathPart) {
    return w.fake.requests().stream().filter(r -> r.isWrite() && r.path().contains(pathPart)).count();
  }

  static boolean has(HerokuMapping m, String type, String reason) {
    return Conditions.isTrueWith(m.getStatus(), type, reason);
  }

  static boolean has(HerokuConnection c, String type, String reason) {
    return Conditions.isTrueWith(c.getStatus(), type, reason);
  }

  List<String> finalizers(String secret) {
    var s = w.secret(secret);
    return s == null || s.getMetadata().getFinalizers() == null ? List.of() : s.getMetadata().getFinalizers();
  }

  @Test
  void twoMappingsOfOneObjectHaveOneOwner() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    w.apply("account-2", "account", "sfPollingSeconds: 900"); // the same object, other case, other settings
    HerokuMapping second = w.reconcile("account-2");
    assertTrue(has(second, Conditions.STALLED, Reasons.CONFLICT), second.getStatus().getConditions().toString());
    String msg = Conditions.find(second.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("crm/account"), msg);
    long before = writes("/mappings");
    w.refreshMapping("account-2");
    w.refreshMapping("account");
    w.requeues().mapping("account-2").mapping("account").runFor(Duration.ofMinutes(30)); // both, as their requeues run them
    long during = writes("/mappings") - before;
    System.out.printf("conflict: %d writes in 30 min of requeues with two claimants of Account%n", during);
    assertEquals(0, during, "no ping-pong");
    assertEquals(600, w.fake.mappings(w.connectionId).get(0).config().path("sf_polling_seconds").asInt());
    // Deleting the newer claimant deletes nothing remote.
    assertTrue(w.delete("account-2"), "the non-owner's finalizer goes");
    assertEquals(0, w.count("DELETE", "/mappings/"));
    assertEquals(id, w.fake.mappings(w.connectionId).get(0).id());
    // The owner goes: the remote mapping is handed over to the next claimant, not deleted and created again.
    w.apply("account-3", "ACCOUNT", "sfPollingSeconds: 600");
    assertTrue(has(w.reconcile("account-3"), Conditions.STALLED, Reasons.CONFLICT), "waits behind the owner");
    assertTrue(w.delete("account"));
    w.untilReady("account-3"); // the owner's cleanup wakes it in the operator; here the test runs its passes
    assertEquals(id, w.mapping("account-3").getStatus().getMappingId(), "taken over, not re-created (no reload)");
    assertEquals(1, w.fake.mappings(w.connectionId).size());
    assertEquals(0, w.count("DELETE", "/mappings/"));
    assertTrue(w.hasEvent("account", "HandedOver"));
  }

  @Test
  void twoConnectionsOnOneAddonHaveOneOwner() {
    w.cluster.remove("HerokuConnection/crm/sales");
    String id = w.fake.addConnection("acme-new", "herokuconnect-new-1"); // set up by the owner below: one PATCH
    w.applyConnection(LoopWorld.connectionNamed("sales", "acme-new"));
    w.untilConnection(LoopWorld.NS, "sales", c -> c.getStatus().getAuthorizationUrl() != null);
    w.fake.completeAuthorization(id);
    w.clock.advance(Duration.ofMinutes(11));
    w.untilConnection(LoopWorld.NS, "sales", c -> Conditions.isTrue(c.getStatus(), Conditions.READY));
    w.putSecret("other", "heroku-api", LoopWorld.TOKEN);
    w.applyConnection(Manifests.connection("database: {configVar: DATABASE_URL, schema: other_schema}\npaused: true")
        .replace("namespace: crm", "namespace: other").replace("appName: acme-crm", "appName: acme-new")
        .replace("  database: {configVar: DATABASE_URL, schema: salesforce}\n", ""));
    HerokuConnection other = w.untilConnection("other", "sales", c -> has(c, Conditions.STALLED, Reasons.CONFLICT));
    assertTrue(Conditions.find(other.getStatus(), Conditions.STALLED).get().getMessage().contains("crm/sales"));
    w.requeues().connection("other", "sales").connection("sales").runFor(Duration.ofMinutes(30));
    assertEquals(1, w.count("PATCH", "/connections/"), "the schema was set once, by the owner");
    assertEquals(0, w.count("POST", "/actions/pause"), "the non-owner never pauses");
    assertEquals("salesforce", w.connection("sales").getStatus().getSchemaName());
  }

  @Test
  void aMappingForAnObjectThatAppearedAfterTheSnapshotIsAdoptedWithoutAPost() {
    w.reconcileConnection("sales"); // the connection's snapshot, as a Ready connection leaves it
    String[] objects = {"Account", "Contact", "Lead", "Opportunity", "Case"};
    for (String o : objects) w.fake.dashboardCreate(w.connectionId, o, MappingReconcilerTest.accountConfig(600)); // after the snapshot
    long deepBefore = w.count("GET", "/connections/" + w.connectionId);
    for (String o : objects) w.applyNow(o.toLowerCase(), o, "sfPollingSeconds: 600");
    for (String o : objects) {
      assertTrue(w.reconcile(o.toLowerCase()).getStatus().getMappingId() != null, o + " adopted: "
          + w.mapping(o.toLowerCase()).getStatus().getConditions());
    }
    long deepGets = w.count("GET", "/connections/" + w.connectionId) - deepBefore;
    System.out.printf("stale snapshot: %d POSTs and %d deep GETs for a wave of %d mappings of existing objects%n",
        w.count("POST", "/mappings"), deepGets, objects.length);
    assertEquals(0, w.count("POST", "/mappings"), "never created: it exists");
    assertTrue(deepGets <= 3, "one fresh read shared by the wave (and settling refreshes): " + deepGets);
    for (String o : objects) {
      assertEquals(1, w.events.stream().filter(e -> e.startsWith(o.toLowerCase() + " Adopted:")).count(), w.events.toString());
    }
  }

  @Test
  void aDestroyedAddonIsTerminalAndItsMappingsCanBeDeleted() {
    w.reconcileConnection("sales"); // as readyConnection leaves it: the token Secret held
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.fake.destroyConnection(w.connectionId);
    HerokuConnection c = w.refreshConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND), c.getStatus().getConditions().toString());
    assertTrue(Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage().contains("404"));
    assertFalse(Conditions.isTrue(c.getStatus(), Conditions.READY));
    assertTrue(w.delete("account"), "the mapping's deletion completes");
    assertTrue(w.deleteConnection("sales"), "the connection's deletion completes");
    assertFalse(finalizers("heroku-api").contains(CredentialsGuard.FINALIZER), "the Secret is released");
  }

  /**
   * The sandbox deleted the old Secret and saw it go (not stuck Terminating); here, where no API server
   * holds a Secret back, the same is shown by what would hold it: our finalizer is gone from it.
   */
  @Test
  void theCredentialsFinalizerFollowsTheSecretRef() {
    w.reconcileConnection("sales");
    assertTrue(finalizers("heroku-api").contains(CredentialsGuard.FINALIZER), "held while in use");
    w.putSecret(LoopWorld.NS, "heroku-api-2", LoopWorld.TOKEN);
    w.applyConnection(Manifests.connection("").replace("secretRef: {name: heroku-api}", "secretRef: {name: heroku-api-2}"));
    w.reconcileConnection("sales");
    assertTrue(finalizers("heroku-api-2").contains(CredentialsGuard.FINALIZER), "moved to the new Secret");
    assertFalse(finalizers("heroku-api").contains(CredentialsGuard.FINALIZER), "released from the old one");
    assertEquals("true", w.secret("heroku-api-2").getMetadata().getLabels().get(CredentialsGuard.LABEL),
        "the Secret in use is labelled, so the operator's Secret informer (which selects on it) sees it");
    assertEquals(null, w.secret("heroku-api").getMetadata().getLabels().get(CredentialsGuard.LABEL));
    assertTrue(finalizers("heroku-api").isEmpty(), "nothing keeps the old Secret from being deleted: " + finalizers("heroku-api"));
    // A Secret shared by two connections is released only when neither needs it.
    w.applyConnection(Manifests.connection("resourceName: herokuconnect-shiny-1").replace("name: sales", "name: sales-copy")
        .replace("secretRef: {name: heroku-api}", "secretRef: {name: heroku-api-2}"));
    w.reconcileConnection("sales-copy");
    assertTrue(w.deleteConnection("sales-copy"));
    assertTrue(finalizers("heroku-api-2").contains(CredentialsGuard.FINALIZER), "still held for sales");
  }

  /** The sandbox's intervals (settling 0.5 s, refresh 30 s): 12 s of the SDK's requeues, on the world's clock. */
  @Test
  void aConnectionStuckBusyCostsLittle() throws Exception {
    try (LoopWorld quick = new LoopWorld(LoopWorld.SANDBOX_INTERVALS)) {
      quick.reconcileConnection("sales");
      quick.fake.forceConnectionState(quick.connectionId, "BUSY");
      LoopWorld.annotate(quick.connection("sales"), dev.herokuconnect.operator.crd.Crds.RECONCILE_REQUESTED_AT, "busy");
      LoopWorld.Requeues timers = quick.requeues().connection("sales"); // the refresh asked for, then its requeues
      int before = quick.fake.requests().size();
      Duration window = Duration.ofSeconds(12);
      timers.runFor(window);
      long deep = quick.fake.requests().subList(before, quick.fake.requests().size()).stream()
          .filter(r -> r.method().equals("GET")).count();
      // Settling 0.5 s and refresh 30 s here: backoff 0.5, 1, 2, 4, 8 s... at most ~6 reads in 12 s (not 24).
      double perHourAtDefaults = deep / (double) window.toSeconds() * 3600 * 0.5 / 10; // the same steps at the default 10 s
      System.out.printf("BUSY connection: %d requests in %d s with 0.5 s settling, %d passes (about %.0f per hour at the default 10 s)%n",
          deep, window.toSeconds(), timers.passes, perHourAtDefaults);
      assertTrue(deep >= 2 && deep <= 7, "backs off exponentially: " + deep);
    }
  }
}
