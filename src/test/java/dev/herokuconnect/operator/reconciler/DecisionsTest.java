package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.connect.RequestGate;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.cluster.Ownership.Claimant;
import dev.herokuconnect.operator.reconciler.cluster.Ownership;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Freshness;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Facts;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions;
import dev.herokuconnect.operator.util.MutableClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decisions, the state tables, ownership and the small mechanisms, without HTTP, Kubernetes or threads. */
class DecisionsTest {
  static final Management MANAGE = Management.MANAGE;
  static final Management OBSERVE = new Management(true, false, "observe-only");
  /** No Salesforce API version asked for: the version change decides nothing. */
  static final dev.herokuconnect.operator.reconciler.connection.ApiVersionDecisions.Facts NO_VERSION =
      new dev.herokuconnect.operator.reconciler.connection.ApiVersionDecisions.Facts(null, "62.0", "IDLE", null, "", false, MANAGE);

  static ConnectionDecisions.Facts connection(String state, boolean wantPaused, Request restart, Management m) {
    return new ConnectionDecisions.Facts("sales", m, null, state, "OK", "DATABASE_URL", "salesforce", "DATABASE_URL", "salesforce",
        wantPaused, restart, false, "production", NO_VERSION);
  }

  @Test
  void pauseRequestedWhileBusyWaitsAndSendsNothing() {
    var f = connection("BUSY", true, null, MANAGE);
    assertEquals(List.of(), ConnectionDecisions.plan(f).steps());
    Outcome o = ConnectionDecisions.outcome(f);
    assertEquals(Reasons.PAUSING, o.reason());
    assertEquals(StateTable.Requeue.SETTLING, o.requeue(), "backs off while it waits");
    assertEquals(List.of(Step.PAUSE), ConnectionDecisions.plan(connection("IDLE", true, null, MANAGE)).steps());
    assertEquals(List.of(Step.RESUME), ConnectionDecisions.plan(connection("PAUSED", false, null, MANAGE)).steps());
  }

  @Test
  void observeOnlyPlansNoWrite() {
    var f = new ConnectionDecisions.Facts("sales", OBSERVE, null, "IDLE", "OK", "OTHER", "x", "DATABASE_URL", "salesforce",
        true, new Request(RequestedAction.RESTART, "r1"), false, "production", NO_VERSION);
    assertEquals(List.of(), ConnectionDecisions.plan(f).steps(), "nothing planned: the loop skips the restart asked for");
    assertEquals(Reasons.OBSERVING, ConnectionDecisions.outcome(f).reason());
    var needsAuth = connection("NEED_AUTHENTICATION", false, null, OBSERVE);
    assertEquals(List.of(), ConnectionDecisions.plan(needsAuth).steps(), "observe-only does not POST for an authorization URL");
    assertTrue(ConnectionDecisions.outcome(needsAuth).message().contains("observe-only"));
  }

  @Test
  void setupAndRestartComeBeforePauseAndTheUrlIsAskedOncePerEntry() {
    var f = new ConnectionDecisions.Facts("sales", MANAGE, null, "NEW", null, null, null, "DATABASE_URL", "salesforce",
        true, new Request(RequestedAction.RESTART, "r1"), false, "production", NO_VERSION);
    assertEquals(List.of(Step.CONFIGURE_DATABASE, Step.RESTART), ConnectionDecisions.plan(f).steps());
    assertEquals(List.of(Step.ASK_AUTHORIZATION_URL), ConnectionDecisions.plan(connection("NEED_AUTHENTICATION", false, null, MANAGE)).steps());
    var asked = new ConnectionDecisions.Facts("sales", MANAGE, null, "NEED_AUTHENTICATION", "OK", "DATABASE_URL", "salesforce",
        "DATABASE_URL", "salesforce", false, null, true, "production", NO_VERSION);
    assertEquals(List.of(), ConnectionDecisions.plan(asked).steps());
    Outcome o = ConnectionDecisions.outcome(asked);
    assertEquals(Reasons.NEEDS_SALESFORCE_AUTHORIZATION, o.reason());
    assertTrue(o.message().contains("kubectl get hconn sales"), o.message());
  }

  @Test
  void aNonOwnerConnectionIsStalledAndPlansNothing() {
    var f = new ConnectionDecisions.Facts("sales", MANAGE, "crm/sales", "IDLE", "OK", "A", "B", "DATABASE_URL", "salesforce",
        true, null, false, "production", NO_VERSION);
    var plan = ConnectionDecisions.plan(f);
    assertEquals(List.of(), plan.steps());
    assertEquals(Reasons.CONFLICT, plan.stop().reason());
    assertTrue(plan.stop().message().contains("crm/sales"));
  }

