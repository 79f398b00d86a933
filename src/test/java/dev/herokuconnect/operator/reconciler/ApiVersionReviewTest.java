package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.connection.ApiVersionDecisions;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.Manifests;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review of the Salesforce API version change (issue 18) through the loop and the fake
 * over HTTP: each case is a defect a user would have hit, reproduced on the middle layer. Each
 * failed on the code as reviewed and passes since its fix; each comment names the defect.
 */
class ApiVersionReviewTest extends LoopWorldCase {
  static final String TARGET = ApiVersionLoopTest.TARGET;

  /** The connection at 52.0 with a Ready mapping of Account; the spec then asks for 62.0. */
  void atFiftyTwoAskingForSixtyTwo() {
    ApiVersionLoopTest.atFiftyTwoAskingForSixtyTwo(w, "");
  }

  String accountId() {
    return w.mapping("account").getStatus().getMappingId();
  }

  /** Passes of the connection, the clock moving 15 s between them, as the SDK's timers would. */
  HerokuConnection passes(int n) {
    HerokuConnection c = null;
    for (int i = 0; i < n; i++) {
      c = w.reconcileConnection("sales");
      w.clock.advance(Duration.ofSeconds(15));
    }
    return c;
  }

  String phase() {
    ApiVersionChangeStatus a = w.connection("sales").getStatus().getApiVersionChange();
    return a == null ? null : a.getPhase();
  }

  /**
   * The change waits in Changing with the connection paused for it (a mapping starts syncing between
   * the pause and the change: the API answers 409), as a user sees it for minutes. (The operator
   * waits for syncing mappings before it pauses, so the sync must start after the pause.)
   */
  void heldPausedInChanging() {
    atFiftyTwoAskingForSixtyTwo();
    w.fake.beforeNext("POST", "change-sf-api-version", () -> w.fake.forceMappingState(accountId(), "POLLING_SF_CHANGES"));
    w.reconcileConnection("sales");
    assertEquals(ApiVersionDecisions.CHANGING, phase(), "setup: the change waits for the syncing mapping");
    assertEquals("PAUSED", w.fake.connectionState(w.connectionId), "setup: the change paused the connection");
    assertEquals("52.0", w.fake.apiVersion(w.connectionId), "setup: not changed yet");
  }

  /**
   * Found in review (fixed): a spec edit of spec.salesforce.apiVersion made while a change waits (before the change
   * request took effect) is ignored: the recorded target wins and the operator sends an irreversible
   * change to a version the spec no longer asks for (the API never downgrades); the connection then
   * stalls InvalidSpec ("below the live version") on the person's own, valid, edit.
   */
  @Test
  void aSpecEditMidChangeIsFollowedNotTheRecordedTarget() {
    heldPausedInChanging();
    // the person changes their mind while the change waits: 58.0 (CEL allows it: 58.0 >= status.apiVersion 52.0)
    w.applyConnection(Manifests.connection("salesforce: {apiVersion: '58.0'}\n"));
    w.fake.forceMappingState(accountId(), null); // the mapping is done syncing
    passes(8);
    assertEquals("58.0", w.fake.apiVersion(w.connectionId),
        "the spec asks for 58.0 since before the change was sent; the operator sent the recorded target instead; "
            + "requests: " + ApiVersionLoopTest.writes(w) + "; conditions: " + w.connection("sales").getStatus().getConditions());
  }

  /**
   * Found in review (fixed): removing spec.salesforce.apiVersion while a change waits still sends the change (README:
   * "Removing spec.salesforce.apiVersion never changes the live version").
   */
  @Test
  void removingTheVersionMidChangeSendsNoChangeAndResumes() {
    heldPausedInChanging();
    w.applyConnection(Manifests.connection(""));
    w.fake.forceMappingState(accountId(), null);
    passes(8);
    assertEquals("52.0", w.fake.apiVersion(w.connectionId),
        "spec.salesforce.apiVersion was removed before the change was sent: " + ApiVersionLoopTest.writes(w));
    assertEquals("IDLE", w.fake.connectionState(w.connectionId), "resumed: the spec does not pause it");
  }

