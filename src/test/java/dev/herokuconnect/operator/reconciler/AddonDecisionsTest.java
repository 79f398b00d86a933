package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.AddonSpec;
import dev.herokuconnect.operator.crd.AddonSpec.DeletionPolicy;
import dev.herokuconnect.operator.crd.AddonStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.platform.Addon;
import dev.herokuconnect.operator.platform.AddonState;
import dev.herokuconnect.operator.platform.PlatformApiException;
import dev.herokuconnect.operator.platform.PlatformThrottled;
import dev.herokuconnect.operator.reconciler.connection.AddonDecisions;
import dev.herokuconnect.operator.reconciler.connection.AddonDecisions.Fate;
import dev.herokuconnect.operator.reconciler.connection.AddonDecisions.Found;
import dev.herokuconnect.operator.reconciler.connection.AddonNames;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.DeletionStep;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Plan;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.Manifests;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.addon's decisions (AddonDecisions), pure: each case with the reason it exists. */
class AddonDecisionsTest {
  static final Management MANAGE = Management.MANAGE;
  static final Management OBSERVE = new Management(true, false, "observe-only");
  static final String ID = "11111111-1111-4111-8111-111111111111";

  static Addon addon(AddonState state, String plan) {
    return new Addon(ID, "hc-crm-sales-1a2b3c4d", state, plan, "herokuconnect", "acme-new");
  }

  /** Facts of an add-on this object created (status.addon.createdByThis). */
  static AddonDecisions.Facts facts(Addon a, Found how, List<String> candidates, String recordedId, Management m) {
    return facts(a, how, candidates, recordedId, m, true);
  }

  static AddonDecisions.Facts facts(Addon a, Found how, List<String> candidates, String recordedId, Management m, boolean created) {
    return new AddonDecisions.Facts("acme-new", "herokuconnect:demo", "hc-crm-sales-1a2b3c4d", m, a, how, candidates, recordedId, created);
  }

  @Test
  void whatTheAddonNeedsBeforeTheConnection() {
    record Case(String reason, AddonDecisions.Facts facts, List<Step> steps, String stopReason, List<Step> withheld) {}
    for (Case c : List.of(
        new Case("no add-on on the app: create it", facts(null, Found.NONE, List.of(), null, MANAGE),
            List.of(Step.CREATE_ADDON), null, List.of()),
        new Case("no add-on, observe-only: says what it would create, sends nothing", facts(null, Found.NONE, List.of(), null, OBSERVE),
            List.of(), Reasons.OBSERVING, List.of(Step.CREATE_ADDON)),
        new Case("several Connect add-ons and no resourceName: only a person can say which, nothing is created",
            facts(null, Found.NONE, List.of("a (1)", "b (2)"), null, MANAGE), List.of(), Reasons.CONNECTION_AMBIGUOUS, List.of()),
        new Case("the recorded add-on is gone: never silently replaced by a new one",
            facts(null, Found.NONE, List.of(), ID, MANAGE), List.of(), Reasons.CONNECTION_NOT_FOUND, List.of()),
        new Case("provisioning: wait (Reconciling, backoff), send nothing", facts(addon(AddonState.PROVISIONING, "herokuconnect:demo"),
            Found.CREATED, List.of(), null, MANAGE), List.of(), Reasons.PROVISIONING_ADDON, List.of()),
        new Case("being destroyed outside: stalled", facts(addon(AddonState.DEPROVISIONING, "herokuconnect:demo"),
            Found.RECORDED, List.of(), ID, MANAGE), List.of(), Reasons.CONNECTION_NOT_FOUND, List.of()),
        new Case("provisioned, created a moment ago: the next pass connects to it",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:demo"), Found.CREATED, List.of(), null, MANAGE),
            List.of(), Reasons.PROVISIONING_ADDON, List.of()))) {
      Plan p = AddonDecisions.beforeConnecting(c.facts());
      assertEquals(c.steps(), p.steps(), c.reason());
      assertEquals(c.stopReason(), p.stop() == null ? null : p.stop().reason(), c.reason());
      assertEquals(c.withheld(), p.withheld(), c.reason());
    }
  }