  static Mapping remote(String id, String object, String state) {
    return new Mapping(id, object, state, null, null, new MappingConfig(), null, null, null, null);
  }

  static Facts mapping(Management m, Mapping byId, Mapping byObject, List<String> drift, String connState, List<Request> req) {
    return new Facts("Account", "Account", "sales", "sales", 1, 1L, false, null, m, null, null,
        byId == null ? null : byId.id(), byId, byObject, drift, connState, req);
  }

  @Test
  void mappingPlans() {
    assertEquals(List.of(MappingDecisions.Step.CREATE),
        MappingDecisions.plan(mapping(MANAGE, null, null, List.of(), "IDLE", List.of())).steps());
    assertEquals(List.of(MappingDecisions.Step.ADOPT),
        MappingDecisions.plan(mapping(MANAGE, null, remote("m1", "account", "DATA_SYNCED"), List.of(), "IDLE", List.of())).steps());
    assertEquals(List.of(MappingDecisions.Step.UPDATE, MappingDecisions.Step.SEND_REQUESTED),
        MappingDecisions.plan(mapping(MANAGE, remote("m1", "Account", "DATA_SYNCED"), null, List.of("sf_polling_seconds: remote 120, spec 600"),
            "IDLE", List.of(new Request(RequestedAction.RELOAD, "r1")))).steps());
    assertEquals(List.of(MappingDecisions.Step.VALIDATE),
        MappingDecisions.plan(mapping(MANAGE, remote("m1", "Account", "DATA_SYNCED"), null, List.of(), "IDLE",
            List.of(new Request(RequestedAction.VALIDATE, "v1")))).steps(), "a validation is its own step, a read");
    assertEquals(List.of(MappingDecisions.Step.SEND_REQUESTED, MappingDecisions.Step.VALIDATE),
        MappingDecisions.plan(mapping(MANAGE, remote("m1", "Account", "DATA_SYNCED"), null, List.of(), "IDLE",
            List.of(new Request(RequestedAction.RELOAD, "r1"), new Request(RequestedAction.VALIDATE, "v1")))).steps(),
        "a reload and a validation: the reload is sent, the validation read after it");
    assertEquals(List.of(MappingDecisions.Step.CREATE),
        MappingDecisions.plan(mapping(MANAGE, null, null, List.of(), "IDLE", List.of(new Request(RequestedAction.VALIDATE, "v1")))).steps(),
        "no remote mapping yet: created first, validated once it exists (the next round decides again)");
    assertEquals(false, MappingDecisions.Step.VALIDATE.writes());
    var observe = MappingDecisions.plan(mapping(OBSERVE, null, null, List.of(), "IDLE", List.of()));
    assertEquals(Reasons.OBSERVING, observe.stop().reason());
    assertEquals(List.of(), MappingDecisions.plan(mapping(OBSERVE, remote("m1", "Account",
        "DATA_SYNCED"), null, List.of("x"), "IDLE", List.of(new Request(RequestedAction.ABORT, "a1")))).steps(),
        "observe-only: no edit, no action (the loop has marked the request handled as skipped)");
  }

  @Test
  void aConnectionThatCannotTakeMappingsIsNotTheSpecsFault() {
    var plan = MappingDecisions.plan(mapping(MANAGE, null, null, List.of(), "NEED_AUTHENTICATION", List.of()));
    assertEquals(Reasons.CONNECTION_NOT_READY, plan.stop().reason());
    assertEquals(Outcome.Kind.PROGRESSING, plan.stop().kind());
  }

  @Test
  void aRefusedSpecIsTriedAgainOnlyWhenTheSpecOrTheConnectionStateChanges() {
    Facts refused = new Facts("Ghost", "Ghost", "sales", "sales", 1, 1L, true, "IDLE", MANAGE, null, null, null, null, null,
        List.of(), "IDLE", List.of());
    assertEquals(Reasons.INVALID_SPEC, MappingDecisions.plan(refused).stop().reason());
    Facts sameKind = new Facts("Ghost", "Ghost", "sales", "sales", 1, 1L, true, "POLLING_DB_CHANGES", MANAGE, null, null, null, null,
        null, List.of(), "IDLE", List.of());
    assertEquals(Reasons.INVALID_SPEC, MappingDecisions.plan(sameKind).stop().reason(), "IDLE and POLLING_DB_CHANGES: both healthy");
    Facts stateChanged = new Facts("Ghost", "Ghost", "sales", "sales", 1, 1L, true, "BUSY", MANAGE, null, null, null, null,
        null, List.of(), "IDLE", List.of());
    assertEquals(List.of(MappingDecisions.Step.CREATE), MappingDecisions.plan(stateChanged).steps());
    Facts refusedEdit = new Facts("Ghost", "Ghost", "sales", "sales", 1, 1L, true, "IDLE", MANAGE, null, null, "m1",
        remote("m1", "Ghost", "DATA_SYNCED"), null, List.of("sf_polling_seconds: remote 120, spec 600"), "IDLE", List.of());
    assertEquals(Reasons.INVALID_SPEC, MappingDecisions.plan(refusedEdit).stop().reason(), "a refused PUT is not sent again");
    Facts newGeneration = new Facts("Ghost", "Ghost", "sales", "sales", 2, 1L, true, "IDLE", MANAGE, null, null, null, null, null,
        List.of(), "IDLE", List.of());
    assertEquals(List.of(MappingDecisions.Step.CREATE), MappingDecisions.plan(newGeneration).steps());
  }

