package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.Decision;
import dev.herokuconnect.operator.reconciler.loop.ExternalClient;
import dev.herokuconnect.operator.reconciler.loop.Kind;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions;
import dev.herokuconnect.operator.reconciler.mapping.MappingObservation;
import java.util.List;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.ConnectionIdentity;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Adversarial review of b4eebd2: each test fails on b4eebd2 and shows one path the trust fix misses. */
class ReviewFindingsTest extends LoopWorldCase {
  /** A pinned HerokuConnection (spec.connectionId + spec.apiUrl) bound to add-on A, its connectionId edited to B (CEL not enforced). */
  private String pinnedConnectionEditedToAnotherAddon() {
    String otherId = w.fake.addReadyConnection("acme-other", "herokuconnect-other-2", "ops@example.com", "DATABASE_URL", "sf");
    HerokuConnection c = w.readyConnection();
    c.getSpec().setConnectionId(w.connectionId);
    c.getSpec().setApiUrl(w.fake.apiRoot());
    w.put(c);
    return otherId;
  }

  private void editPinTo(String otherId) {
    HerokuConnection c = w.readyConnection();
    c.getSpec().setConnectionId(otherId);
    c.getSpec().setApiUrl(w.fake.apiRoot());
    String refused = ConnectionIdentity.refusal(c.getStatus().getConnectionId(), c.getStatus().getAppName(),
        c.getStatus().getResourceName(), c.getSpec());
    assertNotNull(refused, "the connection controller refuses this edit");
    // what the connection controller leaves: Stalled InvalidSpec, status still bound to add-on A
    Conditions.apply(c.getStatus(), 2, Outcome.stalled(Reasons.INVALID_SPEC, refused, (Duration) null), w.clock.instant());
    w.put(c);
  }

  /**
   * Point 1: a refused spec.connectionId edit on the HerokuConnection must change nothing about what a
   * mapping's delete removes. The mapping's binding (status.connectionId = A) is never consulted: its cleanup
   * connects to the pinned spec id (B) and deletes B's mapping of the same object.
   */
  @Test
  void refusedConnectionIdEditOnAPinnedConnectionDeletesAnotherAddonsMapping() {
    String otherId = pinnedConnectionEditedToAnotherAddon();
    String theirs = w.fake.dashboardCreate(otherId, "Account", MappingReconcilerTest.accountConfig(600));
    w.apply("account", "Account", "");
    w.untilReady("account");
    assertEquals(w.connectionId, w.mapping("account").getStatus().getConnectionId(), "bound to add-on A");
    editPinTo(otherId);
    w.delete("account");
    assertEquals(1, w.fake.mappings(otherId).size(), "add-on B's Account mapping must survive: requests " + w.fake.requests()
        + " events " + w.events);
    assertEquals(theirs, w.fake.mappings(otherId).get(0).id());
  }

  private void annotate(String name, String... kv) {
    HerokuMapping m = w.mapping(name);
    var a = new java.util.HashMap<String, String>(m.getMetadata().getAnnotations() == null ? java.util.Map.of() : m.getMetadata().getAnnotations());
    for (int i = 0; i < kv.length; i += 2) a.put(kv[i], kv[i + 1]);
    m.getMetadata().setAnnotations(a);
  }

  /**
   * Point 5: a reload requested while observe-only must be marked handled as skipped and never fire later.
   * When the observe-only object is waiting behind an older claimant (Conflict), the plan stops before
   * SKIP_REQUESTED: the request stays pending and fires once the owner is gone and the policy is manage.
   */
  @Test
  void aReloadRequestedWhileObserveOnlyBehindAnOwnerFiresLater() {
    w.apply("account", "Account", "deletionPolicy: Orphan");
    w.untilReady("account");
    w.apply("account-2", "Account", "");
    annotate("account-2", dev.herokuconnect.operator.crd.Crds.RECONCILE_POLICY, dev.herokuconnect.operator.crd.Crds.POLICY_OBSERVE,
        dev.herokuconnect.operator.crd.Crds.RELOAD_REQUESTED_AT, "r1");
    w.reconcile("account-2"); // observe-only, behind the owner
    assertTrue(w.delete("account"));
    annotate("account-2", dev.herokuconnect.operator.crd.Crds.RECONCILE_POLICY, dev.herokuconnect.operator.crd.Crds.POLICY_MANAGE);
    w.clock.advance(Duration.ofSeconds(30));
    w.reconcile("account-2");
    w.reconcile("account-2");
    assertEquals(0, w.count("POST", "/actions/reload"), "a reload asked for while observe-only never fires: events " + w.events
        + " lastHandledReloadAt=" + w.mapping("account-2").getStatus().getLastHandledReloadAt());
  }