  /**
   * Found in review (fixed): deleting the HerokuConnection while a change holds the add-on paused releases the
   * finalizer and leaves the add-on PAUSED: every mapping on it stops syncing, with no Event saying
   * so (the operator never deletes the add-on; it should not leave it paused either).
   */
  @Test
  void deletingTheConnectionMidChangeDoesNotLeaveTheAddonPaused() {
    heldPausedInChanging();
    // the person tears down the HerokuConnection, keeping the remote mappings (README: how to move a connection)
    HerokuConnection c = w.connection("sales");
    w.apply("account", "Account", "deletionPolicy: Orphan");
    assertTrue(w.delete("account"), "the mapping's cleanup is done (Orphan)");
    assertTrue(w.deleteConnection("sales"), "the connection's cleanup is done: " + w.events);
    assertEquals("IDLE", w.fake.connectionState(w.connectionId),
        "the add-on is left paused by a change nobody continues (spec.paused was false); events: " + w.events
            + "; last status: " + c.getStatus().getApiVersionChange().getPhase());
  }

  /**
   * Found in review (fixed): the connection is not PAUSED when the change request arrives (resumed by someone in the
   * dashboard, or the 202 of the pause not landed yet: the pause is folded as PAUSED without a
   * read). The API's 400 "must be paused" is taken as a refusal of the version itself: Blocked for
   * good ("Set another spec.salesforce.apiVersion"), although 62.0 is valid and a retry would work.
   */
  @Test
  void aChangeRefusedBecauseTheConnectionIsNotPausedIsRetriedNotBlockedForGood() {
    atFiftyTwoAskingForSixtyTwo();
    w.fake.beforeNext("POST", "change-sf-api-version", () -> w.fake.forceConnectionState(w.connectionId, null));
    HerokuConnection c = passes(12);
    ApiVersionChangeStatus a = c.getStatus().getApiVersionChange();
    assertEquals(TARGET, w.fake.apiVersion(w.connectionId), "a valid change is never done: phase " + a.getPhase() + ", refusal: "
        + a.getRefusal() + "; Ready: " + Conditions.find(c.getStatus(), Conditions.READY).get().getMessage());
  }

  /**
   * Found in review (fixed): the live version moves above the spec's outside the operator (the Heroku CLI's
   * connect:manage-sf-api-version, the dashboard, or Heroku retiring a version): a spec that was
   * valid when applied (e.g. the 52.0 it was authorized with) now stalls the whole HerokuConnection
   * InvalidSpec, and every HerokuMapping on it waits ConnectionNotReady: no edit reaches the API.
   */
  @Test
  void aLiveVersionRaisedOutsideTheOperatorDoesNotStopTheMappings() {
    w.fake.setApiVersion(w.connectionId, "52.0");
    w.applyConnection(Manifests.connection("salesforce: {apiVersion: '52.0'}\n"));
    w.reconcileConnection("sales");
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.fake.setApiVersion(w.connectionId, TARGET); // someone runs heroku connect:manage-sf-api-version
    w.refreshConnection("sales");
    w.reconcileConnection("sales");
    // a person edits the mapping
    w.apply("account", "Account", "sfPollingSeconds: 300");
    w.clock.advance(Duration.ofSeconds(15));
    var m = w.reconcile("account");
    long puts = w.fake.requests().stream().filter(r -> r.method().equals("PUT")).count();
    assertTrue(puts > 0 && !Conditions.isTrueWith(m.getStatus(), Conditions.READY, Reasons.CONNECTION_NOT_READY),
        "the mapping's edit never reaches the API: " + Conditions.find(m.getStatus(), Conditions.READY).get().getMessage()
            + " / connection: " + Conditions.find(w.connection("sales").getStatus(), Conditions.READY).get().getMessage());
    w.untilReady("account"); // and it settles, Ready, while the connection says what its spec asks that cannot be done
    assertTrue(Conditions.isTrueWith(w.connection("sales").getStatus(), Conditions.STALLED, Reasons.INVALID_SPEC),
        "the connection names the version its spec asks for that may never be sent");
  }

  /**
   * Found in review (fixed): switched to observe-only while the change holds the connection paused, the connection
   * stays paused (observe-only sends nothing), but status says the operator is "changing the
   * Salesforce API version" (ChangingApiVersion) when nothing will be sent until it is managed again.
   */
  @Test
  void observeOnlyMidChangeSaysTheConnectionIsLeftPausedNotChanging() {
    heldPausedInChanging();
    HerokuConnection c = w.connection("sales");
    LoopWorld.annotate(c, "herokuconnect.dev/reconcile-policy", "observe");
    w.fake.forceMappingState(accountId(), null);
    c = passes(2);
    assertEquals("PAUSED", w.fake.connectionState(w.connectionId), "observe-only sends nothing (as documented)");
    String ready = Conditions.find(c.getStatus(), Conditions.READY).get().getReason() + ": "
        + Conditions.find(c.getStatus(), Conditions.READY).get().getMessage();
    assertTrue(ready.contains("observe"), "status does not say that observe-only leaves the connection paused for the change: "
        + ready);
  }