  @Test
  void immutableFieldsAndConflictsStopBeforeAnything() {
    Facts moved = new Facts("Contact", "Account", "sales", "sales", 2, 1L, false, null, MANAGE, null, null, "m1",
        remote("m1", "Account", "DATA_SYNCED"), null, List.of(), "IDLE", List.of());
    var plan = MappingDecisions.plan(moved);
    assertEquals(List.of(), plan.steps());
    assertTrue(plan.stop().message().contains("'Account'") && plan.stop().message().contains("'Contact'"), plan.stop().message());
    Facts caseOnly = new Facts("ACCOUNT", "Account", "sales", "sales", 2, 1L, false, null, MANAGE, null, null, "m1",
        remote("m1", "Account", "DATA_SYNCED"), null, List.of(), "IDLE", List.of());
    assertNull(MappingDecisions.plan(caseOnly).stop(), "object names compare case-insensitively");
    Facts conflict = new Facts("Account", null, "sales", null, 1, null, false, null, MANAGE, "crm/account", null, null, null, null,
        List.of(), "IDLE", List.of());
    assertEquals(Reasons.CONFLICT, MappingDecisions.plan(conflict).stop().reason());
  }

  @Test
  void stateTablesClassifyKnownAndUnknownStates() {
    assertEquals(StateTable.Kind.HEALTHY, StateTable.CONNECTION.kind("IDLE"));
    assertEquals(StateTable.Kind.SETTLING, StateTable.CONNECTION.kind("SOMETHING_NEW"));
    assertEquals(StateTable.Requeue.SETTLING, StateTable.CONNECTION.of("BUSY").requeue());
    assertTrue(StateTable.CONNECTION.of("DB_UNAVAILABLE").advice().contains("restart-requested-at"));
    assertEquals(StateTable.Kind.ERROR, StateTable.MAPPING.kind("BAD_CONFIG"));
    assertEquals(StateTable.Requeue.REFRESH, StateTable.MAPPING.of("DATA_SYNCED").requeue());
    assertEquals(StateTable.Requeue.ACTIVE, StateTable.MAPPING.of("RELOAD_TABLE").requeue());
    assertEquals(false, StateTable.acceptsMappings("NEW"));
    assertEquals(true, StateTable.acceptsMappings("BUSY"));
    Outcome o = MappingDecisions.outcome(mapping(MANAGE, remote("m1", "Account", "WEIRD"), null, List.of(), "IDLE", List.of()),
        remote("m1", "Account", "WEIRD"), List.of(), List.of());
    assertEquals(Outcome.Kind.PROGRESSING, o.kind());
  }

