package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The middle layer ({@link LoopWorld}): the loop and the HerokuMapping's sync, synchronous, on
 * the fake Connect API. Cases that took seconds each in the sandbox (ownership, binding, deletion,
 * observe-only, the connection's error states) run here in milliseconds.
 */
class MappingLoopTest extends LoopWorldCase {
  /** Reconciles until Ready, moving the clock past the fake's sync phases; the number of passes it took. */

  static boolean has(HerokuMapping m, String type, String reason) {
    return Conditions.isTrueWith(m.getStatus(), type, reason);
  }

  @Test
  void aNewMappingIsCreatedOnceAndGoesReady() {
    w.apply("account", "Account", "");
    w.untilReady("account");
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
    w.untilReady("account");
    assertEquals(id, w.mapping("account").getStatus().getMappingId());
    assertTrue(w.fake.requests().stream().noneMatch(r -> r.isWrite()), "adopted: " + w.fake.requests());
    assertEquals(1, w.events.stream().filter(e -> e.startsWith("account Adopted")).count());
  }

  @Test
  void twoClaimantsOneOwnerAndARefusedEditChangesNothingAboutTheClaim() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    w.apply("account-2", "account", "sfPollingSeconds: 900");
    assertTrue(has(w.reconcile("account-2"), Conditions.STALLED, Reasons.CONFLICT), "the newer one waits behind the owner");
    w.apply("account", "Contact", "sfPollingSeconds: 600"); // where CEL is not enforced
    assertTrue(has(w.reconcile("account"), Conditions.STALLED, Reasons.INVALID_SPEC));
    assertTrue(has(w.reconcile("account-2"), Conditions.STALLED, Reasons.CONFLICT), "account still claims Account");
    long writes = w.fake.requests().stream().filter(r -> r.isWrite()).count();
    assertTrue(w.delete("account"), "the finalizer goes");
    assertTrue(w.hasEvent("account", "HandedOver"));
    w.untilReady("account-2");
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
    w.untilReady("account");
    HerokuMapping edited = w.apply("account", "Account", "");
    edited.getSpec().getConnectionRef().setName("other");
    w.put(edited);
    assertTrue(has(w.reconcile("account"), Conditions.STALLED, Reasons.INVALID_SPEC));
    assertTrue(w.delete("account"));
    assertEquals(0, w.fake.mappings(w.connectionId).size(), "its own remote mapping is deleted");
    assertEquals(1, w.fake.mappings(otherId).size(), "the person's mapping on the other add-on is left alone");
    assertEquals(persons, w.fake.mappings(otherId).get(0).id(), "the person's mapping on the other add-on stays");
  }

  @Test
  void deletionPolicies() {
    w.apply("account", "Account", "deletionPolicy: Orphan");
    w.untilReady("account");
    assertTrue(w.delete("account"));
    assertTrue(w.hasEvent("account", "Orphaned"));
    assertEquals(1, w.fake.mappings(w.connectionId).size());
    w.apply("contact", "Contact", "");
    w.untilReady("contact");
    w.clock.advance(Duration.ofMinutes(1));
    assertTrue(w.delete("contact"));
    assertTrue(w.hasEvent("contact", "Deleted"));
    assertEquals(1, w.count("DELETE", "/mappings/"));
  }

  @Test
  void aDestroyedAddonReleasesWithoutClaimingADelete() {
    w.apply("account", "Account", "");
    w.untilReady("account");
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
    w.untilReady("account");
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
    w.untilReady("account");
    w.fake.forceConnectionState(w.connectionId, "TOO_MANY_ROWS");
    w.clock.advance(Duration.ofMinutes(11)); // past the refresh interval: the next read is fresh
    HerokuMapping m = w.reconcile("account");
    assertFalse(Conditions.isTrue(m.getStatus(), Conditions.READY));
    assertTrue(has(m, Conditions.STALLED, Reasons.CONNECTION_NOT_READY));
    assertTrue(Conditions.find(m.getStatus(), Conditions.STALLED).get().getMessage().contains("TOO_MANY_ROWS"));
  }

  @Test
  void aWriteStartsTheBackoffOverSoWhatItLeftIsLookedAtSoon() {
    w.fake.forceConnectionState(w.connectionId, "NEED_AUTHENTICATION"); // not Ready for a while: the mapping waits, backing off
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    w.apply("account", "Account", "");
    long waited = 0;
    for (int i = 0; i < 6; i++) waited = w.loop.reconcile(w.mapping("account"), w.mappings).getScheduleDelay().orElseThrow();
    assertEquals(0, w.count("POST", "/mappings"), "nothing sent while the connection is not Ready");
    w.fake.forceConnectionState(w.connectionId, "IDLE");
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    long created = w.loop.reconcile(w.mapping("account"), w.mappings).getScheduleDelay().orElseThrow();
    assertEquals(1, w.count("POST", "/mappings"), "created");
    System.out.printf("requeue after six waits: %d ms; after the create: %d ms%n", waited, created);
    // the create's pass leaves an INITIAL mapping: it is looked at after the settling interval, not after
    // the backoff the waiting built up (which kept a demo's mappings unread for 30 s)
    assertEquals(w.intervals.real(w.intervals.settling()).toMillis(), created, "waited " + waited + " ms before");
    assertTrue(waited > created * 4, waited + " vs " + created);
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

  // ---- moved down from the sandbox (MappingReconcilerTest) ----------------------------------

  FakeView remote(String object) {
    return w.fake.mappings(w.connectionId).stream().filter(m -> m.objectName().equalsIgnoreCase(object)).findFirst()
        .map(m -> new FakeView(m.id(), m.revision(), m.config())).orElse(null);
  }

  record FakeView(String id, long revision, com.fasterxml.jackson.databind.JsonNode config) {}

  long writes() {
    return w.fake.requests().stream().filter(r -> r.isWrite()).count();
  }

  /** The next pass reads afresh: past the refresh interval, as a refresh after a dashboard edit. */
  HerokuMapping afterRefresh(String name) {
    w.clock.advance(Duration.ofMinutes(11));
    return w.reconcile(name);
  }

  @Test
  void createsThenNeverWritesWhenNothingDiffers() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    HerokuMapping m = w.mapping("account");
    assertEquals(remote("Account").id(), m.getStatus().getMappingId());
    assertEquals(w.connectionId, m.getStatus().getConnectionId());
    assertEquals(1L, m.getStatus().getRevision());
    assertTrue(m.getStatus().getCounts().getDb() > 0);
    assertTrue(m.getStatus().getLastSyncTime() != null);
    long before = writes();
    afterRefresh("account");
    afterRefresh("account");
    assertEquals(before, writes(), "no write when nothing differs");
    assertEquals(0, w.count("PUT", "/mappings/"));
    assertEquals(0, w.count("GET", "/mappings/"), "status comes from the connection's deep GET");
  }

  @Test
  void driftIsCorrectedWithTheRevisionAndUnknownKeysAreKept() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    w.fake.dashboardEdit(id, c -> c.put("sf_polling_seconds", 120).put("sf_sync_mode", "bulk")); // someone in the dashboard
    afterRefresh("account");
    FakeView r = remote("Account");
    assertEquals(600, r.config().path("sf_polling_seconds").asInt(), "corrected");
    assertEquals("bulk", r.config().path("sf_sync_mode").asText(), "a key the operator does not manage is kept");
    assertEquals(3, r.revision());
    assertEquals(1, w.count("PUT", "/mappings/"));
    assertTrue(w.fake.requests().stream().filter(x -> x.method().equals("PUT")).allMatch(x -> x.body().contains("\"revision\":2")));
    assertTrue(w.hasEvent("account", "Updated"));
  }

  @Test
  void aConflictIsReadAgainAndRetried() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    w.fake.dashboardEdit(id, c -> c.put("sf_sync_mode", "bulk")); // behind the cached snapshot
    w.apply("account", "Account", "sfPollingSeconds: 900");
    w.reconcile("account");
    assertEquals(List.of(409, 200), w.fake.requests().stream().filter(x -> x.method().equals("PUT")).map(x -> x.status()).toList());
    assertEquals(1, w.count("GET", "/mappings/" + id), "re-read once after the 409");
    assertEquals(900, remote("Account").config().path("sf_polling_seconds").asInt());
    assertEquals("bulk", remote("Account").config().path("sf_sync_mode").asText(), "the other party's key survives");
  }

  @Test
  void aRefusedSpecStallsWithoutRetriesUntilItChanges() {
    w.apply("ghost", "Ghost", ""); // valid for the schema, unknown to the Salesforce org
    HerokuMapping m = w.reconcile("ghost");
    assertTrue(has(m, Conditions.STALLED, Reasons.INVALID_SPEC));
    String msg = Conditions.find(m.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("object_name") && msg.contains("Ghost"), msg);
    assertTrue(w.hasEvent("ghost", Reasons.INVALID_SPEC));
    afterRefresh("ghost");
    afterRefresh("ghost");
    assertEquals(1, w.count("POST", "/mappings"), "no retry storm: one POST for this generation");
    w.apply("ghost", "Ghost", "sfPollingSeconds: 900");
    assertTrue(has(w.reconcile("ghost"), Conditions.STALLED, Reasons.INVALID_SPEC));
    assertEquals(2, w.count("POST", "/mappings"), "one more try for the new generation");
  }

  @Test
  void deletionWhileTheApiFailsKeepsTheFinalizerAndFinishesLater() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.fake.setFailureRate(1.0);
    w.clock.advance(Duration.ofMinutes(1)); // the deletion reads afresh
    assertFalse(w.delete("account"), "the finalizer stays");
    assertTrue(w.hasEvent("account", "DeleteFailed"), w.events.toString());
    assertTrue(remote("Account") != null);
    w.fake.setFailureRate(0);
    assertTrue(w.delete("account"), "deleted once the API works");
    assertNull(remote("Account"));
  }

  @Test
  void aMappingDeletedBehindOurBackIsCreatedAgain() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    String first = w.mapping("account").getStatus().getMappingId();
    w.fake.dashboardDelete(first);
    HerokuMapping m = afterRefresh("account");
    assertTrue(!first.equals(m.getStatus().getMappingId()), "re-created");
    assertEquals(m.getStatus().getMappingId(), remote("Account").id());
    assertTrue(w.hasEvent("account", "Recreated"));
  }

  @Test
  void observeOnlyReportsDriftAndWritesNothingThenManageApplies() {
    String id = w.fake.dashboardCreate(w.connectionId, "Account", MappingReconcilerTest.accountConfig(120));
    HerokuMapping m = w.apply("account", "Account", "sfPollingSeconds: 600");
    m.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Crds.RECONCILE_POLICY, Crds.POLICY_OBSERVE)));
    m = w.reconcile("account");
    assertEquals(id, m.getStatus().getMappingId());
    assertTrue(m.getStatus().getDrift().stream().anyMatch(d -> d.contains("sf_polling_seconds: remote 120, spec 600")),
        m.getStatus().getDrift().toString());
    assertTrue(has(m, Conditions.RECONCILING, Reasons.OBSERVING));
    assertEquals(0, writes(), "observe-only writes nothing");
    m.getMetadata().getAnnotations().put(Crds.RECONCILE_POLICY, Crds.POLICY_MANAGE);
    w.untilReady("account");
    assertEquals(600, remote("Account").config().path("sf_polling_seconds").asInt());
    assertTrue(w.mapping("account").getStatus().getDrift().isEmpty());
  }

  @Test
  void reloadAndAbortActOnce() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    HerokuMapping m = w.mapping("account");
    m.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Crds.ABORT_REQUESTED_AT, "a1")));
    w.reconcile("account");
    assertEquals("a1", w.mapping("account").getStatus().getLastHandledAbortAt());
    assertTrue(w.statusWrites.contains("account {\"lastHandledAbortAt\":\"a1\"}"), "recorded before it was sent: " + w.statusWrites);
    m.getMetadata().getAnnotations().put(Crds.RELOAD_REQUESTED_AT, "r1");
    w.reconcile("account");
    afterRefresh("account");
    afterRefresh("account");
    assertEquals(1, w.count("POST", "/actions/abort"));
    assertEquals(1, w.count("POST", "/actions/reload"));
    assertTrue(w.hasEvent("account", "Reloaded") && w.hasEvent("account", "Aborted"));
  }

  @Test
  void aMappingCreatedElsewhereSinceTheLastSnapshotIsAdoptedAfterTheRefusal() {
    w.reconcileConnection("sales"); // the connection's snapshot, as a Ready connection leaves it
    String existing = w.fake.dashboardCreate(w.connectionId, "Account", MappingReconcilerTest.accountConfig(600)); // newer than it
    w.applyNow("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    assertEquals(existing, w.mapping("account").getStatus().getMappingId());
    assertEquals(1, w.fake.mappings(w.connectionId).size(), "no duplicate");
    assertEquals(0, w.fake.requests().stream().filter(r -> r.path().endsWith("/mappings")).count(),
        "decided on a snapshot taken after the HerokuMapping was created: no POST at all");
    assertTrue(w.hasEvent("account", "Adopted"));
  }

  @Test
  void aMappingCannotUseAConnectionOfAnotherNamespace() {
    w.put(io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
        dev.herokuconnect.operator.testing.Manifests.mapping("account", "Account", "").replace("namespace: crm", "namespace: other"),
        HerokuMapping.class));
    HerokuMapping m = w.reconcile("other", "account");
    assertTrue(has(m, Conditions.RECONCILING, Reasons.CONNECTION_NOT_READY), "waits: sales exists only in crm: "
        + m.getStatus().getConditions());
    assertTrue(Conditions.find(m.getStatus(), Conditions.READY).get().getMessage().contains("other/sales"));
    assertEquals(0, w.count("POST", "/mappings"));
  }

  // ---- moved down from the sandbox (StateMachineTest) ---------------------------------------

  @Test
  void aNonOwnerWritesNothingAndItsDeleteDeletesNothingRemote() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    w.apply("account-2", "account", "sfPollingSeconds: 900"); // the same object, other case, other settings
    HerokuMapping second = w.reconcile("account-2");
    assertTrue(has(second, Conditions.STALLED, Reasons.CONFLICT));
    assertTrue(Conditions.find(second.getStatus(), Conditions.STALLED).get().getMessage().contains("crm/account"));
    long writes = writes();
    for (int i = 0; i < 3; i++) { // passes of both, as their requeues would run them
      w.clock.advance(Duration.ofMinutes(11));
      w.reconcile("account-2");
      w.reconcile("account");
    }
    assertEquals(writes, writes(), "no ping-pong between the two claimants");
    assertEquals(600, remote("Account").config().path("sf_polling_seconds").asInt());
    assertTrue(w.delete("account-2"));
    assertEquals(0, w.count("DELETE", "/mappings/"), "the newer claimant's delete deletes nothing remote");
    assertTrue(w.hasEvent("account-2", "Released"));
  }

  @Test
  void anImmutableFieldChangedWhereCelIsNotEnforcedStallsAndWritesNothing() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    long writes = writes();
    w.apply("account", "Contact", ""); // an old or validation-off cluster lets it through
    HerokuMapping m = w.reconcile("account");
    String msg = Conditions.find(m.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(has(m, Conditions.STALLED, Reasons.INVALID_SPEC));
    assertTrue(msg.contains("spec.objectName") && msg.contains("'Account'") && msg.contains("'Contact'"), msg);
    assertEquals(writes, writes(), "nothing written");
    assertEquals(1, w.fake.mappings(w.connectionId).size());
  }
}
