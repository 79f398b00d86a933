package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 in the sandbox: what an object is bound to is recorded once and never re-derived
 * from an edited spec; conditions tell the truth about the whole chain; requests made while
 * observe-only never fire later; hand-over within seconds. Each test prints its figure.
 */
class TrustTest extends OperatorTestBase {

  @Test
  void aRefusedObjectNameEditChangesNothingAboutWhatTheMappingClaimsOrDeletes() {
    readyConnection();
    apply(mapping("account", "Account", "sfPollingSeconds: 600"));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    apply(mapping("account-2", "Account", "sfPollingSeconds: 600"));
    awaitMapping("account-2", mappingReason(Conditions.STALLED, Reasons.CONFLICT), "in conflict");
    apply(mapping("account", "Contact", "sfPollingSeconds: 600")); // the mock API server enforces no CEL
    awaitMapping("account", mappingReason(Conditions.STALLED, Reasons.INVALID_SPEC), "refuses the edit");
    reconcileMappingNow("account-2");
    assertTrue(mappingReason(Conditions.STALLED, Reasons.CONFLICT).test(map("account-2")),
        "account still claims Account, so account-2 still waits behind it: " + describe(map("account-2")));
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    HerokuMapping next = awaitMappingReady("account-2");
    System.out.printf("refused objectName edit, then delete: %d DELETE(s), %d POST(s) of mappings; account-2 took over %s%n",
        count("DELETE", "/mappings/"), count("POST", "/connections/" + connectionId + "/mappings"), next.getStatus().getMappingId());
    assertEquals(0, count("DELETE", "/mappings/"), "the remote Account mapping is handed over, not deleted");
    assertEquals(id, next.getStatus().getMappingId(), "the same remote mapping: no re-create, no reload");
    assertTrue(hasEvent("account", "HandedOver"));
  }