  @Test
  void aPlanChangeGoesFirstAndAlone() {
    Plan connection = new Plan(List.of(Step.CONFIGURE_DATABASE), null, List.of(Step.PAUSE), List.of());
    record Case(String reason, AddonDecisions.Facts facts, Plan connection, List<Step> steps, List<Step> then, List<Step> withheld,
                boolean stopped) {}
    for (Case c : List.of(
        new Case("the plan as the spec wants: the connection's plan as it is",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:demo"), Found.RECORDED, List.of(), ID, MANAGE), connection,
            List.of(Step.CONFIGURE_DATABASE), List.of(Step.PAUSE), List.of(), false),
        new Case("another plan: changed first, alone in its round; the connection's steps decided again after it",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:enterprise"), Found.RECORDED, List.of(), ID, MANAGE), connection,
            List.of(Step.CHANGE_ADDON_PLAN), List.of(Step.CONFIGURE_DATABASE, Step.PAUSE), List.of(), false),
        new Case("another plan, observe-only: withheld, the connection goes on",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:enterprise"), Found.RECORDED, List.of(), ID, OBSERVE),
            new Plan(List.of(), null, List.of(), List.of(Step.CONFIGURE_DATABASE)), List.of(), List.of(),
            List.of(Step.CHANGE_ADDON_PLAN, Step.CONFIGURE_DATABASE), false),
        new Case("another plan on an add-on found, not created here (e.g. enterprise, spec says demo): never changed, "
            + "the connection goes on", facts(addon(AddonState.PROVISIONED, "herokuconnect:enterprise"), Found.RECORDED, List.of(),
            ID, MANAGE, false), connection, List.of(Step.CONFIGURE_DATABASE), List.of(Step.PAUSE), List.of(), false),
        new Case("another plan on an add-on found by listing the app: never changed",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:enterprise"), Found.LISTED, List.of(), null, MANAGE, false), connection,
            List.of(Step.CONFIGURE_DATABASE), List.of(Step.PAUSE), List.of(), false),
        new Case("another plan on a found add-on, observe-only: nothing withheld, manage would not change it either",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:enterprise"), Found.RECORDED, List.of(), ID, OBSERVE, false),
            new Plan(List.of(), null, List.of(), List.of()), List.of(), List.of(), List.of(), false),
        new Case("another object owns the add-on (conflict): nothing is sent, the plan change included",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:enterprise"), Found.RECORDED, List.of(), ID, MANAGE),
            ConnectionDecisions.stopped(ConnectionDecisions.conflict("crm/older")), List.of(), List.of(), List.of(), true))) {
      Plan p = AddonDecisions.then(AddonDecisions.plan(c.facts()), c.connection());
      assertEquals(c.steps(), p.steps(), c.reason());
      assertEquals(c.then(), p.then(), c.reason());
      assertEquals(c.withheld(), p.withheld(), c.reason());
      assertEquals(c.stopped(), p.stop() != null, c.reason());
    }
  }

