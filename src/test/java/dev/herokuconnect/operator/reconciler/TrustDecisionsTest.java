package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.crd.ConnectionIdentity;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionSpec;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingSpec;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.crd.LocalObjectRef;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.DeletionFacts;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.DeletionStep;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's decisions as tables, one row per case with its reason (crossplane's table tests):
 * what a deletion does, which identity changes are refused, what observe-only does with a
 * request, and what a mapping says while its connection is in trouble. Pure: no HTTP, no threads.
 */
class TrustDecisionsTest {
  static final Management DELETE = Management.MANAGE;
  static final Management ORPHAN = new Management(false, false, "deletionPolicy: Orphan");
  static final Management OBSERVE = new Management(true, false, "observe-only");

  record DeletionCase(String reason, DeletionFacts facts, DeletionStep want, String eventReason) {}

  static DeletionFacts del(Management m, String mappingId, boolean exists, boolean resolved, boolean gone, String problem,
                           boolean owns, String conflict, String next) {
    return new DeletionFacts("Account", m, mappingId, "sales", exists, resolved, gone, problem, "addon-a",
        problem == null && resolved ? "addon-a" : null, owns, conflict, next);
  }

  @Test
  void deletion() {
    List<DeletionCase> cases = List.of(
        new DeletionCase("Orphan leaves the remote mapping", del(ORPHAN, "m1", true, true, false, null, true, null, null),
            DeletionStep.ORPHAN, "Orphaned"),
        new DeletionCase("observe-only leaves it too", del(OBSERVE, "m1", true, true, false, null, true, null, null),
            DeletionStep.ORPHAN, "Orphaned"),
        new DeletionCase("never reached the API: nothing remote is this object's",
            del(DELETE, null, false, false, false, "HerokuConnection sales does not exist", false, null, null),
            DeletionStep.NOTHING_REMOTE, null),
        new DeletionCase("a 404 add-on: released, and the Event says what may remain",
            del(DELETE, "m1", true, true, true, null, true, null, null), DeletionStep.ADDON_GONE, "NotDeleted"),
        new DeletionCase("its connection cannot be used now: wait, the finalizer stays",
            del(DELETE, "m1", false, false, false, "HerokuConnection sales does not exist", false, null, null),
            DeletionStep.WAIT, "DeleteWaiting"),
        new DeletionCase("its connection never owned the add-on: nothing remote is this object's",
            del(DELETE, "m1", true, true, false, null, false, null, null), DeletionStep.NOTHING_REMOTE, null),
        new DeletionCase("an older claimant owns the remote mapping", del(DELETE, null, true, true, false, null, true, "crm/a", null),
            DeletionStep.RELEASE, "Released"),
        new DeletionCase("another claimant takes it over: no delete and re-create (a full reload)",
            del(DELETE, "m1", true, true, false, null, true, null, "crm/b"), DeletionStep.HAND_OVER, "HandedOver"),
        new DeletionCase("its connection now stands for another add-on: never followed there, released with what may remain",
            new DeletionFacts("Account", DELETE, "m1", "sales", true, true, false, null, "addon-a", "addon-b", true, null, null),
            DeletionStep.ADDON_CHANGED, "NotDeleted"),
        new DeletionCase("the owner, alone: the one remote delete", del(DELETE, "m1", true, true, false, null, true, null, null),
            DeletionStep.DELETE_REMOTE, null));
    for (DeletionCase c : cases) {
      MappingDecisions.Deletion d = MappingDecisions.deletion(c.facts());
      assertEquals(c.want(), d.step(), c.reason());
      assertEquals(c.eventReason(), d.event() == null ? null : d.event().reason(), c.reason());
    }
    String gone = MappingDecisions.deletion(cases.get(3).facts()).event().message();
    assertTrue(gone.contains("not visible to this token") && gone.contains("may remain") && gone.contains("m1")
        && !gone.contains("deleted the"), "never claims that remote mappings were deleted: " + gone);
  }

  static HerokuMapping mappingObject(String connection, String object, String boundConnection, String boundObject) {
    HerokuMapping m = new HerokuMapping();
    m.setMetadata(new ObjectMetaBuilder().withName("account").withNamespace("crm").withUid("u1").build());
    HerokuMappingSpec spec = new HerokuMappingSpec();
    LocalObjectRef ref = new LocalObjectRef();
    ref.setName(connection);
    spec.setConnectionRef(ref);
    spec.setObjectName(object);
    m.setSpec(spec);
    if (boundObject != null) {
      HerokuMappingStatus st = new HerokuMappingStatus();
      st.setObjectName(boundObject);
      st.setConnectionName(boundConnection);
      st.setMappingId("m1");
      m.setStatus(st);
    }
    return m;
  }

