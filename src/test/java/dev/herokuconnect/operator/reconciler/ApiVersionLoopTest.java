package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.reconciler.connection.ApiVersionDecisions;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.Manifests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Changing a connection's Salesforce API version through the loop and the fake Connect API over
 * HTTP: the whole sequence and its request log, a blocked change that goes on by itself once the
 * HerokuMapping drops the field, observe-only, and the process killed between each pair of steps.
 */
class ApiVersionLoopTest extends LoopWorldCase {
  static final String TARGET = "62.0";

  void atFiftyTwoAskingForSixtyTwo(String extraSpec) {
    atFiftyTwoAskingForSixtyTwo(w, extraSpec);
  }

  /** The connection at 52.0 with a Ready mapping of Account; then the spec asks for 62.0. */
  static void atFiftyTwoAskingForSixtyTwo(LoopWorld w, String extraSpec) {
    w.fake.setApiVersion(w.connectionId, "52.0");
    w.reconcileConnection("sales");
    assertEquals("52.0", w.connection("sales").getStatus().getApiVersion(), "status.apiVersion shows the live version");
    w.apply("account", "Account", "");
    w.untilReady("account");
    w.fake.clearRequests();
    w.applyConnection(Manifests.connection("salesforce: {apiVersion: '" + TARGET + "'}\n" + extraSpec));
  }

  int until(Predicate<HerokuConnection> done) {
    return until(w, done);
  }

  /** Reconciles the connection (the clock moving on as the SDK's timers would) until {@code done}; the passes it took. */
  static int until(LoopWorld w, Predicate<HerokuConnection> done) {
    for (int pass = 1; pass <= 12; pass++) {
      if (done.test(w.reconcileConnection("sales"))) return pass;
      w.clock.advance(Duration.ofSeconds(15));
    }
    throw new AssertionError("never: " + w.connection("sales").getStatus().getApiVersionChange() + " " + w.events);
  }

  static boolean complete(HerokuConnection c) {
    ApiVersionChangeStatus a = c.getStatus().getApiVersionChange();
    return a != null && ApiVersionDecisions.COMPLETE.equals(a.getPhase());
  }

  List<String> writes() {
    return writes(w);
  }

  static List<String> writes(LoopWorld w) {
    List<String> out = new ArrayList<>();
    for (RecordedRequest r : w.fake.requests()) {
      if (r.method().equals("POST") || r.path().contains("schema-diff")) out.add(r.method() + " " + r.path().replaceAll(".*/", ""));
    }
    return out;
  }

  @Test
  void aWholeChangeIsPreviewPauseChangeResumeEachOnceWithinSixRequestsBeyondTheRefresh() {
    atFiftyTwoAskingForSixtyTwo("");
    int passes = until(ApiVersionLoopTest::complete);
    HerokuConnection c = w.connection("sales");
    assertEquals(TARGET, c.getStatus().getApiVersion());
    assertEquals(TARGET, w.fake.apiVersion(w.connectionId));
    assertEquals("IDLE", w.fake.connectionState(w.connectionId), "resumed: the spec does not pause it");
    assertEquals(List.of("GET schema-diff", "POST pause", "POST change-sf-api-version", "POST resume"), writes());
    List<RecordedRequest> all = w.fake.requests();
    System.out.printf("whole change: %d pass(es), %d request(s): %s%n", passes, all.size(),
        all.stream().map(r -> r.method() + " " + r.path() + (r.query() == null ? "" : "?" + r.query()) + " " + r.status()).toList());
    assertTrue(all.size() - 1 <= 6, "at most six requests beyond the refresh read: " + all.size());
    assertTrue(w.hasEvent("sales", "ApiVersionPreviewed") && w.hasEvent("sales", "ApiVersionChangeComplete"), w.events.toString());
    assertTrue(Conditions.isTrue(c.getStatus(), Conditions.READY), "Ready once resumed: " + c.getStatus().getConditions());
    System.out.println("phases recorded before each request: " + w.statusWrites);
  }