  /** What the condition says about a plan the operator will not change (AddonDecisions.planDiffers). */
  @Test
  void aFoundAddonsOtherPlanIsReportedNotChanged() {
    record Case(String reason, AddonDecisions.Facts facts, boolean said) {}
    for (Case c : List.of(
        new Case("found, another plan: said, naming both plans and what to do",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:enterprise"), Found.RECORDED, List.of(), ID, MANAGE, false), true),
        new Case("found, the same plan: nothing to say",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:demo"), Found.LISTED, List.of(), null, MANAGE, false), false),
        new Case("created here, another plan: the operator changes it, nothing to say",
            facts(addon(AddonState.PROVISIONED, "herokuconnect:enterprise"), Found.RECORDED, List.of(), ID, MANAGE, true), false),
        new Case("no add-on: nothing to say", facts(null, Found.NONE, List.of(), null, MANAGE, false), false))) {
      String said = AddonDecisions.planDiffers(c.facts());
      assertEquals(c.said(), said != null, c.reason() + ": " + said);
      if (said != null) {
        for (String part : List.of("spec.addon.plan", "herokuconnect:demo", "herokuconnect:enterprise", "heroku addons:upgrade",
            "createdByThis")) {
          assertTrue(said.contains(part), c.reason() + ": '" + part + "' in " + said);
        }
      }
    }
  }

  /** The operator's own lock before binding (ConnectionIdentity.refusal on status.addon), where CEL is not enforced. */
  @Test
  void anAddonRecordedBeforeBindingLocksTheAppAndTheName() {
    AddonStatus intent = intentOnly();
    intent.setApp("acme-new");
    AddonStatus found = recorded(false);
    found.setApp("acme-new");
    record Case(String reason, AddonStatus recorded, String app, String resource, List<String> says) {}
    for (Case c : List.of(
        new Case("nothing recorded: the app may still be fixed", null, "acme-other", null, null),
        new Case("status.addon without an app (only the Platform budget): nothing recorded", new AddonStatus(), "acme-other", null, null),
        new Case("the intent recorded, the same app", intent, "acme-new", null, null),
        new Case("the intent recorded, another app: refused, naming the field, the recorded app and what to do", intent,
            "acme-other", null, List.of("spec.appName", "status.addon.app 'acme-new'", "'acme-other'", "set it back")),
        new Case("the intent recorded, resourceName naming it", intent, "acme-new", "hc-crm-sales-1a2b3c4d", null),
        new Case("the intent recorded, resourceName naming another add-on", intent, "acme-new", "shiny-2",
            List.of("spec.resourceName", "'hc-crm-sales-1a2b3c4d'", "'shiny-2'", "delete this HerokuConnection")),
        new Case("an add-on found and recorded, another app", found, "acme-other", null, List.of("spec.appName", ID)))) {
      HerokuConnection conn = Serialization.unmarshal(Manifests.connection("addon: {plan: herokuconnect:demo}")
          .replace("appName: acme-crm", "appName: " + c.app()), HerokuConnection.class);
      conn.getSpec().setResourceName(c.resource());
      String refused = dev.herokuconnect.operator.crd.ConnectionIdentity.refusal(c.recorded(), conn.getSpec());
      if (c.says() == null) assertNull(refused, c.reason());
      else for (String part : c.says()) assertTrue(refused != null && refused.contains(part), c.reason() + ": '" + part + "' in " + refused);
    }
  }

  static AddonStatus recorded(Boolean createdByThis) {
    AddonStatus s = new AddonStatus();
    s.setId(ID);
    s.setName("hc-crm-sales-1a2b3c4d");
    s.setCreatedByThis(createdByThis);
    return s;
  }

  static AddonStatus intentOnly() {
    AddonStatus s = new AddonStatus();
    s.setCreateRequestedName("hc-crm-sales-1a2b3c4d");
    s.setCreateRequestedAt("2026-12-01T08:00:00Z");
    return s;
  }

  @Test
  void deleteOnlyWhatThisObjectCreated() {
    AddonSpec delete = new AddonSpec("herokuconnect:demo", DeletionPolicy.Delete);
    AddonSpec orphan = new AddonSpec("herokuconnect:demo", DeletionPolicy.Orphan);
    record Case(String reason, AddonSpec spec, AddonStatus recorded, Management m, Fate fate, String event, String owner) {
      Case(String reason, AddonSpec spec, AddonStatus recorded, Management m, Fate fate, String event) {
        this(reason, spec, recorded, m, fate, event, null);
      }
    }
    for (Case c : List.of(
        new Case("no spec.addon: the add-on is not the object's", null, recorded(true), MANAGE, Fate.NOT_MANAGED, null),
        new Case("nothing recorded: nothing to delete", delete, null, MANAGE, Fate.NOT_MANAGED, null),
        new Case("Orphan (the default) leaves it, and says so", orphan, recorded(true), MANAGE, Fate.ORPHAN, "AddonOrphaned"),
        new Case("Delete on a found (discovered) add-on: never deleted", delete, recorded(false), MANAGE, Fate.NOT_CREATED_HERE,
            "AddonKept"),
        new Case("Delete on an add-on of unknown origin (bound before spec.addon): never deleted", delete, recorded(null), MANAGE,
            Fate.NOT_CREATED_HERE, "AddonKept"),
        new Case("Delete on its own add-on, observe-only: not sent", delete, recorded(true), OBSERVE, Fate.OBSERVE_ONLY, "AddonKept"),
        new Case("Delete on the add-on it created: deleted", delete, recorded(true), MANAGE, Fate.DELETE, null),
        new Case("Delete on the add-on it created, owned by an older HerokuConnection: a non-owner deletes nothing remote",
            delete, recorded(true), MANAGE, Fate.NOT_OWNER, "AddonKept", "crm/owner"),
        new Case("Delete after a create whose answer was never recorded: its intent names it, and it is this object's",
            delete, intentOnly(), MANAGE, Fate.DELETE, null),
        new Case("Orphan after such a create: left, and said", orphan, intentOnly(), MANAGE, Fate.ORPHAN, "AddonOrphaned"))) {
      Fate f = AddonDecisions.fate(c.spec(), c.recorded(), c.m(), c.owner());
      assertEquals(c.fate(), f, c.reason());
      var note = AddonDecisions.fateNote(f, c.recorded(), "acme-new", c.owner());
      assertEquals(c.event(), note == null ? null : note.reason(), c.reason());
    }
  }

  @Test
  void theAddonGoesAfterItsMappingsAndBeforeTheCredentials() {
    record Case(String reason, List<String> mappings, boolean resumeFirst, Fate fate, DeletionStep step) {}
    for (Case c : List.of(
        new Case("mappings left: wait for them, whatever the policy", List.of("account"), false, Fate.DELETE, DeletionStep.WAIT_FOR_MAPPINGS),
        new Case("none left, Delete on its own add-on: DELETE, then release", List.of(), false, Fate.DELETE,
            DeletionStep.DELETE_ADDON_THEN_RELEASE),
        new Case("a deleted add-on needs no resume", List.of(), true, Fate.DELETE, DeletionStep.DELETE_ADDON_THEN_RELEASE),
        new Case("Orphan: resume what the version change paused, as without spec.addon", List.of(), true, Fate.ORPHAN,
            DeletionStep.RESUME_THEN_RELEASE),
        new Case("found, not created: release only", List.of(), false, Fate.NOT_CREATED_HERE, DeletionStep.RELEASE_CREDENTIALS))) {
      assertEquals(c.step(), ConnectionDecisions.deletion(c.mappings(), c.resumeFirst(), c.fate(), null).step(), c.reason());
    }
  }

  static PlatformApiException answer(int status, String id, String message) {
    return new PlatformApiException("POST /apps/{app}/addons", status, id, message, null);
  }

  @Test
  void platformAnswersSayWhatToFix() {
    record Case(String reason, PlatformApiException e, Outcome.Kind kind, String outcomeReason, List<String> says) {}
    for (Case c : List.of(
        new Case("404: the app, named by its field", answer(404, "not_found", "Couldn't find that app."), Outcome.Kind.STALLED,
            Reasons.INVALID_SPEC, List.of("Couldn't find that app.", "spec.appName 'acme-new'", "fix spec.appName")),
        new Case("422: the plan, named by its field", answer(422, "invalid_params", "Couldn't find either the add-on service or the add-on plan of \"herokuconnect:nope\"."),
            Outcome.Kind.STALLED, Reasons.INVALID_SPEC, List.of("herokuconnect:nope", "spec.addon.plan 'herokuconnect:nope'",
                "heroku addons:plans herokuconnect")),
        new Case("403: the token may not manage add-ons, and what to do", answer(403, "forbidden", "You do not have access to the app."),
            Outcome.Kind.STALLED, Reasons.UNAUTHORIZED, List.of("You do not have access", "may not manage add-ons", "heroku access:update")),
        new Case("401: the token, with the Secret to fix", answer(401, "unauthorized", "Invalid credentials provided."),
            Outcome.Kind.STALLED, Reasons.UNAUTHORIZED, List.of("Invalid credentials", "Secret crm/heroku-api")),
        new Case("no answer: retried, never stalled", answer(0, null, "timeout"), Outcome.Kind.BLOCKED, Reasons.REMOTE_ERROR,
            List.of("retrying")),
        new Case("503: retried", answer(503, "unavailable", "down"), Outcome.Kind.BLOCKED, Reasons.REMOTE_ERROR, List.of("retrying")))) {
      Outcome o = AddonDecisions.refused(c.e(), "creating the add-on", "acme-new", "herokuconnect:nope",
          "put a valid Heroku API token in Secret crm/heroku-api key 'token'");
      assertEquals(c.kind(), o.kind(), c.reason());
      assertEquals(c.outcomeReason(), o.reason(), c.reason());
      for (String s : c.says()) assertTrue(o.message().contains(s), c.reason() + ": " + o.message());
    }
    Instant now = Instant.parse("2026-12-01T08:00:00Z");
    Outcome t = AddonDecisions.throttled(new PlatformThrottled("POST /apps/{app}/addons", "spent", now.plusSeconds(120)), now);
    assertEquals(Reasons.RATE_LIMITED, t.reason(), "a spent Platform budget waits, with when");
    assertTrue(t.message().contains(now.plusSeconds(120).toString()), t.message());
    assertTrue(t.after().getSeconds() >= 120, "requeued when the budget allows, not before: " + t.after());
  }

  @Test
  void namesAreValidGlobalAndStablePerObject() {
    HerokuConnection c = Serialization.unmarshal(Manifests.connection(""), HerokuConnection.class);
    c.getMetadata().setUid("uid-1");
    String name = AddonNames.of(c);
    assertTrue(name.matches(AddonNames.PATTERN), name);
    assertEquals(name, AddonNames.of(c), "the same object derives the same name (the intent finds it again)");
    c.getMetadata().setUid("uid-2");
    assertTrue(!name.equals(AddonNames.of(c)), "an object created again under the same name never derives its predecessor's");
    c.getMetadata().setName("a.very.long.name." + "x".repeat(200));
    c.getMetadata().setNamespace("team-" + "y".repeat(50));
    String longName = AddonNames.of(c);
    assertTrue(longName.matches(AddonNames.PATTERN) && longName.length() <= 48, longName);
    c.getSpec().setResourceName("herokuconnect-mine");
    assertEquals("herokuconnect-mine", AddonNames.toCreate(c), "spec.resourceName names the add-on it finds or creates");
    assertNull(AddonDecisions.fateNote(Fate.NOT_MANAGED, null, "acme-new", null));
  }
}