  /** Point 5, second path: observe-only while the HerokuConnection is not usable (link waits): the request is not skipped either. */
  @Test
  void aReloadRequestedWhileObserveOnlyAndTheConnectionWaitsFiresLater() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    HerokuConnection broken = w.readyConnection();
    Conditions.apply(broken.getStatus(), 1, Outcome.stalled(Reasons.UNAUTHORIZED, "token refused", (Duration) null), w.clock.instant());
    w.put(broken);
    annotate("account", dev.herokuconnect.operator.crd.Crds.RECONCILE_POLICY, dev.herokuconnect.operator.crd.Crds.POLICY_OBSERVE,
        dev.herokuconnect.operator.crd.Crds.RELOAD_REQUESTED_AT, "r1");
    w.reconcile("account");
    w.put(w.readyConnection());
    annotate("account", dev.herokuconnect.operator.crd.Crds.RECONCILE_POLICY, dev.herokuconnect.operator.crd.Crds.POLICY_MANAGE);
    w.clock.advance(Duration.ofSeconds(30));
    w.reconcile("account");
    assertEquals(0, w.count("POST", "/actions/reload"), "a reload asked for while observe-only never fires: events " + w.events);
  }

  /** The loop with the real MappingKind, recording each pass's priority. */
  private dev.herokuconnect.operator.connect.RequestGate.Priority reconcileRecordingPriority(String name) {
    var seen = new java.util.concurrent.atomic.AtomicReference<dev.herokuconnect.operator.connect.RequestGate.Priority>();
    var real = w.mappings;
    Kind<HerokuMapping, HerokuMappingStatus, MappingObservation, MappingDecisions.Step> spy = new Kind<>() {
      @Override public HerokuMappingStatus newStatus() { return real.newStatus(); }
      @Override public Management management(HerokuMapping r) { return real.management(r); }
      @Override public String doing(HerokuMapping r) { return real.doing(r); }
      @Override public String credentialsHint(HerokuMapping r) { return real.credentialsHint(r); }
      @Override public ExternalClient<HerokuMapping, HerokuMappingStatus, MappingObservation, MappingDecisions.Step> external() {
        return new ExternalClient<>() {
          @Override public MappingObservation observe(Reconcile<HerokuMapping, HerokuMappingStatus> pass) {
            seen.set(pass.pass().priority());
            return real.external().observe(pass);
          }
          @Override public MappingObservation act(MappingDecisions.Step step, Reconcile<HerokuMapping, HerokuMappingStatus> pass,
                                                  MappingObservation o) {
            return real.external().act(step, pass, o);
          }
        };
      }
      @Override public Decision<MappingDecisions.Step> decide(MappingObservation o) { return real.decide(o); }
      @Override public Outcome report(Reconcile<HerokuMapping, HerokuMappingStatus> pass, MappingObservation o,
                                      Decision<MappingDecisions.Step> decided, List<MappingDecisions.Step> done) {
        return real.report(pass, o, decided, done);
      }
      @Override public Cleanup<HerokuMapping, HerokuMappingStatus, ?, ?> cleanup() { return real.cleanup(); }
    };
    w.loop.reconcile(w.mapping(name), spy);
    return seen.get();
  }

  /**
   * Point 3: "a pending spec change keeps user priority until acted on". A spec edit that arrives while the
   * mapping waits for its HerokuConnection is not acted on (nothing is sent), yet the pass moves
   * status.observedGeneration up, so when the connection is back the change is applied as BACKGROUND work.
   */
  @Test
  void aSpecChangeMadeWhileTheConnectionWaitsLosesUserPriority() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    HerokuConnection broken = w.readyConnection();
    Conditions.apply(broken.getStatus(), 1, Outcome.stalled(Reasons.UNAUTHORIZED, "token refused", (Duration) null), w.clock.instant());
    w.put(broken);
    w.apply("account", "Account", "sfPollingSeconds: 900");
    long generation = w.mapping("account").getMetadata().getGeneration();
    assertEquals(dev.herokuconnect.operator.connect.RequestGate.Priority.USER, reconcileRecordingPriority("account"));
    long puts = w.count("PUT", "/mappings/") + w.count("PATCH", "/mappings/");
    assertEquals(0, puts, "nothing was sent while the connection waits");
    w.put(w.readyConnection());
    w.clock.advance(Duration.ofSeconds(30));
    assertEquals(dev.herokuconnect.operator.connect.RequestGate.Priority.USER, reconcileRecordingPriority("account"),
        "the edit of generation " + generation + " was never acted on, but status.observedGeneration="
            + w.mapping("account").getStatus().getObservedGeneration() + " before this pass");
  }

  /**
   * Point 6: hand-over when the owner of an add-on is deleted. HerokuConnection sales (older) owns the add-on,
   * sales-2 (newer, same add-on) waits behind it; each has a HerokuMapping of Account. When sales and its mapping
   * are deleted together (a namespace move, a blue/green swap), the mapping on the next owner of the add-on does
   * not count as a claimant: the remote mapping is DELETED and then created again by the survivor (a full reload)
   * instead of being handed over.
   */
  @Test
  void deletingTheAddonOwnerWithItsMappingDeletesWhatTheNextOwnersMappingClaims() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    String id = w.mapping("account").getStatus().getMappingId();
    HerokuConnection second = w.readyConnection();
    second.getMetadata().setName("sales-2");
    w.put(second);
    HerokuMapping m2 = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
        dev.herokuconnect.operator.testing.Manifests.mapping("account-b", "Account", ""), HerokuMapping.class);
    m2.getSpec().getConnectionRef().setName("sales-2");
    w.put(m2);
    w.reconcile("account-b"); // waits: sales-2 does not own its add-on while sales exists
    HerokuConnection owner = (HerokuConnection) w.cluster.get("HerokuConnection/crm/sales");
    owner.getMetadata().setDeletionTimestamp(w.clock.instant().toString()); // sales is being deleted, waiting for its mapping
    assertTrue(w.delete("account"));
    assertEquals(0, w.count("DELETE", "/mappings/"), "account-b (on the add-on's next owner) claims it: hand over, not delete. events "
        + w.events);
    assertEquals(id, w.fake.mappings(w.connectionId).get(0).id());
  }

  /**
   * Point 1, the same root cause without a pin: a refused spec.resourceName edit on the HerokuConnection (status
   * still bound to the add-on) makes Connector.known() disagree with status, so every bound mapping's delete waits
   * for ever ("has not found its add-on yet"), though the binding says exactly where its remote mapping is.
   */
  @Test
  void aRefusedResourceNameEditStrandsEveryMappingDelete() {
    HerokuConnection c = w.readyConnection();
    c.getStatus().setResourceName("herokuconnect-shiny-1");
    w.put(c);
    w.apply("account", "Account", "");
    w.untilReady("account");
    HerokuConnection edited = w.readyConnection();
    edited.getStatus().setResourceName("herokuconnect-shiny-1");
    edited.getSpec().setResourceName("herokuconnect-other-9");
    String refused = ConnectionIdentity.refusal(edited.getStatus().getConnectionId(), edited.getStatus().getAppName(),
        edited.getStatus().getResourceName(), edited.getSpec());
    assertNotNull(refused);
    Conditions.apply(edited.getStatus(), 2, Outcome.stalled(Reasons.INVALID_SPEC, refused, (Duration) null), w.clock.instant());
    w.put(edited);
    boolean released = w.delete("account");
    assertTrue(released && w.fake.mappings(w.connectionId).isEmpty(),
        "the bound remote mapping is deleted and the finalizer goes; events " + w.events);
  }

  /**
   * Point 1, sync path: the mapping's recorded connection id is never compared with the add-on its HerokuConnection
   * resolves now. After the connection is re-resolved to add-on B (a 404 unbinds it: "destroyed, or not visible to
   * this token"; then spec.connectionId is "fixed" to B, which CEL allows on an unresolved object), a mapping bound to
   * A adopts B's mapping of the same object, rewrites it to its own spec, and records B as its binding.
   */
  @Test
  void aMappingBoundToAddonAFollowsItsConnectionToAddonBAndRewritesTheMappingThere() {
    w.apply("account", "Account", "sfPollingSeconds: 600");
    w.untilReady("account");
    String otherId = w.fake.addReadyConnection("acme-other", "herokuconnect-other-2", "ops@example.com", "DATABASE_URL", "sf");
    String theirs = w.fake.dashboardCreate(otherId, "Account", MappingReconcilerTest.accountConfig(900));
    HerokuConnection rebound = w.readyConnection();
    rebound.getSpec().setConnectionId(otherId);
    rebound.getStatus().setConnectionId(otherId);
    w.put(rebound);
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcile("account");
    long writes = w.fake.requests().stream().filter(r -> r.isWrite() && r.path().contains(theirs)).count();
    assertEquals(0, writes, "nothing is written to add-on B's mapping; events " + w.events);
    assertEquals(w.connectionId, w.mapping("account").getStatus().getConnectionId(), "the binding stays add-on A");
  }

  /**
   * Point 7: per-object memory goes only through a finished cleanup. An object that disappears without one (its
   * finalizer removed by hand, the usual remedy for a stuck delete) keeps its last-good-read, backoff and
   * write-error entries for the life of the process; nothing prunes them against the informer caches.
   */
  @Test
  void perObjectMemoryOfAnObjectRemovedWithoutCleanupIsNeverReleased() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.cluster.remove("HerokuMapping/crm/account"); // kubectl patch ... finalizers: null, then gone
    w.apply("contact", "Contact", "");
    w.untilReady("contact");
    w.clock.advance(Duration.ofMinutes(1));
    assertTrue(w.delete("contact"));
    assertEquals(0, w.loop.held().get("last good reads"), "held: " + w.loop.held());
  }
}