  @Test
  void aDroppedFieldBlocksNamingTheHerokuMappingAndTheChangeGoesOnOnceTheFieldIsRemoved() {
    w.fake.declareFieldChange("Account", "Name", TARGET, FakeConnectApi.FieldChange.removed());
    atFiftyTwoAskingForSixtyTwo("");
    HerokuConnection c = w.reconcileConnection("sales");
    ApiVersionChangeStatus a = c.getStatus().getApiVersionChange();
    assertEquals(ApiVersionDecisions.BLOCKED, a.getPhase(), a.getMessage());
    assertTrue(Conditions.isTrueWith(c.getStatus(), Conditions.STALLED, Reasons.API_VERSION_CHANGE_BLOCKED));
    String message = Conditions.find(c.getStatus(), Conditions.READY).get().getMessage();
    assertTrue(message.contains("HerokuMapping crm/account: remove Name from spec.fields"), message);
    assertEquals(List.of("GET schema-diff"), writes(), "blocked: nothing but the preview is sent");
    System.out.println("blocked: " + message);
    w.reconcileConnection("sales");
    assertEquals(List.of("GET schema-diff"), writes(), "a blocked change reads no new preview while the fields stay");
    // the person removes the field; the mapping controller edits the remote mapping; the change goes on by itself
    w.apply("account", "Account", "").getSpec().setFields(List.of("Id", "SystemModstamp"));
    w.put(w.mapping("account"));
    w.untilReady("account");
    until(ApiVersionLoopTest::complete);
    assertEquals(TARGET, w.fake.apiVersion(w.connectionId));
    assertEquals(List.of("GET schema-diff", "GET schema-diff", "POST pause", "POST change-sf-api-version", "POST resume"),
        writes().stream().filter(s -> !s.startsWith("POST mappings") && !s.contains("PUT")).toList());
  }

  @Test
  void observeOnlyPreviewsAndSendsNothing() {
    atFiftyTwoAskingForSixtyTwo("");
    HerokuConnection c = w.connection("sales");
    c.getMetadata().setAnnotations(java.util.Map.of("herokuconnect.dev/reconcile-policy", "observe"));
    w.put(c);
    w.reconcileConnection("sales");
    w.clock.advance(Duration.ofSeconds(15));
    c = w.reconcileConnection("sales");
    assertEquals(List.of("GET schema-diff"), writes());
    assertEquals(ApiVersionDecisions.PREVIEWED, c.getStatus().getApiVersionChange().getPhase());
    assertTrue(Conditions.find(c.getStatus(), Conditions.READY).get().getMessage().contains("previewed"), c.getStatus().getConditions().toString());
  }

  @Test
  void aDowngradeIsRefusedWithoutARequest() {
    atFiftyTwoAskingForSixtyTwo("");
    w.applyConnection(Manifests.connection("salesforce: {apiVersion: '50.0'}\n"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertTrue(Conditions.isTrueWith(c.getStatus(), Conditions.STALLED, Reasons.INVALID_SPEC), c.getStatus().getConditions().toString());
    assertEquals(0, w.fake.requests().size(), "refused before any request: " + w.fake.requests());
  }

  /**
   * The process dies between each pair of steps: right after a phase is recorded (before its
   * request), or right after a request took effect (its answer lost). A new process continues: each
   * write is sent once, and the connection ends resumed at the new version.
   */
  @Test
  void theProcessKilledBetweenEachPairOfStepsCompletesTheChangeSendingEachRequestOnce() throws Exception {
    record Kill(String where, int channelWrites, String method, String pathPart) {}
    List<Kill> kills = List.of(
        new Kill("after the preview was read", 0, "GET", "schema-diff"),
        new Kill("after 'Pausing' was recorded", 1, null, null),
        new Kill("after the pause took effect", 0, "POST", "/actions/pause"),
        new Kill("after 'Changing' was recorded", 2, null, null),
        new Kill("after the change took effect", 0, "POST", "change-sf-api-version"),
        new Kill("after 'Resuming' was recorded", 3, null, null),
        new Kill("after the resume took effect", 0, "POST", "/actions/resume"));
    for (Kill kill : kills) {
      try (LoopWorld world = new LoopWorld()) {
        atFiftyTwoAskingForSixtyTwo(world, "");
        if (kill.method() != null) world.fake.loseAnswerOfNext(kill.method(), kill.pathPart());
        int before = world.fake.requests().size();
        world.crashingPass("sales", kill.channelWrites());
        assertTrue(world.fake.requests().size() > before, kill.where() + ": the pass reached the API before it died");
        until(world, ApiVersionLoopTest::complete);
        assertEquals(TARGET, world.fake.apiVersion(world.connectionId), kill.where());
        assertEquals("IDLE", world.fake.connectionState(world.connectionId), kill.where() + ": resumed");
        List<String> sent = writes(world).stream().filter(s -> s.startsWith("POST")).toList();
        assertEquals(List.of("POST pause", "POST change-sf-api-version", "POST resume"), sent, kill.where() + ": each write once");
        System.out.printf("killed %s: %s%n", kill.where(), writes(world));
      }
    }
  }

}