  @Test
  void theOldestClaimantOwnsThenTheName() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Claimant a = new Claimant("crm", "b", "1", t);
    Claimant b = new Claimant("crm", "a", "2", t);
    Claimant c = new Claimant("other", "z", "3", t.minusSeconds(1));
    assertEquals("other/z", Ownership.owner(List.of(a, b, c)).get().ref());
    assertEquals("crm/a", Ownership.owner(List.of(a, b)).get().ref());
    assertEquals("crm/a", Ownership.conflictFor(a, List.of(a, b)).get().ref());
    assertTrue(Ownership.conflictFor(b, List.of(a, b)).isEmpty());
  }

  @Test
  void anActionIsRecordedBeforeItIsSentAndTakenBackWhenItNeverLeft() {
    List<String> log = new ArrayList<>();
    ActionLedger ledger = new ActionLedger((o, fields) -> {
      var status = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      fields.accept(status);
      status.fields().forEachRemaining(f -> log.add("status " + f.getKey() + "=" + f.getValue().asText()));
    });
    HerokuMapping m = new HerokuMapping();
    HerokuMappingStatus st = new HerokuMappingStatus();
    m.setStatus(st);
    Reconcile<HerokuMapping, HerokuMappingStatus> pass = new Reconcile<>(m, new ManagedLoop.Pass(MANAGE, false, false, true, Instant.now()));
    ledger.send(pass, new Request(RequestedAction.RELOAD, "r1"), () -> log.add("send"), "Reloaded", "reload");
    pass.notes().forEach(n -> log.add("event " + n.reason()));
    assertEquals(List.of("status lastHandledReloadAt=r1", "send", "event Reloaded"), log);
    log.clear();
    assertThrows(ConnectApiException.RateLimited.class, () -> ledger.send(pass, new Request(RequestedAction.RELOAD, "r2"), () -> {
      throw new ConnectApiException.RateLimited("POST", "no budget", Instant.now());
    }, "Reloaded", "reload"));
    assertEquals(List.of("status lastHandledReloadAt=r2", "status lastHandledReloadAt=r1"), log);
    assertEquals("r1", st.getLastHandledReloadAt(), "not sent: asked again later");
  }

  /** Counts deep GETs; answers with a connection in a fixed state. */
  static class CountingApi implements ConnectionApi {
    int gets;
    String state = "BUSY";
    public ConnectionApi withPriority(RequestGate.Priority p) { return this; }
    public String root() { return "http://127.0.0.1/api/v3"; }
    public Connection getConnection(String id, boolean deep) {
      gets++;
      return new Connection(id, null, null, null, null, null, null, null, null, state, "OK", null, null, List.of());
    }
    public Connection configureDatabase(String id, String k, String s) { throw new UnsupportedOperationException(); }
    public String authorizeUrl(String id, Model.AuthorizeRequest r) { throw new UnsupportedOperationException(); }
    public void pause(String id) {}
    public void resume(String id) {}
    public void restart(String id) {}
    public Mapping createMapping(String c, String o, MappingConfig cfg) { throw new UnsupportedOperationException(); }
    public Mapping getMapping(String id) { throw new UnsupportedOperationException(); }
    public Mapping editMapping(String id, String o, MappingConfig cfg) { throw new UnsupportedOperationException(); }
    public void deleteMapping(String id) {}
    public void reloadMapping(String id) {}
    public void abortMapping(String id) {}
    public List<Model.SyncError> mappingErrors(String id) { return List.of(); }
    public List<Model.SyncError> recentMappingErrors(String id) { return List.of(); }
    public Model.ValidationRun startValidation(String id) { throw new UnsupportedOperationException(); }
    public Model.ValidationRun validationResult(String url) { throw new UnsupportedOperationException(); }
  }

  @Test
  void backgroundReadsOfASettlingConnectionBackOffHoweverManyAsk() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    SnapshotCache cache = new SnapshotCache(clock, Duration.ofSeconds(10), Duration.ofMinutes(5));
    CountingApi api = new CountingApi();
    Freshness everyTenSeconds = Freshness.within(Duration.ofSeconds(10), Priority.BACKGROUND);
    for (int s = 0; s < 3600; s++) { // ten objects ask every second for an hour
      for (int i = 0; i < 10; i++) cache.get("c1", api, everyTenSeconds);
      clock.advance(Duration.ofSeconds(1));
    }
    System.out.printf("BUSY connection, 10 objects asking every second: %d deep GETs in an hour%n", api.gets);
    assertTrue(api.gets >= 10 && api.gets <= 20, "10 s, 20 s, 40 s ... then every 5 min: " + api.gets);
    api.state = "IDLE";
    cache.get("c1", api, Freshness.now(Priority.USER));
    int afterHealthy = api.gets;
    clock.advance(Duration.ofSeconds(11));
    cache.get("c1", api, everyTenSeconds);
    assertEquals(afterHealthy + 1, api.gets, "healthy again: the plain interval applies");
  }

  @Test
  void aFailedReadIsNeverServedFromTheCache() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    SnapshotCache cache = new SnapshotCache(clock, Duration.ofSeconds(10), Duration.ofMinutes(5));
    CountingApi api = new CountingApi();
    api.state = "IDLE";
    cache.get("c1", api, Freshness.now(Priority.USER));
    ConnectionApi failing = new CountingApi() {
      @Override
      public Connection getConnection(String id, boolean deep) {
        throw new ConnectApiException.NotFound("GET", "gone");
      }
    };
    clock.advance(Duration.ofSeconds(1));
    assertThrows(ConnectApiException.NotFound.class, () -> cache.get("c1", failing, Freshness.now(Priority.USER)));
    assertTrue(cache.peek("c1").isEmpty(), "the old snapshot is forgotten");
    assertThrows(ConnectApiException.NotFound.class,
        () -> cache.get("c1", failing, Freshness.within(Duration.ofHours(1), Priority.BACKGROUND)), "fetched again, not served");
  }
}
