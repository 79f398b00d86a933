package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.connection.CredentialsGuard;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.Manifests;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HerokuConnection's sync a layer down ({@link LoopWorld}): discovery, setup, authorization,
 * pause and resume, restart, observe-only and the credentials hold, synchronous, in milliseconds.
 * A second add-on, NEW, is the one these cases set up (the world's own is already Ready).
 */
class ConnectionLoopTest extends LoopWorldCase {
  final String id;

  ConnectionLoopTest() throws Exception {
    w.cluster.remove("HerokuConnection/crm/sales");
    id = w.fake.addConnection("acme-new", "herokuconnect-new-1");
  }

  static String manifest(String extraSpec) {
    return Manifests.connection(extraSpec).replace("appName: acme-crm", "appName: acme-new");
  }

  static boolean has(HerokuConnection c, String type, String reason) {
    return Conditions.isTrueWith(c.getStatus(), type, reason);
  }

  /** Passes as the SDK would requeue them, the clock moving on between them, until {@code done} (at most ten). */
  HerokuConnection until(java.util.function.Predicate<HerokuConnection> done) {
    for (int pass = 0; pass < 10; pass++) {
      HerokuConnection c = w.reconcileConnection("sales");
      if (done.test(c)) return c;
      w.clock.advance(Duration.ofSeconds(20));
    }
    throw new AssertionError("never got there: " + w.connection("sales").getStatus().getConditions());
  }

  HerokuConnection ready() {
    w.applyConnection(manifest(""));
    until(c -> c.getStatus().getAuthorizationUrl() != null);
    w.fake.completeAuthorization(id);
    w.clock.advance(Duration.ofMinutes(11));
    return until(c -> Conditions.isTrue(c.getStatus(), Conditions.READY));
  }

  long count(String method, String pathPart) {
    return w.count(method, pathPart);
  }

  @Test
  void discoversSetsUpAndAsksForAuthorizationOncePerEntry() {
    w.applyConnection(manifest(""));
    HerokuConnection c = until(x -> has(x, Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
    assertEquals(id, c.getStatus().getConnectionId());
    assertEquals("acme-new", c.getStatus().getAppName(), "bound: the identity is recorded");
    assertEquals("herokuconnect-new-1", c.getStatus().getResourceName());
    assertTrue(c.getStatus().getAuthorizationUrl().contains("/oauth/start/" + id));
    assertEquals(1, count("PATCH", "/connections/"), "db_key and schema set once");
    assertTrue(w.secret("heroku-api").getMetadata().getFinalizers().contains(CredentialsGuard.FINALIZER), "the token Secret is held");
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    w.reconcileConnection("sales");
    assertEquals(1, count("POST", "/authorize_url"), "asked once while the state lasts");
    w.fake.completeAuthorization(id);
    w.clock.advance(Duration.ofMinutes(11));
    c = until(x -> Conditions.isTrue(x.getStatus(), Conditions.READY));
    assertNull(c.getStatus().getAuthorizationUrl(), "cleared once authorized");
    w.fake.forceConnectionState(id, "UNAUTHORIZED"); // the Salesforce grant expired
    w.clock.advance(Duration.ofMinutes(11));
    assertTrue(has(w.reconcileConnection("sales"), Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
    assertEquals(2, count("POST", "/authorize_url"), "a new entry into the state asks once more");
    assertEquals(1, count("POST", "/auth/acme-new"), "discovery ran once; the id is kept in status");
  }

  @Test
  void missingSecretStallsAndItsCreationRecovers() {
    io.fabric8.kubernetes.api.model.Secret secret = w.secret("heroku-api");
    w.cluster.remove("Secret/crm/heroku-api");
    w.applyConnection(manifest(""));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.UNAUTHORIZED));
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("Secret crm/heroku-api") && msg.contains("'token'"), msg);
    assertTrue(w.fake.requests().isEmpty(), "nothing sent without a token");
    w.put(secret);
    until(x -> has(x, Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
  }

  @Test
  void setupOnlyWhenItDiffers() {
    ready();
    long patches = count("PATCH", "/connections/");
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    assertEquals(patches, count("PATCH", "/connections/"), "no PATCH when the API already agrees");
    w.applyConnection(manifest("").replace("schema: salesforce", "schema: sf_data"));
    until(x -> "sf_data".equals(x.getStatus().getSchemaName()));
    assertEquals(patches + 1, count("PATCH", "/connections/"));
  }

  @Test
  void pauseWaitsForIdleThenResumes() {
    ready();
    w.fake.busyFor(id, Duration.ofSeconds(30));
    w.applyConnection(manifest("paused: true"));
    assertTrue(has(w.reconcileConnection("sales"), Conditions.RECONCILING, Reasons.PAUSING), "waits for IDLE: "
        + w.connection("sales").getStatus().getConditions());
    HerokuConnection c = until(x -> "PAUSED".equals(x.getStatus().getState()));
    assertTrue(Conditions.find(c.getStatus(), Conditions.READY).map(r -> r.getReason().equals(Reasons.PAUSED)).orElse(false));
    assertEquals(List.of(202), w.fake.requests().stream().filter(r -> r.path().endsWith("/actions/pause")).map(r -> r.status()).toList(),
        "pause was sent once, only once the connection was IDLE");
    assertTrue(w.hasEvent("sales", "Paused"));
    w.applyConnection(manifest("paused: false"));
    until(x -> Conditions.isTrue(x.getStatus(), Conditions.READY));
    assertEquals(1, count("POST", "/actions/resume"));
  }

  @Test
  void aRestartIsAskedForOnceAndRecordedBeforeItIsSent() {
    ready();
    w.fake.forceConnectionState(id, "SYSTEM_ERROR");
    w.clock.advance(Duration.ofMinutes(11));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.REMOTE_ERROR));
    c.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Crds.RESTART_REQUESTED_AT, "t1")));
    w.reconcileConnection("sales");
    assertEquals("t1", w.connection("sales").getStatus().getLastHandledRestartAt());
    assertTrue(w.statusWrites.contains("sales {\"lastHandledRestartAt\":\"t1\"}"), w.statusWrites.toString());
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    assertEquals(1, count("POST", "/actions/restart"));
  }

  @Test
  void observeOnlyWritesNothingAndNeverLinks() {
    w.fake.linkUser(id, "ops@example.com"); // an add-on someone already uses: found by search alone
    w.applyConnection(manifest("").replace("metadata: {name: sales, namespace: crm}",
        "metadata: {name: sales, namespace: crm, annotations: {herokuconnect.dev/reconcile-policy: observe}}"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertEquals("NEW", c.getStatus().getState());
    assertTrue(Conditions.find(c.getStatus(), Conditions.READY).get().getMessage().contains("observe"));
    assertTrue(w.fake.requests().stream().noneMatch(r -> r.isWrite()), "no write at all: " + w.fake.requests());
    assertTrue(w.secret("heroku-api").getMetadata().getFinalizers() == null
        || !w.secret("heroku-api").getMetadata().getFinalizers().contains(CredentialsGuard.FINALIZER), "observe-only holds nothing");
  }

  @Test
  void deletionWaitsForItsMappingsThenReleasesTheSecret() {
    ready();
    w.apply("account", "Account", "");
    w.mapping("account").getSpec().getConnectionRef().setName("sales");
    w.reconcile("account");
    assertFalse(w.deleteConnection("sales"), "a mapping still uses it");
    assertTrue(w.hasEvent("sales", Reasons.DELETING));
    w.clock.advance(Duration.ofMinutes(1));
    assertTrue(w.delete("account"));
    assertTrue(w.deleteConnection("sales"));
    assertFalse(w.secret("heroku-api").getMetadata().getFinalizers().contains(CredentialsGuard.FINALIZER), "released");
  }

  @Test
  void aPauseRefusedBecauseTheStateMovedIsRetriedNotStalled() {
    ready();
    // the connection leaves IDLE between the operator's read and its pause: the API refuses the pause (400)
    w.fake.beforeNext("POST", "/actions/pause", () -> w.fake.busyFor(id, Duration.ofSeconds(30)));
    w.applyConnection(manifest("paused: true"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.RECONCILING, Reasons.PAUSING), "not the spec's fault: " + c.getStatus().getConditions());
    assertFalse(Conditions.isTrue(c.getStatus(), Conditions.STALLED), "a Stalled InvalidSpec would wait for a spec change: wedged");
    w.clock.advance(Duration.ofSeconds(20));
    assertEquals("PAUSED", until(x -> "PAUSED".equals(x.getStatus().getState())).getStatus().getState());
  }

  @Test
  void deletionsCompleteWhenTheConnectionNeverResolved() { // moved down from StateMachineTest
    w.applyConnection(manifest("").replace("appName: acme-new", "appName: no-such-app"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND), c.getStatus().getConditions().toString());
    w.apply("account", "Account", "");
    w.reconcile("account");
    assertTrue(w.delete("account"), "nothing remote was ever this mapping's: the finalizer goes at once");
    assertTrue(w.deleteConnection("sales"));
    assertEquals(0, count("DELETE", "/mappings/"));
    assertFalse(w.secret("heroku-api").getMetadata().getFinalizers() != null
        && w.secret("heroku-api").getMetadata().getFinalizers().contains(CredentialsGuard.FINALIZER), "the Secret is released");
  }

  // ---- moved down from the sandbox (ConnectionReconcilerTest) -------------------------------

  @Test
  void discoveryNoneOrSeveral() {
    String second = w.fake.addConnection("acme-new", "herokuconnect-other-2");
    w.applyConnection(manifest(""));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.CONNECTION_AMBIGUOUS), c.getStatus().getConditions().toString());
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("herokuconnect-new-1") && msg.contains("herokuconnect-other-2") && msg.contains("resourceName"), msg);
    w.applyConnection(manifest("resourceName: herokuconnect-other-2"));
    c = until(x -> second.equals(x.getStatus().getConnectionId())); // picks the named add-on

    // Resolved: another add-on is an identity change, refused (issue 16), not followed.
    w.applyConnection(manifest("resourceName: nope"));
    c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.INVALID_SPEC), "refuses the move: " + c.getStatus().getConditions());
    String refused = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(refused.contains("'herokuconnect-other-2'") && refused.contains("'nope'"), refused);
    assertEquals(second, c.getStatus().getConnectionId(), "still bound to the add-on it resolved");
    // Unresolved: a resourceName that names no add-on is not found.
    w.applyConnection(manifest("resourceName: nope").replace("name: sales", "name: sales-nope"));
    w.untilConnection(LoopWorld.NS, "sales-nope", x -> has(x, Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND)
        && Conditions.find(x.getStatus(), Conditions.STALLED).get().getMessage().contains("nope"));
  }

  @Test
  void observeOnlyNeverLinksTheUserToFindAnAddon() {
    w.applyConnection(manifest("").replace("metadata: {name: sales, namespace: crm}",
        "metadata: {name: sales, namespace: crm, annotations: {herokuconnect.dev/reconcile-policy: observe}}"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.CONNECTION_NOT_FOUND), c.getStatus().getConditions().toString());
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("observe-only does not link"), msg);
    assertTrue(w.fake.requests().stream().noneMatch(r -> r.isWrite()), "no write at all: " + w.fake.requests());
  }

  @Test
  void secretsOfOtherNamespacesAreNeverRead() {
    w.cluster.remove("Secret/crm/heroku-api");
    w.putSecret("other", "heroku-api", LoopWorld.TOKEN);
    w.applyConnection(manifest(""));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.UNAUTHORIZED), c.getStatus().getConditions().toString());
    assertTrue(w.fake.requests().isEmpty());
    assertTrue(w.cluster.containsKey("Secret/other/heroku-api"), "the other namespace's Secret exists but is not used");
    assertTrue(Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage().contains("crm/heroku-api"));
  }

  @Test
  void anOperatorNotAllowedToPatchTheTokenSecretSaysSoInStatus() {
    w.secretEdits = new io.fabric8.kubernetes.client.KubernetesClientException(new io.fabric8.kubernetes.api.model.StatusBuilder()
        .withCode(403).withMessage("secrets \"heroku-api\" is forbidden: User \"system:serviceaccount:ops:heroku-connect-operator\" "
            + "cannot patch resource \"secrets\" in the namespace \"crm\"").build());
    w.applyConnection(manifest(""));
    HerokuConnection c = w.reconcileConnection("sales");
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).map(x -> x.getMessage()).orElse("");
    System.out.println("RBAC missing for the Secret hold: " + msg);
    assertTrue(has(c, Conditions.STALLED, Reasons.UNAUTHORIZED), c.getStatus().getConditions().toString());
    assertTrue(msg.contains("403") && msg.contains("cannot patch resource") && msg.contains("service account"), msg);
    assertEquals(0, w.fake.requests().size(), "nothing goes to the API before the token is held");
    assertTrue(w.hasEvent("sales", Reasons.UNAUTHORIZED), "one Warning says so: " + w.events);
  }
}