  @Test
  void aRefusedConnectionRefEditDeletesTheMappingItIsBoundTo() {
    readyConnection();
    String otherId = fake.addConnection("acme-other", "herokuconnect-other-2");
    fake.completeAuthorization(otherId);
    apply(connection("").replace("name: sales", "name: other").replace("appName: acme-crm", "appName: acme-other"));
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("other").get();
      return c != null && Conditions.isTrue(c.getStatus(), Conditions.READY);
    }), "the other connection is Ready");
    String persons = fake.dashboardCreate(otherId, "Account", MappingReconcilerTest.accountConfig(600)); // made by a person
    apply(mapping("account", "Account", ""));
    String own = awaitMappingReady("account").getStatus().getMappingId();
    apply(mapping("account", "Account", "").replace("connectionRef: {name: sales}", "connectionRef: {name: other}"));
    awaitMapping("account", mappingReason(Conditions.STALLED, Reasons.INVALID_SPEC), "refuses the edit");
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    assertTrue(Sandbox.await(WAIT, () -> map("account") == null), "deleted");
    System.out.printf("refused connectionRef edit, then delete: own mappings left %d, the person's mappings left %d%n",
        fake.mappings(connectionId).size(), fake.mappings(otherId).size());
    assertEquals(0, fake.mappings(connectionId).size(), "its own remote mapping " + own + " is deleted");
    assertEquals(1, fake.mappings(otherId).size(), "the person's mapping on the other add-on is left alone");
    assertEquals(persons, fake.mappings(otherId).get(0).id());
  }

  @Test
  void anAppNameChangeOfAResolvedConnectionIsRefusedNotIgnored() {
    readyConnection();
    fake.addConnection("acme-other", "herokuconnect-other-2");
    long writes = fake.requests().stream().filter(r -> r.isWrite()).count();
    apply(connection("").replace("appName: acme-crm", "appName: acme-other")); // the mock API server enforces no CEL
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.INVALID_SPEC), "refuses the change");
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    System.out.println("appName change: " + msg);
    assertTrue(msg.contains("spec.appName") && msg.contains("'acme-crm'") && msg.contains("'acme-other'"), msg);
    assertTrue(msg.contains("Orphan"), "says how to move: " + msg);
    assertFalse(Conditions.isTrue(c.getStatus(), Conditions.READY));
    assertEquals(connectionId, c.getStatus().getConnectionId(), "still bound to its add-on");
    assertEquals(writes, fake.requests().stream().filter(r -> r.isWrite()).count(), "nothing written");
    apply(connection("")); // set back: Ready again
    awaitConnection(c2 -> Conditions.isTrue(c2.getStatus(), Conditions.READY), "Ready again");
  }

  @Test
  void aMappingIsNotReadyWhileItsConnectionIsInAnErrorState() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    fake.forceConnectionState(connectionId, "DB_UNAVAILABLE");
    reconcileConnectionNow();
    awaitConnection(connectionReason(Conditions.STALLED, Reasons.REMOTE_ERROR), "Stalled in DB_UNAVAILABLE");
    reconcileMappingNow("account");
    HerokuMapping m = awaitMapping("account", x -> !Conditions.isTrue(x.getStatus(), Conditions.READY), "not Ready");
    var ready = Conditions.find(m.getStatus(), Conditions.READY).get();
    System.out.println("mapping under a connection in DB_UNAVAILABLE: Ready=" + ready.getStatus() + " " + ready.getReason()
        + ": " + ready.getMessage());
    assertEquals(Reasons.CONNECTION_NOT_READY, ready.getReason());
    assertTrue(ready.getMessage().contains("DB_UNAVAILABLE"), ready.getMessage());
  }

  @Test
  void aReloadRequestedWhileObserveOnlyIsSkippedAndNeverFiresLater() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    annotateMapping("account", Crds.RECONCILE_POLICY, Crds.POLICY_OBSERVE);
    annotateMapping("account", Crds.RELOAD_REQUESTED_AT, "r1");
    awaitMapping("account", m -> "r1".equals(m.getStatus().getLastHandledReloadAt()), "marks the reload handled");
    assertTrue(hasEvent("account", "ReloadSkipped"), "an Event says why");
    annotateMapping("account", Crds.RECONCILE_POLICY, "manage");
    reconcileMappingNow("account");
    letItRun(Duration.ofSeconds(2));
    long reloads = count("POST", "/actions/reload");
    System.out.printf("reload asked while observe-only: %d reload(s) sent after switching back to manage%n", reloads);
    assertEquals(0, reloads);
  }

  @Test
  void whenTheOwnerGoesTheNextClaimantTakesOverWithinSeconds() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    apply(mapping("account-2", "Account", ""));
    awaitMapping("account-2", mappingReason(Conditions.STALLED, Reasons.CONFLICT), "in conflict");
    letItRun(Duration.ofSeconds(8)); // the claimant backs off meanwhile (0.5, 1, 2, 4 s...)
    long start = System.nanoTime();
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    HerokuMapping next = awaitMappingReady("account-2");
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("hand-over: the next claimant was Ready %.2f s after the owner's delete%n", seconds);
    assertEquals(id, next.getStatus().getMappingId());
    assertTrue(seconds < 3, "within seconds, not after its backoff: " + seconds);
  }

  @Test
  void whenTheOwnerConnectionGoesTheOtherOnTheSameAddonTakesOverWithinSeconds() {
    readyConnection();
    sb.ensureNamespace("other");
    apply(secret(TOKEN).replace("namespace: crm", "namespace: other") + "---\n"
        + connection("").replace("namespace: crm", "namespace: other"));
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("other").withName("sales").get();
      return c != null && connectionReason(Conditions.STALLED, Reasons.CONFLICT).test(c);
    }), "the newer connection is in conflict");
    letItRun(Duration.ofSeconds(8)); // it backs off meanwhile (0.5, 1, 2, 4 s...)
    long start = System.nanoTime();
    sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales").delete();
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("other").withName("sales").get();
      return c != null && Conditions.isTrue(c.getStatus(), Conditions.READY);
    }), "the other connection takes over");
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("add-on hand-over: the other HerokuConnection was Ready %.2f s after the owner's delete%n", seconds);
    assertTrue(seconds < 3, "within seconds, not after its backoff: " + seconds);
  }
}