  /**
   * Found in review (fixed): a mapping that is still syncing (the snapshot shows it) makes the API refuse the change
   * (409), yet the operator pauses the connection first and then holds it paused, every other mapping
   * stopped, retrying the change with backoff up to the refresh interval until the sync ends (a
   * table load can take hours). It waits for IDLE before pausing; it should wait for the mappings too.
   */
  @Test
  void aSyncingMappingIsWaitedForBeforeTheConnectionIsPaused() {
    atFiftyTwoAskingForSixtyTwo();
    w.fake.forceMappingState(accountId(), "RELOAD_TABLE");
    passes(3);
    assertFalse(ApiVersionLoopTest.writes(w).contains("POST pause"),
        "paused although the snapshot showed Account syncing (the API refuses the change until it ends): "
            + ApiVersionLoopTest.writes(w) + "; the connection is " + w.fake.connectionState(w.connectionId));
  }

  /**
   * Found in review (fixed): a set-up connection that needs Salesforce authorization again (an expired or revoked
   * Salesforce login) gets an authorization URL asked for without api_version (the spec sets none);
   * the API defaults it to the latest version, so completing the login moves a 52.0 connection to
   * 62.0: a change of the live version nobody asked for, with no preview and no gate, and a mapped
   * field the new version drops breaks the mapping. (README: the live version changes only through
   * the gated change; the fake follows the reference: "Defaults to the latest supported version".)
   */
  @Test
  void reAuthorizingKeepsTheLiveVersionWhenTheSpecAsksForNone() {
    w.fake.setApiVersion(w.connectionId, "52.0");
    w.fake.declareFieldChange("Account", "Name", TARGET, dev.herokuconnect.operator.fake.FakeConnectApi.FieldChange.removed());
    w.reconcileConnection("sales");
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.fake.forceConnectionState(w.connectionId, "UNAUTHORIZED"); // the Salesforce login expired
    w.clock.advance(Duration.ofMinutes(11));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(c.getStatus().getAuthorizationUrl() != null, "setup: a URL to log in again: " + c.getStatus().getConditions());
    w.fake.completeAuthorization(w.connectionId); // the person logs in again
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    assertEquals("52.0", w.fake.apiVersion(w.connectionId), "logging in again changed the live version without a preview "
        + "or a gate (Account's mapped field Name does not exist at 62.0); authorize request: "
        + w.fake.requests().stream().filter(r -> r.path().contains("authorize_url")).map(r -> r.body()).toList());
  }

  /**
   * Found in review (fixed): the same with spec.salesforce.apiVersion set: the authorization URL carries the target,
   * so logging in again applies it with no preview, past a gate that would block it (a dropped field).
   */
  @Test
  void reAuthorizingDoesNotBypassTheGateOfAVersionChange() {
    w.fake.declareFieldChange("Account", "Name", TARGET, dev.herokuconnect.operator.fake.FakeConnectApi.FieldChange.removed());
    atFiftyTwoAskingForSixtyTwo();
    assertEquals(ApiVersionDecisions.BLOCKED, w.reconcileConnection("sales").getStatus().getApiVersionChange().getPhase(),
        "setup: the change is blocked by the dropped field");
    w.fake.forceConnectionState(w.connectionId, "UNAUTHORIZED");
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    w.fake.completeAuthorization(w.connectionId);
    w.clock.advance(Duration.ofMinutes(11));
    HerokuConnection c = w.reconcileConnection("sales");
    assertEquals("52.0", w.fake.apiVersion(w.connectionId), "a blocked change went through the authorization URL: phase "
        + c.getStatus().getApiVersionChange().getPhase() + "; requests: " + ApiVersionLoopTest.writes(w));
  }