  @Test
  void theBindingIsReadFromStatusOnceRecorded() {
    record Case(String reason, HerokuMapping m, String connection, String object) {}
    for (Case c : List.of(
        new Case("not reconciled yet: the spec", mappingObject("sales", "Account", null, null), "sales", "Account"),
        new Case("an edited objectName is not followed", mappingObject("sales", "Contact", "sales", "Account"), "sales", "Account"),
        new Case("an edited connectionRef is not followed", mappingObject("other", "Account", "sales", "Account"), "sales", "Account"))) {
      Binding b = Binding.of(c.m());
      assertEquals(c.connection(), b.connectionName(), c.reason());
      assertEquals(c.object(), b.objectName(), c.reason());
    }
    assertTrue(Binding.of(mappingObject("sales", "Account", null, null)).sameObject("ACCOUNT"), "object names are case-insensitive");
    HerokuMappingStatus st = new HerokuMappingStatus();
    HerokuMapping fresh = mappingObject("sales", "Account", null, null);
    Binding.bind(fresh, st);
    fresh.getSpec().setObjectName("Contact");
    Binding.bind(fresh, st);
    assertEquals("Account", st.getObjectName(), "recorded once");
  }

  static HerokuConnectionSpec spec(String app, String resource, String id) {
    HerokuConnectionSpec s = new HerokuConnectionSpec();
    s.setAppName(app);
    s.setResourceName(resource);
    s.setConnectionId(id);
    return s;
  }

  @Test
  void identityChangesOfAResolvedConnectionAreRefused() {
    record Case(String reason, String boundId, String boundApp, String boundResource, HerokuConnectionSpec spec, String field) {}
    String id = "11111111-1111-4111-8111-111111111111";
    String other = "22222222-2222-4222-8222-222222222222";
    for (Case c : List.of(
        new Case("unresolved: discovery follows the spec", null, null, null, spec("acme-other", "x", other), null),
        new Case("unchanged", id, "acme-crm", "shiny-1", spec("acme-crm", "", ""), null),
        new Case("resourceName set to the one resolved", id, "acme-crm", "shiny-1", spec("acme-crm", "shiny-1", ""), null),
        new Case("connectionId pinned to the one resolved", id, "acme-crm", "shiny-1", spec("acme-crm", "", id), null),
        new Case("another app", id, "acme-crm", "shiny-1", spec("acme-other", "", ""), "spec.appName"),
        new Case("another add-on of the app", id, "acme-crm", "shiny-1", spec("acme-crm", "shiny-2", ""), "spec.resourceName"),
        new Case("another pinned id", id, "acme-crm", "shiny-1", spec("acme-crm", "", other), "spec.connectionId"))) {
      String refusal = ConnectionIdentity.refusal(c.boundId(), c.boundApp(), c.boundResource(), c.spec());
      if (c.field() == null) {
        assertNull(refusal, c.reason());
      } else {
        assertTrue(refusal != null && refusal.startsWith(c.field()) && refusal.contains("Orphan"), c.reason() + ": " + refusal);
      }
    }
  }

  static Mapping remote(String state) {
    return new Mapping("m1", "Account", state, null, null, new MappingConfig(), null, null, null, null);
  }

  static MappingDecisions.Facts facts(Management m, String connectionState, List<Request> requested) {
    return new MappingDecisions.Facts("Account", "Account", "sales", "sales", 1, 1L, false, null, m, null, null, "m1",
        remote("DATA_SYNCED"), null, List.of(), connectionState, requested);
  }

  @Test
  void requestsAndTheConnectionsState() {
    record Case(String reason, MappingDecisions.Facts f, List<MappingDecisions.Step> steps, Outcome.Kind kind, String outcomeReason) {}
    List<Request> reload = List.of(new Request(RequestedAction.RELOAD, "r1"));
    for (Case c : List.of(
        new Case("managed: the request is sent", facts(DELETE, "IDLE", reload), List.of(MappingDecisions.Step.SEND_REQUESTED),
            Outcome.Kind.PROGRESSING, Reasons.PROGRESSING),
        new Case("observe-only: nothing is sent (the loop has skipped the request)", facts(OBSERVE, "IDLE", reload),
            List.of(), Outcome.Kind.READY, Reasons.SYNCED),
        new Case("healthy connection: Ready", facts(DELETE, "IDLE", List.of()), List.of(), Outcome.Kind.READY, Reasons.SYNCED),
        new Case("connection in DB_UNAVAILABLE: not Ready, names the state", facts(DELETE, "DB_UNAVAILABLE", List.of()), List.of(),
            Outcome.Kind.STALLED, Reasons.CONNECTION_NOT_READY),
        new Case("connection in SYSTEM_ERROR", facts(DELETE, "SYSTEM_ERROR", List.of()), List.of(), Outcome.Kind.STALLED,
            Reasons.CONNECTION_NOT_READY),
        new Case("connection in TOO_MANY_ROWS", facts(DELETE, "TOO_MANY_ROWS", List.of()), List.of(), Outcome.Kind.STALLED,
            Reasons.CONNECTION_NOT_READY),
        new Case("connection in INACTIVE_ORG", facts(DELETE, "INACTIVE_ORG", List.of()), List.of(), Outcome.Kind.STALLED,
            Reasons.CONNECTION_NOT_READY))) {
      MappingDecisions.Plan plan = MappingDecisions.plan(c.f());
      assertEquals(c.steps(), plan.steps(), c.reason());
      Outcome o = MappingDecisions.outcome(c.f(), c.f().byId(), plan.steps(), List.of());
      assertEquals(c.kind(), o.kind(), c.reason());
      assertEquals(c.outcomeReason(), o.reason(), c.reason());
      if (o.reason().equals(Reasons.CONNECTION_NOT_READY)) assertTrue(o.message().contains(c.f().connectionState()), o.message());
    }
  }

