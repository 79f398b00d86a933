package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.mapping.MappingKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Adversarial review of b4eebd2..1d1bc0d (round 2): each test shows one path the change misses. */
class ReviewRound2Test extends LoopWorldCase {
  /** The fake's API root on a host the allowlist does not name (localhost, not 127.0.0.1): refused before anything leaves. */
  String disallowedRoot() {
    return w.fake.apiRoot().replace(w.fake.host(), "localhost");
  }

  /** The connection as the connection controller left it while its status.apiUrl was on a host allowed then and not now. */
  HerokuConnection connectionOnDisallowedHost() {
    HerokuConnection c = w.readyConnection();
    c.getStatus().setApiUrl(disallowedRoot());
    return w.put(c);
  }

  /**
   * A cleanup that throws something other than ConnectApiException: the connection's status.apiUrl is on a
   * host no longer allowed, so Connector.connectKnown throws RefusedUrl from inside MappingKind.delete.
   * ManagedLoop.cleanup catches only ConnectApiException: the exception escapes to the SDK, no DeleteFailed
   * Warning says why the finalizer stays, and the loop's backoff is bypassed (the SDK's limited retry takes over).
   */
  @Test
  void aCleanupThatThrowsRefusedUrlEscapesTheLoopUnreported() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    connectionOnDisallowedHost();
    boolean[] done = new boolean[1];
    assertDoesNotThrow(() -> done[0] = w.delete("account"), "the loop owns a cleanup's failures");
    assertFalse(done[0], "nothing was deleted: the finalizer stays");
    assertTrue(w.events.stream().anyMatch(e -> e.startsWith("account !")), "a Warning says why: events " + w.events);
  }

  /**
   * A mapping whose connection's URL is refused (RefusedUrl, the connection's fault) was Stalled InvalidSpec
   * with observedGeneration = generation; once the connection was fixed, MappingDecisions.cannotWrite read that
   * as "the API refused this generation" and never created the mapping until its spec changed: a wedge caused
   * by another object. Now it waits for its connection, and goes on once that is usable.
   */
  @Test
  void aMappingStalledByItsConnectionsRefusedUrlIsWedgedAfterTheConnectionIsFixed() {
    connectionOnDisallowedHost();
    w.apply("account", "Account", "");
    w.reconcile("account");
    // the connection's URL is the connection's to fix: the mapping waits for it (it used to be Stalled InvalidSpec, then wedged)
    assertTrue(Conditions.isTrueWith(w.mapping("account").getStatus(), Conditions.RECONCILING, Reasons.CONNECTION_NOT_READY),
        "the refused URL: " + w.mapping("account").getStatus().getConditions());
    w.put(w.readyConnection()); // the admin allows the host again, or the connection is fixed
    w.clock.advance(Duration.ofMinutes(1));
    w.reconcile("account");
    w.clock.advance(Duration.ofMinutes(1));
    w.reconcile("account");
    assertEquals(1, w.fake.mappings(w.connectionId).size(), "the mapping is created once its connection is usable: conditions "
        + w.mapping("account").getStatus().getConditions() + " requests " + w.fake.requests());
  }

  /**
   * Connector.known prefers status: a pinned connection (spec.connectionId + spec.apiUrl) whose recorded
   * status.apiUrl is on a host no longer allowed is Stalled InvalidSpec "fix spec.apiUrl"; the user fixes
   * spec.apiUrl (same add-on id, a host that is allowed) and nothing changes: the status root is still used,
   * ConnectionIdentity does not refuse the edit either, so the fix is silently ignored for ever.
   */
  @Test
  void aPinnedConnectionWhoseSpecApiUrlIsFixedStillUsesTheRefusedStatusRoot() {
    HerokuConnection c = w.readyConnection();
    c.getSpec().setConnectionId(w.connectionId);
    c.getSpec().setApiUrl(w.fake.apiRoot()); // the user's fix: the right host, the same add-on
    c.getStatus().setApiUrl(disallowedRoot()); // what an earlier pin or region recorded
    w.put(c);
    HerokuConnection after = w.reconcileConnection("sales");
    assertFalse(Conditions.isTrueWith(after.getStatus(), Conditions.STALLED, Reasons.INVALID_SPEC),
        "spec.apiUrl names an allowed host for the bound add-on: " + after.getStatus().getConditions());
    assertEquals(w.fake.apiRoot(), after.getStatus().getApiUrl());
  }

  /**
   * The realistic form of the status-first problem: a pinned connection whose spec.apiUrl had a typo on an
   * allowed host (here 127.0.0.1 port 1: nothing answers). The first pass records the typo in status.apiUrl
   * before the read fails (REMOTE_ERROR); the user corrects spec.apiUrl; every later pass still goes to the
   * recorded typo, retrying with backoff for ever.
   */
  @Test
  void aPinnedConnectionWhoseApiUrlTypoIsCorrectedNeverFollowsTheCorrection() {
    HerokuConnection c = w.readyConnection();
    c.setStatus(null);
    c.getSpec().setConnectionId(w.connectionId);
    c.getSpec().setApiUrl("http://127.0.0.1:1/api/v3"); // the typo: an allowed host, nobody listening
    w.put(c);
    HerokuConnection first = w.reconcileConnection("sales");
    assertTrue(Conditions.isTrueWith(first.getStatus(), Conditions.RECONCILING, Reasons.REMOTE_ERROR)
        || !Conditions.isTrue(first.getStatus(), Conditions.READY), "the typo fails: " + first.getStatus().getConditions());
    HerokuConnection fixed = w.readyConnection();
    fixed.setStatus(first.getStatus());
    fixed.getSpec().setConnectionId(w.connectionId);
    fixed.getSpec().setApiUrl(w.fake.apiRoot()); // corrected: same add-on
    w.put(fixed);
    for (int i = 0; i < 4; i++) {
      w.clock.advance(Duration.ofMinutes(6));
      w.reconcileConnection("sales");
    }
    HerokuConnection after = w.connection("sales");
    assertEquals(w.fake.apiRoot(), after.getStatus().getApiUrl(), "the corrected spec.apiUrl is followed: "
        + after.getStatus().getConditions());
    assertTrue(Conditions.isTrue(after.getStatus(), Conditions.READY), after.getStatus().getConditions().toString());
  }

  /**
   * (9) prunes the loop's maps at each finished cleanup, but MappingKind's write-error memo (WriteErrors.lastRead,
   * per uid) is still released only by a finished cleanup of that object: one removed without a cleanup keeps it.
   */
  @Test
  void writeErrorMemoOfAMappingRemovedWithoutCleanupIsNeverPruned() {
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.fake.addWriteError(w.mapping("account").getStatus().getMappingId(), "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcile("account");
    assertEquals(1, w.mappings.held(), "the write errors were read");
    w.cluster.remove("HerokuMapping/crm/account"); // finalizer removed by hand, then gone
    w.apply("contact", "Contact", "");
    w.untilReady("contact");
    assertTrue(w.delete("contact"));
    assertEquals(0, w.loop.held().get("last good reads"), "the loop's own maps are pruned: " + w.loop.held());
    assertEquals(0, w.mappings.held(), "write-error reads of objects that are gone");
  }

  /**
   * A cleanup whose Secret read fails in the Kubernetes API (403: RBAC, or a 500): KubernetesClientException
   * from Connector.connectKnown escapes ManagedLoop.cleanup, as RefusedUrl does; reconcile names it (7), cleanup does not.
   */
  @Test
  void aCleanupWhoseSecretReadIsForbiddenEscapesTheLoop() throws Exception {
    w.apply("account", "Account", "");
    w.untilReady("account");
    // a new token resolution is needed (the cached client is per object and root): move the root so the cache misses
    HerokuConnection c = w.readyConnection();
    c.getStatus().setApiUrl(w.fake.apiRoot() + "/");
    w.put(c);
    var linksField = MappingKind.class.getDeclaredField("links");
    linksField.setAccessible(true);
    Object links = linksField.get(w.mappings);
    var field = links.getClass().getDeclaredField("secrets");
    field.setAccessible(true);
    field.set(links, (Connector.Secrets) (ns, name) -> {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("secrets is forbidden", 403, null);
    });
    boolean[] done = new boolean[1];
    assertDoesNotThrow(() -> done[0] = w.delete("account"), "the loop owns a cleanup's failures");
    assertFalse(done[0]);
    assertTrue(w.events.stream().anyMatch(e -> e.startsWith("account !")), "a Warning says why: events " + w.events);
  }
}
