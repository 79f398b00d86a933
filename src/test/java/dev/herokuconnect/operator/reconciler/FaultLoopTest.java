package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.fake.FakeConnectApi.MappingView;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator under attack, a layer down ({@link LoopWorld}): conflicting edits, a revoked token,
 * a 429 on one of two connections. Each asserts on the fake API's request log and final state.
 * Moved from the sandbox's FaultSuiteTest; what needs restarts, namespace deletion through
 * finalizers or concurrent edits of the objects stays there.
 */
class FaultLoopTest extends LoopWorldCase {
  static final List<String> OBJECTS = List.of("Account", "Contact", "Lead");

  static String name(String object) {
    return object.toLowerCase().replace("__c", "-c"); // as the sandbox's FaultSuiteTest names them
  }

  @Test
  void everyFirstPutConflictsAndTheEditStillLandsWithoutOverwritingTheOtherParty() {
    for (String o : OBJECTS) w.apply(name(o), o, "sfPollingSeconds: 600");
    for (String o : OBJECTS) w.untilReady(name(o));
    w.fake.setConflictOnFirstPut(true);
    for (String o : OBJECTS) w.apply(name(o), o, "sfPollingSeconds: 1200");
    for (String o : OBJECTS) w.untilReady(name(o));
    assertTrue(w.fake.mappings(w.connectionId).stream().allMatch(m -> m.config().path("sf_polling_seconds").asInt() == 1200));
    for (MappingView m : w.fake.mappings(w.connectionId)) {
      assertEquals("edited by a person at the same time", m.config().path("dashboard_note").asText(), "the other party's key survives");
    }
    List<Integer> puts = w.fake.requests().stream().filter(r -> r.method().equals("PUT")).map(RecordedRequest::status).toList();
    assertEquals(3, puts.stream().filter(st -> st == 409).count());
    assertEquals(3, puts.stream().filter(st -> st == 200).count());
  }

  /** On the sandbox's intervals (settling 0.5 s, backoff cap 5 s): 10 s of the SDK's requeues. */
  @Test
  void aRevokedTokenStallsEverythingWithoutARetryStormAndRecovers() throws Exception {
    try (LoopWorld quick = new LoopWorld(LoopWorld.SANDBOX_INTERVALS)) {
      quick.reconcileConnection("sales");
      for (String o : OBJECTS) quick.apply(name(o), o, "");
      for (String o : OBJECTS) quick.untilReady(name(o));
      quick.fake.revokeToken(LoopWorld.TOKEN);
      LoopWorld.annotate(quick.connection("sales"), Crds.RECONCILE_REQUESTED_AT, "revoked");
      LoopWorld.Requeues timers = quick.requeues().connection("sales");
      HerokuConnection c = quick.connection("sales");
      assertTrue(Conditions.isTrueWith(c.getStatus(), Conditions.STALLED, Reasons.UNAUTHORIZED), c.getStatus().getConditions().toString());
      for (String o : OBJECTS) {
        LoopWorld.annotate(quick.mapping(name(o)), Crds.RECONCILE_REQUESTED_AT, "revoked");
        timers.mapping(name(o));
      }
      int before = quick.fake.requests().size();
      Duration window = Duration.ofSeconds(10);
      timers.runFor(window);
      double minutes = window.toMillis() / 60_000.0;
      int during = quick.fake.requests().size() - before;
      double perMinute = during / minutes;
      System.out.printf("revoked token: %d requests in %d s (%.0f per minute; %d passes)%n", during, window.toSeconds(), perMinute,
          timers.passes);
      assertTrue(perMinute <= 60, "bounded: " + perMinute + " requests per minute for 1 connection and 3 mappings");
      assertTrue(during >= 1, "it keeps trying (with backoff), so a fixed token is noticed: " + during);
      assertEquals(during, quick.fake.requests().subList(before, quick.fake.requests().size()).stream().filter(r -> r.status() == 401).count(),
          "every one of them was the refused token, nothing else");
      quick.fake.addToken("fixed-token-9", "ops@example.com");
      quick.putSecret(LoopWorld.NS, "heroku-api", "fixed-token-9"); // kubectl apply of the fixed Secret
      quick.untilConnection(LoopWorld.NS, "sales", x -> Conditions.isTrue(x.getStatus(), Conditions.READY)); // the Secret's watch wakes it
      for (String o : OBJECTS) quick.refreshMapping(name(o));
      for (String o : OBJECTS) quick.untilReady(name(o));
    }
  }

  @Test
  void a429WithALongWaitStopsThatConnectionOnly() {
    w.reconcileConnection("sales");
    String beta = w.fake.addReadyConnection("beta-crm", "herokuconnect-beta", "ops@example.com", "DATABASE_URL", "salesforce");
    w.applyConnection(LoopWorld.connectionNamed("beta", "beta-crm"));
    w.untilConnection(LoopWorld.NS, "beta", c -> Conditions.isTrue(c.getStatus(), Conditions.READY));
    w.fake.setDailyLimit(w.connectionId, w.fake.requestsInWindow(w.connectionId)); // the day's requests of sales are gone
    HerokuConnection sales = w.refreshConnection("sales");
    assertTrue(Conditions.isTrueWith(sales.getStatus(), Conditions.RECONCILING, Reasons.THROTTLED), sales.getStatus().getConditions().toString());
    int afterThrottle = w.fake.requests().size();
    w.apply("account", "Account", "");
    w.applyOn("lead", "beta", "Lead", "");
    w.untilReady("lead");
    assertTrue(Conditions.isTrueWith(w.reconcile("account").getStatus(), Conditions.RECONCILING, Reasons.THROTTLED),
        "waits for the 429 to pass: " + w.mapping("account").getStatus().getConditions());
    w.refreshMapping("account");
    List<RecordedRequest> later = w.fake.requests().subList(afterThrottle, w.fake.requests().size());
    assertTrue(later.stream().noneMatch(r -> w.connectionId.equals(r.connectionId())), "nothing to the throttled connection");
    assertTrue(later.stream().anyMatch(r -> beta.equals(r.connectionId()) && r.status() == 201), "the other one works");
  }
}
