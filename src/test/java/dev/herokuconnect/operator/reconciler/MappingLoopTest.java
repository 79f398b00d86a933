package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The middle layer ({@link LoopWorld}): the loop and the HerokuMapping's sync, synchronous, on
 * the fake Connect API. Cases that took seconds each in the sandbox (ownership, binding, deletion,
 * observe-only, the connection's error states) run here in milliseconds.
 */
class MappingLoopTest {
  final LoopWorld w;

  MappingLoopTest() throws Exception {
    w = new LoopWorld();
  }

  @AfterEach
  void close() {
    w.close();
  }

  /** Reconciles until Ready, moving the clock past the fake's sync phases; the number of passes it took. */
  int untilReady(String name) {
    for (int pass = 1; pass <= 10; pass++) {
      if (Conditions.isTrue(w.reconcile(name).getStatus(), Conditions.READY)) return pass;
      w.clock.advance(Duration.ofSeconds(30));
    }
    throw new AssertionError(name + " never Ready: " + w.mapping(name).getStatus().getConditions());
  }

  static boolean has(HerokuMapping m, String type, String reason) {
    return Conditions.isTrueWith(m.getStatus(), type, reason);
  }

  @Test
  void aNewMappingIsCreatedOnceAndGoesReady() {
    w.apply("account", "Account", "");
    untilReady("account");
    assertEquals(1, w.count("POST", "/mappings"));
    assertEquals(w.fake.mappings(w.connectionId).get(0).id(), w.mapping("account").getStatus().getMappingId());
    assertTrue(w.hasEvent("account", "Created"));
    assertEquals("Account", w.mapping("account").getStatus().getObjectName(), "bound at the first reconcile");
    assertEquals("sales", w.mapping("account").getStatus().getConnectionName());
  }

  @Test
  void anExistingRemoteMappingIsAdoptedWithoutAWrite() {
    String id = w.fake.dashboardCreate(w.connectionId, "Account", MappingReconcilerTest.accountConfig(600));
    w.apply("account", "ACCOUNT", "sfPollingSeconds: 600"); // another case: the same object
    untilReady("account");
    assertEquals(id, w.mapping("account").getStatus().getMappingId());
    assertTrue(w.fake.requests().stream().noneMatch(r -> r.isWrite()), "adopted: " + w.fake.requests());
    assertEquals(1, w.events.stream().filter(e -> e.startsWith("account Adopted")).count());
  }

  @Test
  void twoClaimantsOneOwnerAndARefusedEditChangesNothingAboutTheClaim() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    w.apply("account-2", "account", "sfPollingSeconds: 900");
    assertTrue(has(w.reconcile("account-2"), Conditions.STALLED, Reasons.CONFLICT), "the newer one waits behind the owner");
    w.apply("account", "Contact", "sfPollingSeconds: 600"); // where CEL is not enforced
    assertTrue(has(w.reconcile("account"), Conditions.STALLED, Reasons.INVALID_SPEC));
    assertTrue(has(w.reconcile("account-2"), Conditions.STALLED, Reasons.CONFLICT), "account still claims Account");
    long writes = w.fake.requests().stream().filter(r -> r.isWrite()).count();
    assertTrue(w.delete("account"), "the finalizer goes");
    assertTrue(w.hasEvent("account", "HandedOver"));
    untilReady("account-2");
    assertEquals(id, w.mapping("account-2").getStatus().getMappingId(), "taken over: no delete, no re-create");
    assertEquals(0, w.count("DELETE", "/mappings/"));
    assertEquals(writes + 1, w.fake.requests().stream().filter(r -> r.isWrite()).count(), "one PUT: account-2's polling interval");
  }

  @Test
  void aRefusedConnectionRefEditDeletesTheBoundMappingOnly() {
    String otherId = w.fake.addReadyConnection("acme-other", "herokuconnect-other-2", "ops@example.com", "DATABASE_URL", "sf");
    HerokuConnection other = w.readyConnection();
    other.getMetadata().setName("other");
    other.getSpec().setAppName("acme-other");
    other.getStatus().setConnectionId(otherId);
    w.put(other);
    String persons = w.fake.dashboardCreate(otherId, "Account", MappingReconcilerTest.accountConfig(600));
    w.apply("account", "Account", "");
    untilReady("account");
    HerokuMapping edited = w.apply("account", "Account", "");
    edited.getSpec().getConnectionRef().setName("other");
    w.put(edited);
    assertTrue(has(w.reconcile("account"), Conditions.STALLED, Reasons.INVALID_SPEC));
    assertTrue(w.delete("account"));
    assertEquals(0, w.fake.mappings(w.connectionId).size(), "its own remote mapping is deleted");
    assertEquals(persons, w.fake.mappings(otherId).get(0).id(), "the person's mapping on the other add-on stays");
  }

  @Test
  void deletionPolicies() {
    w.apply("account", "Account", "deletionPolicy: Orphan");
    untilReady("account");
    assertTrue(w.delete("account"));
    assertTrue(w.hasEvent("account", "Orphaned"));
    assertEquals(1, w.fake.mappings(w.connectionId).size());
    w.apply("contact", "Contact", "");
    untilReady("contact");
    w.clock.advance(Duration.ofMinutes(1));
    assertTrue(w.delete("contact"));
    assertTrue(w.hasEvent("contact", "Deleted"));
    assertEquals(1, w.count("DELETE", "/mappings/"));
  }

  @Test
  void aDestroyedAddonReleasesWithoutClaimingADelete() {
    w.apply("account", "Account", "");
    untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    w.fake.destroyConnection(w.connectionId);
    HerokuConnection c = w.readyConnection();
    Conditions.apply(c.getStatus(), 1, ConnectionDecisions.notFound(w.connectionId, false), w.clock.instant());
    w.put(c);
    assertTrue(w.delete("account"), "released");
    String event = w.events.stream().filter(e -> e.startsWith("account !NotDeleted")).findFirst().orElseThrow();
    assertTrue(event.contains(id) && event.contains("may remain") && event.contains("not visible to this token"), event);
    assertFalse(w.events.stream().anyMatch(e -> e.startsWith("account Deleted")), "never says it deleted: " + w.events);
  }

  @Test
  void observeOnlySkipsARequestedReloadForGood() {
    w.apply("account", "Account", "");
    untilReady("account");
    HerokuMapping m = w.mapping("account");
    m.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Crds.RECONCILE_POLICY, Crds.POLICY_OBSERVE,
        Crds.RELOAD_REQUESTED_AT, "r1")));
    w.reconcile("account");
    assertEquals("r1", w.mapping("account").getStatus().getLastHandledReloadAt());
    assertTrue(w.hasEvent("account", "ReloadSkipped"));
    w.mapping("account").getMetadata().getAnnotations().put(Crds.RECONCILE_POLICY, Crds.POLICY_MANAGE);
    w.reconcile("account");
    assertEquals(0, w.count("POST", "/actions/reload"));
  }

  @Test
  void aConnectionInAnErrorStateMakesTheMappingNotReady() {
    w.apply("account", "Account", "");
    untilReady("account");
    w.fake.forceConnectionState(w.connectionId, "TOO_MANY_ROWS");
    w.clock.advance(Duration.ofMinutes(11)); // past the refresh interval: the next read is fresh
    HerokuMapping m = w.reconcile("account");
    assertFalse(Conditions.isTrue(m.getStatus(), Conditions.READY));
    assertTrue(has(m, Conditions.STALLED, Reasons.CONNECTION_NOT_READY));
    assertTrue(Conditions.find(m.getStatus(), Conditions.STALLED).get().getMessage().contains("TOO_MANY_ROWS"));
  }

  @Test
  void aMappingWaitsForAConnectionThatIsMissingWithoutARequest() {
    w.cluster.remove("HerokuConnection/crm/sales");
    w.apply("account", "Account", "");
    HerokuMapping m = w.reconcile("account");
    assertTrue(Conditions.isTrueWith(m.getStatus(), Conditions.RECONCILING, Reasons.CONNECTION_NOT_READY));
    assertEquals(0, w.fake.requests().size());
    assertNull(m.getStatus().getMappingId());
    assertTrue(w.delete("account"), "nothing remote was ever this object's: the finalizer goes");
  }
}
