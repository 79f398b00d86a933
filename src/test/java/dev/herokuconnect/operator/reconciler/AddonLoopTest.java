package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.connection.AddonNames;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.Manifests;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * spec.addon a layer down ({@link LoopWorld}): the add-on created through the fake's Platform API
 * (over HTTP), waited for, connected to, its plan changed, deleted only when this object created it
 * and only after its mappings; a crash between the create and the status write; bad input;
 * observe-only; the Platform budget.
 */
class AddonLoopTest extends LoopWorldCase {
  static final String APP = "acme-new";

  AddonLoopTest() {
    w.cluster.remove("HerokuConnection/crm/sales");
    w.fake.platform().addApp(APP);
  }

  static String manifest(String app, String addon) {
    return Manifests.connection("addon: " + addon).replace("appName: acme-crm", "appName: " + app);
  }

  static String withAddon(String addon) {
    return manifest(APP, addon);
  }

  HerokuConnection until(java.util.function.Predicate<HerokuConnection> done) {
    return w.untilConnection(LoopWorld.NS, "sales", done);
  }

  static boolean has(HerokuConnection c, String type, String reason) {
    return Conditions.isTrueWith(c.getStatus(), type, reason);
  }

  static String message(HerokuConnection c, String type) {
    return Conditions.find(c.getStatus(), type).map(x -> x.getMessage()).orElse("");
  }

  long platform(String method, String pathPart) {
    return w.fake.requests().stream().filter(r -> r.api().equals("platform") && r.method().equals(method)
        && r.path().contains(pathPart)).count();
  }

  /** Platform requests of any method whose path contains {@code pathPart}. */
  long platformAny(String pathPart) {
    return w.fake.requests().stream().filter(r -> r.api().equals("platform") && r.path().contains(pathPart)).count();
  }

  /** The app's add-ons as the fake's Platform API lists them (over HTTP, as anyone would see them). */
  List<String> addons(String app) {
    try {
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(w.fake.baseUrl() + "/apps/" + app + "/addons"))
          .header("Authorization", "Bearer " + LoopWorld.TOKEN).header("Accept", "application/vnd.heroku+json; version=3").build();
      var answer = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
      List<String> ids = new java.util.ArrayList<>();
      new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).forEach(a -> ids.add(a.path("id").asText()));
      return ids;
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The add-on created and connected: the connection asks for Salesforce authorization, as any new one. */
  HerokuConnection created(String addon) {
    w.applyConnection(withAddon(addon));
    return until(c -> has(c, Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
  }

  @Test
  void createsWaitsForProvisioningThenConnectsAndCarriesOn() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo}"));
    HerokuConnection c = w.connection("sales");
    var control = w.loop.reconcile(c, w.connections);
    assertEquals(1, platform("POST", "/apps/acme-new/addons"), "created once");
    String id = c.getStatus().getAddon().getId();
    assertNotNull(id);
    assertEquals(AddonNames.of(c), c.getStatus().getAddon().getName(), "named from the object");
    assertTrue(c.getStatus().getAddon().createdByThis());
    assertEquals("provisioning", c.getStatus().getAddon().getState());
    assertTrue(has(c, Conditions.RECONCILING, Reasons.PROVISIONING_ADDON), c.getStatus().getConditions().toString());
    assertTrue(control.getScheduleDelay().orElse(0L) > 0, "waits by requeue, not in the pass");
    String intent = "sales {\"addon\":{\"createRequestedName\":\"" + AddonNames.of(c);
    assertTrue(w.statusWrites.stream().anyMatch(s -> s.startsWith(intent)),
        "the intent is written before the POST: " + w.statusWrites);
    assertTrue(w.hasEvent("sales", "AddonCreated"));
    assertNull(c.getStatus().getConnectionId(), "no connection before the add-on is provisioned");
    c = until(x -> has(x, Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
    assertEquals(id, c.getStatus().getConnectionId(), "the add-on's id is the connection id");
    assertEquals("provisioned", c.getStatus().getAddon().getState());
    assertEquals(1, w.count("POST", "/auth/acme-new"), "the token's user linked (tutorial step 3)");
    assertEquals(1, w.count("PATCH", "/connections/" + id), "then as today: database and schema set");
    assertEquals(1, platform("POST", "/apps/acme-new/addons"), "still one create");
    long reads = platform("GET", "/apps/");
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    assertEquals(reads, platform("GET", "/apps/"), "a settled add-on is not read again each pass");
    assertNotNull(c.getStatus().getAddon().getPlatformRateLimit().getRemaining(), "the Platform budget as the API reported it");
  }

  @Test
  void aRestartWhileTheAddonProvisionsCarriesOnWithoutASecondCreate() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo}"));
    w.loop.reconcile(w.connection("sales"), w.connections); // created, provisioning
    w.restart(); // a new process: nothing in memory, only what status recorded
    HerokuConnection c = until(x -> has(x, Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
    assertEquals(1, platform("POST", "/apps/acme-new/addons"), "one create across the restart");
    assertEquals(c.getStatus().getAddon().getId(), c.getStatus().getConnectionId(), "connected by the recorded id");
    assertTrue(c.getStatus().getAddon().createdByThis(), "still its own");
    assertFalse(w.hasEvent("sales", "AddonAdopted"), "found by its recorded id: no adoption: " + w.events);
    System.out.printf("restart while provisioning: %d POST, %d Platform requests in all%n",
        platform("POST", "/apps/"), platformAny("/apps/"));
  }

  @Test
  void aPassOnACopyOlderThanTheCreatesStatusWriteIsNoAdoption() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo}"));
    HerokuConnection c = w.connection("sales");
    w.loop.reconcile(c, w.connections);
    // what a cache that has not caught up serves: the intent (written before the POST), not the answer
    HerokuConnection stale = new io.fabric8.kubernetes.client.utils.KubernetesSerialization().clone(c);
    stale.getStatus().getAddon().setId(null);
    stale.getStatus().getAddon().setCreatedByThis(null);
    w.loop.reconcile(stale, w.connections);
    assertEquals(1, platform("POST", "/apps/acme-new/addons"), "no second create");
    assertTrue(stale.getStatus().getAddon().createdByThis(), "still its own");
    assertFalse(w.hasEvent("sales", "AddonAdopted"), "this process created it: no adoption to report: " + w.events);
  }