  /**
   * Found in review (fixed): a person follows the Blocked message ("Set another spec.salesforce.apiVersion (or remove
   * it)") and removes the version: the connection goes Ready, but status.apiVersionChange keeps
   * phase Blocked and its message (the Change column of kubectl get -o wide says Blocked for good).
   */
  @Test
  void abandoningABlockedChangeLeavesNoBlockedPhaseBehind() {
    w.fake.declareFieldChange("Account", "Name", TARGET, dev.herokuconnect.operator.fake.FakeConnectApi.FieldChange.removed());
    atFiftyTwoAskingForSixtyTwo();
    assertEquals(ApiVersionDecisions.BLOCKED, w.reconcileConnection("sales").getStatus().getApiVersionChange().getPhase());
    w.applyConnection(Manifests.connection(""));
    HerokuConnection c = passes(2);
    assertTrue(Conditions.isTrue(c.getStatus(), Conditions.READY), "setup: Ready once the change is abandoned");
    ApiVersionChangeStatus a = c.getStatus().getApiVersionChange();
    assertTrue(a == null || !ApiVersionDecisions.BLOCKED.equals(a.getPhase()),
        "Ready, yet status.apiVersionChange still says " + a.getPhase() + ": " + a.getMessage());
  }

  /**
   * Found in review (fixed): a well-formed version the API does not support yet (63.0: Salesforce has released it,
   * Heroku Connect supports up to 62.0) is refused by the preview itself (GET schema-diff answers
   * 400). That 400 ends the pass as Stalled InvalidSpec (not ApiVersionChangeBlocked with the
   * refusal recorded, as the README says a refused version waits), and every HerokuMapping on the
   * connection then waits ConnectionNotReady: a version the API merely does not know yet halts all
   * mapping edits (README: "The HerokuMappings keep syncing while the change is blocked").
   */
  @Test
  void aVersionTheApiDoesNotSupportYetBlocksTheChangeNotTheMappings() {
    ApiVersionLoopTest.atFiftyTwoAskingForSixtyTwo(w, "");
    w.applyConnection(Manifests.connection("salesforce: {apiVersion: '63.0'}\n"));
    HerokuConnection c = passes(2);
    w.apply("account", "Account", "sfPollingSeconds: 300"); // a person edits the mapping meanwhile
    var m = w.reconcile("account");
    String conn = Conditions.find(c.getStatus(), Conditions.READY).get().getReason() + ": "
        + Conditions.find(c.getStatus(), Conditions.READY).get().getMessage();
    assertFalse(Conditions.isTrueWith(m.getStatus(), Conditions.READY, Reasons.CONNECTION_NOT_READY)
            || "ConnectionNotReady".equals(Conditions.find(m.getStatus(), Conditions.READY).get().getReason()),
        "the mapping waits for its connection because the API does not know 63.0 yet: "
            + Conditions.find(m.getStatus(), Conditions.READY).get().getMessage() + " / connection " + conn);
    ApiVersionChangeStatus a = c.getStatus().getApiVersionChange();
    assertTrue(a != null && a.getRefusal() != null, "the refusal is not recorded (status.apiVersionChange.refusal): " + conn);
  }

  /** Support for PlanApiVersionReviewTest (passes): what the operator sends for a PAUSED connection its spec does not pause. */
  @Test
  void baselineAPausedConnectionItsSpecResumesIsResumedPausedChangedAndResumed() {
    w.fake.setApiVersion(w.connectionId, "52.0");
    w.reconcileConnection("sales");
    w.fake.forceConnectionState(w.connectionId, "PAUSED");
    w.fake.clearRequests();
    w.applyConnection(Manifests.connection("salesforce: {apiVersion: '" + TARGET + "'}\n"));
    ApiVersionLoopTest.until(w, ApiVersionLoopTest::complete);
    assertEquals(List.of("POST resume", "GET schema-diff", "POST pause", "POST change-sf-api-version", "POST resume"),
        ApiVersionLoopTest.writes(w));
    assertEquals("IDLE", w.fake.connectionState(w.connectionId));
  }

  /** Sanity: the flows the defects above depart from still work here (the world is set up as the reviewed tests). */
  @Test
  void baseline() {
    atFiftyTwoAskingForSixtyTwo();
    ApiVersionLoopTest.until(w, ApiVersionLoopTest::complete);
    assertEquals(List.of("GET schema-diff", "POST pause", "POST change-sf-api-version", "POST resume"), ApiVersionLoopTest.writes(w));
  }
}