  @Test
  void connectionDeletion() {
    record Case(String reason, List<String> users, ConnectionDecisions.DeletionStep want, String event) {}
    for (Case c : List.of(
        new Case("mappings still bound to it: their cleanup needs it", List.of("account", "contact"),
            ConnectionDecisions.DeletionStep.WAIT_FOR_MAPPINGS, Reasons.DELETING),
        new Case("none left: release the Secret; the add-on is never deleted", List.of(),
            ConnectionDecisions.DeletionStep.RELEASE_CREDENTIALS, null))) {
      ConnectionDecisions.Deletion d = ConnectionDecisions.deletion(c.users());
      assertEquals(c.want(), d.step(), c.reason());
      assertEquals(c.event(), d.event() == null ? null : d.event().reason(), c.reason());
    }
  }

  @Test
  void requestsMadeWhileObservingAreSkipped() {
    record Case(String reason, Management m, java.util.Map<String, String> annotations, List<RequestedAction> skipped) {}
    for (Case c : List.of(
        new Case("managed: nothing skipped", DELETE, java.util.Map.of(dev.herokuconnect.operator.crd.Crds.RELOAD_REQUESTED_AT, "r1"),
            List.of()),
        new Case("observe-only: a reload and an abort are skipped", OBSERVE, java.util.Map.of(
            dev.herokuconnect.operator.crd.Crds.RELOAD_REQUESTED_AT, "r1", dev.herokuconnect.operator.crd.Crds.ABORT_REQUESTED_AT, "a1"),
            List.of(RequestedAction.RELOAD, RequestedAction.ABORT)),
        new Case("observe-only: a refresh is a read, honoured", OBSERVE,
            java.util.Map.of(dev.herokuconnect.operator.crd.Crds.RECONCILE_REQUESTED_AT, "t1"), List.of()),
        new Case("observe-only: a mapping's validation is skipped like the connection's (one meaning for the annotation)", OBSERVE,
            java.util.Map.of(dev.herokuconnect.operator.crd.Crds.VALIDATE_REQUESTED_AT, "v1"), List.of(RequestedAction.VALIDATE)),
        new Case("managed: a mapping's validation is not skipped", DELETE,
            java.util.Map.of(dev.herokuconnect.operator.crd.Crds.VALIDATE_REQUESTED_AT, "v1"), List.of()),
        new Case("an acknowledge is a connection's action: nothing on a mapping", OBSERVE,
            java.util.Map.of(dev.herokuconnect.operator.crd.Crds.ACKNOWLEDGE_REQUESTED_AT, "a1"), List.of()))) {
      HerokuMapping m = mappingObject("sales", "Account", null, null);
      m.getMetadata().setAnnotations(c.annotations());
      assertEquals(c.skipped(), RequestedAction.skippedWhileObserving(c.m(), m, new HerokuMappingStatus()).stream()
          .map(Request::action).toList(), c.reason());
    }
    // the same rule on a connection: its writes, the acknowledge and the validation are skipped; a refresh is honoured
    HerokuConnection conn = new HerokuConnection();
    conn.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("sales").withAnnotations(java.util.Map.of(
        dev.herokuconnect.operator.crd.Crds.RESTART_REQUESTED_AT, "r1", dev.herokuconnect.operator.crd.Crds.ACKNOWLEDGE_REQUESTED_AT, "a1",
        dev.herokuconnect.operator.crd.Crds.VALIDATE_REQUESTED_AT, "v1", dev.herokuconnect.operator.crd.Crds.RECONCILE_REQUESTED_AT, "t1",
        dev.herokuconnect.operator.crd.Crds.RELOAD_REQUESTED_AT, "not a connection's")).build());
    HerokuConnectionStatus status = new HerokuConnectionStatus();
    assertEquals(List.of(RequestedAction.RESTART, RequestedAction.VALIDATE, RequestedAction.ACKNOWLEDGE),
        RequestedAction.skippedWhileObserving(OBSERVE, conn, status).stream().map(Request::action).toList());
    RequestedAction.VALIDATE.markSkipped(status, "v1", "observe-only");
    assertEquals("v1", status.getLastHandledValidateAt());
    assertEquals(dev.herokuconnect.operator.crd.ValidationStatus.SKIPPED, status.getValidation().getState(),
        "a skipped validation says so where its result would be");
    assertEquals(List.of(RequestedAction.RELOAD, RequestedAction.ABORT, RequestedAction.VALIDATE), RequestedAction.MAPPING_ACTIONS);
  }
}