  @Test
  void aPassOnACopyOlderThanTheIntentKeepsANamedAddonItsOwn() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo, deletionPolicy: Delete}") + "  resourceName: crm-sync\n");
    HerokuConnection c = w.connection("sales");
    w.loop.reconcile(c, w.connections);
    assertTrue(c.getStatus().getAddon().createdByThis());
    // a cache further behind: not even the intent (written a moment before the POST) is in the copy
    HerokuConnection stale = new io.fabric8.kubernetes.client.utils.KubernetesSerialization().clone(c);
    stale.getStatus().setAddon(null);
    w.loop.reconcile(stale, w.connections);
    assertEquals(1, platform("POST", "/apps/acme-new/addons"), "no second create");
    assertTrue(stale.getStatus().getAddon().createdByThis(), "this process created it: still its own, so Delete applies: " + w.events);
  }

  @Test
  void twoHerokuConnectionsOfOneAppWhosePassesBothSawNoAddonCreateOnlyOne() {
    // applied together (kubectl apply -f dir/): their passes run at once, and each looks before either creates
    w.applyConnection(withAddon("{plan: herokuconnect:demo}"));
    w.applyConnection(withAddon("{plan: herokuconnect:demo}").replace("name: sales", "name: twin"));
    var external = w.connections.external();
    var pass = new dev.herokuconnect.operator.reconciler.loop.ManagedLoop.Pass(
        dev.herokuconnect.operator.reconciler.loop.Management.MANAGE, true, false, false, w.clock.instant());
    List<dev.herokuconnect.operator.reconciler.loop.Reconcile<HerokuConnection, dev.herokuconnect.operator.crd.HerokuConnectionStatus>> ctx =
        new java.util.ArrayList<>();
    List<dev.herokuconnect.operator.reconciler.connection.ConnectionObservation> seen = new java.util.ArrayList<>();
    for (String name : List.of("sales", "twin")) {
      HerokuConnection c = w.connection(name);
      c.setStatus(new dev.herokuconnect.operator.crd.HerokuConnectionStatus());
      ctx.add(new dev.herokuconnect.operator.reconciler.loop.Reconcile<>(c, pass));
      seen.add(external.observe(ctx.get(ctx.size() - 1)));
      assertEquals(List.of(dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step.CREATE_ADDON),
          w.connections.decide(seen.get(seen.size() - 1)).steps(), name + " saw no add-on");
    }
    for (int i = 0; i < 2; i++) {
      external.act(dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step.CREATE_ADDON, ctx.get(i), seen.get(i));
    }
    assertEquals(1, platform("POST", "/apps/acme-new/addons"), "one create: " + w.events);
    assertEquals(1, addons(APP).size(), "one add-on on the app");
    assertFalse(w.connection("twin").getStatus().getAddon().createdByThis(), "the second found the first one's");
  }

  @Test
  void aCrashBetweenTheCreateAndTheStatusWriteAdoptsTheAddonInsteadOfCreatingASecond() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo, deletionPolicy: Delete}"));
    w.fake.loseAnswerOfNext("POST", "/apps/acme-new/addons"); // the add-on is created; its answer never comes back
    w.crashingPass("sales", 0); // and the process dies: only the intent (written before the POST) survives
    HerokuConnection c = w.connection("sales");
    assertNull(c.getStatus().getAddon().getId(), "the answer was never recorded");
    assertEquals(AddonNames.of(c), c.getStatus().getAddon().getCreateRequestedName());
    c = until(x -> has(x, Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
    assertEquals(1, platform("POST", "/apps/acme-new/addons"), "no second create");
    assertEquals(1, addons(APP).size(), "exactly one add-on exists");
    assertTrue(c.getStatus().getAddon().createdByThis(), "adopted as its own: deletionPolicy Delete still applies");
    assertTrue(w.hasEvent("sales", "AddonAdopted"), w.events.toString());
    assertEquals(c.getStatus().getAddon().getId(), c.getStatus().getConnectionId());
  }

  @Test
  void deletedRightAfterSuchACrashItsAddonGoesByTheRecordedName() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo, deletionPolicy: Delete}"));
    w.fake.loseAnswerOfNext("POST", "/apps/acme-new/addons");
    w.crashingPass("sales", 0);
    assertEquals(1, addons(APP).size());
    String name = w.connection("sales").getStatus().getAddon().getCreateRequestedName();
    assertNull(w.connection("sales").getStatus().getAddon().getId(), "only the intent is recorded");
    assertTrue(w.deleteConnection("sales"));
    assertEquals(1, platform("DELETE", "/apps/acme-new/addons/" + name), "deleted by the intent's name: " + w.fake.requests());
    assertTrue(addons(APP).isEmpty(), "nothing left behind");
  }

  @Test
  void aCrashBeforeTheCreateLeftSendsItOnce() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo}"));
    w.crashingPass("sales", 1); // dies right after the intent's write: the POST never left
    assertEquals(0, platform("POST", "/apps/acme-new/addons"));
    until(x -> has(x, Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
    assertEquals(1, platform("POST", "/apps/acme-new/addons"), "sent once, under the recorded name");
    assertEquals(1, addons(APP).size());
  }

  @Test
  void aPlanChangeIsAppliedInPlaceOnce() {
    HerokuConnection c = created("{plan: herokuconnect:demo}");
    String id = c.getStatus().getAddon().getId();
    w.applyConnection(withAddon("{plan: herokuconnect:enterprise}"));
    c = w.reconcileConnection("sales");
    assertEquals(1, platform("PATCH", "/apps/acme-new/addons/" + id));
    assertEquals("herokuconnect:enterprise", c.getStatus().getAddon().getPlan());
    assertEquals("herokuconnect:enterprise", w.fake.platform().plan(id));
    assertTrue(w.hasEvent("sales", "AddonPlanChanged"));
    w.clock.advance(Duration.ofMinutes(11));
    w.reconcileConnection("sales");
    assertEquals(1, platform("PATCH", "/apps/"), "not again once applied");
  }

  @Test
  void deleteRemovesTheAddonItCreatedOnlyAfterItsMappings() {
    HerokuConnection c = created("{plan: herokuconnect:demo, deletionPolicy: Delete}");
    String id = c.getStatus().getAddon().getId();
    w.apply("account", "Account", "deletionPolicy: Orphan");
    assertFalse(w.deleteConnection("sales"), "waits for its mapping");
    assertEquals(0, platform("DELETE", "/apps/"), "nothing deleted while a mapping uses it");
    assertTrue(w.delete("account"));
    assertTrue(w.deleteConnection("sales"));
    assertEquals(1, platform("DELETE", "/apps/acme-new/addons/" + id));
    assertTrue(addons(APP).isEmpty(), "the add-on is gone");
    assertTrue(w.hasEvent("sales", "AddonDeleted"));
  }

  @Test
  void orphanLeavesTheAddon() {
    created("{plan: herokuconnect:demo}");
    assertTrue(w.deleteConnection("sales"));
    assertEquals(0, platform("DELETE", "/apps/"));
    assertEquals(1, addons(APP).size());
    assertTrue(w.hasEvent("sales", "AddonOrphaned"));
  }

  @Test
  void aDiscoveredAddonIsNeverDeletedEvenWithDelete() {
    // the world's add-on on acme-crm exists already: found on the app, not created
    w.applyConnection(manifest("acme-crm", "{plan: herokuconnect:demo, deletionPolicy: Delete}"));
    HerokuConnection c = until(x -> Conditions.isTrue(x.getStatus(), Conditions.READY));
    assertEquals(w.connectionId, c.getStatus().getConnectionId());
    assertFalse(c.getStatus().getAddon().createdByThis());
    assertEquals(0, platform("POST", "/apps/"), "nothing created");
    assertTrue(w.hasEvent("sales", "AddonFound"));
    assertTrue(w.deleteConnection("sales"));
    assertEquals(0, platform("DELETE", "/apps/"), "never deleted");
    assertTrue(w.hasEvent("sales", "AddonKept"));
    assertEquals(1, addons("acme-crm").size());
  }

  @Test
  void aFoundAddonsOtherPlanIsReportedNeverChanged() {
    // the world's add-on on acme-crm (herokuconnect:demo) exists already; a copy-pasted manifest asks for another plan
    w.applyConnection(manifest("acme-crm", "{plan: herokuconnect:enterprise}"));
    HerokuConnection c = until(x -> Conditions.isTrue(x.getStatus(), Conditions.READY));
    assertFalse(c.getStatus().getAddon().createdByThis());
    String said = message(c, Conditions.READY);
    for (String part : List.of("spec.addon.plan is herokuconnect:enterprise", "has plan herokuconnect:demo",
        "set spec.addon.plan to herokuconnect:demo", "heroku addons:upgrade")) {
      assertTrue(said.contains(part), "'" + part + "' in " + said);
    }
    w.clock.advance(Duration.ofMinutes(11));
    w.refreshConnection("sales"); // the add-on as recorded, read again
    assertEquals(0, platform("PATCH", "/apps/"), "a found add-on's plan is never changed: " + w.fake.requests());
    assertEquals("herokuconnect:demo", w.fake.platform().plan(w.connectionId));
    assertFalse(w.hasEvent("sales", "AddonPlanChanged"));
  }

  @Test
  void anAppNameEditedWhileTheAddonProvisionsIsRefusedAndItsDeleteGoesToTheRecordedApp() {
    w.fake.platform().addApp("acme-other");
    w.fake.platform().setProvisioning(1000, null); // provisioning for the whole test: never bound (no status.connectionId)
    w.applyConnection(withAddon("{plan: herokuconnect:demo, deletionPolicy: Delete}"));
    HerokuConnection c = w.reconcileConnection("sales");
    String id = c.getStatus().getAddon().getId();
    assertEquals(APP, c.getStatus().getAddon().getApp(), "the app is recorded with the add-on");
    assertNull(c.getStatus().getConnectionId());
    w.applyConnection(manifest("acme-other", "{plan: herokuconnect:demo, deletionPolicy: Delete}")); // no CEL here: the operator refuses
    c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.INVALID_SPEC), c.getStatus().getConditions().toString());
    for (String part : List.of("spec.appName", "status.addon.app 'acme-new'", "'acme-other'", "set it back")) {
      assertTrue(message(c, Conditions.STALLED).contains(part), "'" + part + "' in " + message(c, Conditions.STALLED));
    }
    assertTrue(w.deleteConnection("sales"));
    assertEquals(1, platform("DELETE", "/apps/acme-new/addons/" + id), "the recorded add-on is deleted: " + w.fake.requests());
    assertEquals(0, platformAny("/apps/acme-other"), "nothing ever sent to the edited app: " + w.fake.requests());
    assertTrue(addons(APP).isEmpty(), "nothing leaked");
  }

  @Test
  void anAppNameEditedWithOnlyTheCreateIntentRecordedDeletesByTheIntentOnTheRecordedApp() {
    w.fake.platform().addApp("acme-other");
    w.applyConnection(withAddon("{plan: herokuconnect:demo, deletionPolicy: Delete}"));
    w.fake.loseAnswerOfNext("POST", "/apps/acme-new/addons");
    w.crashingPass("sales", 0); // only the intent (with its app) survives
    HerokuConnection c = w.connection("sales");
    String name = c.getStatus().getAddon().getCreateRequestedName();
    assertNull(c.getStatus().getAddon().getId());
    assertEquals(APP, c.getStatus().getAddon().getApp(), "the app is recorded with the intent");
    w.applyConnection(manifest("acme-other", "{plan: herokuconnect:demo, deletionPolicy: Delete}"));
    c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.INVALID_SPEC), c.getStatus().getConditions().toString());
    assertTrue(w.deleteConnection("sales"));
    assertEquals(1, platform("DELETE", "/apps/acme-new/addons/" + name), "deleted by the intent's name: " + w.fake.requests());
    assertEquals(0, platformAny("/apps/acme-other"), "nothing ever sent to the edited app: " + w.fake.requests());
    assertTrue(addons(APP).isEmpty(), "nothing leaked");
  }

  /** A person's `heroku addons:create herokuconnect --name {name} -a {app}` (over HTTP, not through the operator). */
  void createdByHand(String app, String name) {
    try {
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(w.fake.baseUrl() + "/apps/" + app + "/addons"))
          .header("Authorization", "Bearer " + LoopWorld.TOKEN).header("Accept", "application/vnd.heroku+json; version=3")
          .header("Content-Type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"plan\": \"herokuconnect:demo\", \"name\": \"" + name + "\"}")).build();
      var answer = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(201, answer.statusCode(), answer.body());
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aCreateTheApiRefusedLeavesNoIntentThatAdoptsAnAddonSomeoneElseCreatesUnderThatName() {
    w.applyConnection(withAddon("{plan: herokuconnect:nope, deletionPolicy: Delete}") + "  resourceName: crm-sync\n");
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.INVALID_SPEC), c.getStatus().getConditions().toString()); // 422: nothing created
    assertTrue(w.statusWrites.contains("sales {\"addon\":{\"createRequestedName\":null,\"createRequestedAt\":null,\"app\":null}}"),
        "the intent is withdrawn as durably as it was written (the loop's status write is a diff against a copy without it): "
        + w.statusWrites);
    createdByHand(APP, "crm-sync"); // a person then creates the add-on under that name
    w.applyConnection(withAddon("{plan: herokuconnect:demo, deletionPolicy: Delete}") + "  resourceName: crm-sync\n");
    c = until(x -> has(x, Conditions.STALLED, Reasons.NEEDS_SALESFORCE_AUTHORIZATION));
    assertFalse(c.getStatus().getAddon().createdByThis(), "found, not created by this object: " + w.events);
    assertFalse(w.hasEvent("sales", "AddonAdopted"), w.events.toString());
    assertTrue(w.deleteConnection("sales"));
    assertEquals(0, platform("DELETE", "/apps/"), "an add-on this object did not create is never deleted");
    assertEquals(1, addons(APP).size());
  }

  @Test
  void aHerokuConnectionThatDoesNotOwnTheAddonItCreatedDeletesNothingRemote() {
    // an older HerokuConnection for the same app, without spec.addon: it finds the add-on once there, and owns it
    w.applyConnection(LoopWorld.connectionNamed("owner", APP));
    w.reconcileConnection(LoopWorld.NS, "owner");
    HerokuConnection c = created("{plan: herokuconnect:demo, deletionPolicy: Delete}");
    String id = c.getStatus().getAddon().getId();
    assertTrue(c.getStatus().getAddon().createdByThis());
    w.untilConnection(LoopWorld.NS, "owner", x -> id.equals(x.getStatus().getConnectionId()));
    c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.CONFLICT), c.getStatus().getConditions().toString());
    assertTrue(w.deleteConnection("sales"));
    assertEquals(0, platform("DELETE", "/apps/"), "a claimant that does not own the add-on deletes nothing remote (contract, Ownership)");
    assertEquals(1, addons(APP).size(), "the owner's add-on stays");
  }

  @Test
  void aDeleteAnsweredCouldNotFindThatAppIsNotTheAddonGone() {
    HerokuConnection c = created("{plan: herokuconnect:demo, deletionPolicy: Delete}");
    String id = c.getStatus().getAddon().getId();
    // the app is out of the token's sight (renamed with heroku apps:rename, access removed): 404 about the app
    w.fake.platform().hideApp(APP);
    assertFalse(w.deleteConnection("sales"), "the finalizer stays: the add-on was not deleted");
    assertEquals(1, platform("DELETE", "/apps/acme-new/addons/" + id));
    assertTrue(w.hasEvent("sales", "DeleteFailed"), w.events.toString());
    assertFalse(w.events.stream().anyMatch(e -> e.contains("already gone")), w.events.toString());
    assertNotNull(w.fake.platform().state(id), "the add-on lives on");
  }

  @Test
  void badInputStallsWithTheApiMessageAndTheFieldToFix() {
    record Case(String reason, String manifest, Runnable arrange, String condition, List<String> says) {}
    for (Case k : List.of(
        new Case("an app the token cannot see (404)", manifest("acme-gone", "{plan: herokuconnect:demo}"), () -> {},
            Reasons.INVALID_SPEC, List.of("404", "spec.appName 'acme-gone'")),
        new Case("a plan Heroku does not know (422)", withAddon("{plan: herokuconnect:nope}"), () -> {},
            Reasons.INVALID_SPEC, List.of("422", "spec.addon.plan 'herokuconnect:nope'")),
        new Case("a token that may not create add-ons (403)", withAddon("{plan: herokuconnect:demo}"),
            () -> w.fake.platform().forbid(LoopWorld.TOKEN), Reasons.UNAUTHORIZED, List.of("403", "may not manage add-ons")))) {
      w.events.clear();
      k.arrange().run();
      w.cluster.remove("HerokuConnection/crm/sales");
      w.applyConnection(k.manifest());
      HerokuConnection c = w.reconcileConnection("sales");
      assertTrue(has(c, Conditions.STALLED, k.condition()), k.reason() + ": " + c.getStatus().getConditions());
      for (String s : k.says()) assertTrue(message(c, Conditions.STALLED).contains(s), k.reason() + ": " + message(c, Conditions.STALLED));
      assertTrue(w.events.stream().anyMatch(e -> e.startsWith("sales !" + k.condition())), k.reason() + ": an Event: " + w.events);
      assertFalse(w.events.toString().contains(LoopWorld.TOKEN), "never the token");
    }
  }

  @Test
  void withAPinnedConnectionIdTheOperatorRefusesWhereCelIsNotEnforced() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo}") + "  connectionId: 11111111-1111-4111-8111-111111111111\n");
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.STALLED, Reasons.INVALID_SPEC), c.getStatus().getConditions().toString());
    assertTrue(message(c, Conditions.STALLED).contains("set one of the two"), message(c, Conditions.STALLED));
    assertTrue(w.fake.requests().isEmpty(), "nothing sent: " + w.fake.requests());
  }

  @Test
  void observeOnlyNeverCreatesAndSaysWhatItWould() {
    w.applyConnection(withAddon("{plan: herokuconnect:demo}").replace("metadata: {name: sales, namespace: crm}",
        "metadata: {name: sales, namespace: crm, annotations: {herokuconnect.dev/reconcile-policy: observe}}"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.RECONCILING, Reasons.OBSERVING), c.getStatus().getConditions().toString());
    assertTrue(message(c, Conditions.RECONCILING).contains("would create herokuconnect:demo"), message(c, Conditions.RECONCILING));
    assertEquals(0, w.fake.requests().stream().filter(r -> r.api().equals("platform") && r.isWrite()).count(), "no Platform write");
    assertTrue(addons(APP).isEmpty());
  }

  @Test
  void aSpentPlatformBudgetWaitsAndSaysUntilWhen() {
    w.fake.platform().setRemaining("ops@example.com", 0); // spent by the account's people
    w.applyConnection(withAddon("{plan: herokuconnect:demo}"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(has(c, Conditions.RECONCILING, Reasons.RATE_LIMITED), c.getStatus().getConditions().toString());
    String until = c.getStatus().getAddon().getPlatformRateLimit().getThrottledUntil();
    assertNotNull(until, "status shows until when");
    assertTrue(message(c, Conditions.RECONCILING).contains(until), message(c, Conditions.RECONCILING));
    long sent = platform("GET", "/apps/");
    w.reconcileConnection("sales");
    assertEquals(sent, platform("GET", "/apps/"), "nothing sent before then");
    assertEquals(0, platform("POST", "/apps/"), "nothing created");
  }

  @Test
  void withoutSpecAddonThePlatformApiIsNeverCalled() {
    w.put(w.readyConnection());
    w.clock.advance(Duration.ofMinutes(11));
    w.refreshConnection("sales");
    assertTrue(Conditions.isTrue(w.connection("sales").getStatus(), Conditions.READY));
    assertEquals(0, w.fake.requests().stream().filter(r -> r.api().equals("platform")).count());
    assertNull(w.connection("sales").getStatus().getAddon());
  }
}
