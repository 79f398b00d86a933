package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.crd.ApiVersions;
import dev.herokuconnect.operator.reconciler.connection.ApiVersionDecisions;
import dev.herokuconnect.operator.reconciler.connection.ApiVersionDecisions.Facts;
import dev.herokuconnect.operator.reconciler.connection.ApiVersionDecisions.VersionStep;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The change of a connection's Salesforce API version as a table: one row per situation, with its
 * reason, the step sent and the phase recorded before it. Rows after a "restart" read the phase a
 * previous process recorded, with the live state and version, and must neither repeat a step that
 * took effect nor skip one that did not. Pure: no HTTP.
 */
class ApiVersionDecisionsTest {
  static final Management MANAGE = Management.MANAGE;
  static final Management OBSERVE = new Management(true, false, "observe-only");
  static final String FIELDS = "fp-1";

  static ApiVersionChangeStatus recorded(String target, String from, String phase, Boolean pausedByChange,
                                         ApiVersionChangeStatus.MappingChange... mappings) {
    ApiVersionChangeStatus r = new ApiVersionChangeStatus();
    r.setTarget(target);
    r.setFrom(from);
    r.setPhase(phase);
    r.setPreviewedFor(FIELDS);
    r.setPausedByChange(pausedByChange);
    r.setMappings(List.of(mappings));
    return r;
  }

  static ApiVersionChangeStatus.MappingChange line(String object, String ref, boolean unsafe, String... dropped) {
    ApiVersionChangeStatus.MappingChange m = new ApiVersionChangeStatus.MappingChange();
    m.setObject(object);
    m.setHerokuMapping(ref);
    m.setChanged(unsafe || dropped.length > 0);
    m.setUnsafe(unsafe);
    m.setDroppedFields(List.of(dropped));
    return m;
  }

  static Facts facts(String want, String live, String state, ApiVersionChangeStatus r, boolean wantPaused, Management m) {
    return new Facts(want, live, state, r, FIELDS, wantPaused, m);
  }

  static ApiVersionChangeStatus undetermined() {
    ApiVersionChangeStatus.MappingChange m = line("Account", "crm/account", false);
    m.setUndetermined(true);
    return recorded("62.0", "52.0", ApiVersionDecisions.PREVIEWED, null, m);
  }

  static ApiVersionChangeStatus refused() {
    ApiVersionChangeStatus r = recorded("62.0", "52.0", ApiVersionDecisions.BLOCKED, true, line("Account", "crm/account", false));
    r.setRefusal("Salesforce API version 62.0 is not supported");
    return r;
  }

  record Row(String reason, Facts facts, VersionStep step, String phase, String outcomeReason) {}

  static final ApiVersionChangeStatus CLEAN = recorded("62.0", "52.0", ApiVersionDecisions.PREVIEWED, null, line("Account", "crm/account", false));

  @Test
  void theSequenceAndEveryRestartPoint() {
    List<Row> rows = List.of(
        new Row("no version asked for: nothing", facts(null, "52.0", "IDLE", null, false, MANAGE), null, null, null),
        new Row("the version asked for is the live one: nothing", facts("52.0", "52.0", "IDLE", null, false, MANAGE),
            null, null, null),
        new Row("not authorized yet: nothing (the connection's own outcome speaks)",
            facts("62.0", "52.0", "NEED_AUTHENTICATION", null, false, MANAGE), null, null, null),
        new Row("a new target: preview first", facts("62.0", "52.0", "IDLE", null, false, MANAGE),
            VersionStep.PREVIEW, ApiVersionDecisions.PREVIEWED, Reasons.CHANGING_API_VERSION),
        new Row("a preview for another target is read again",
            facts("63.0", "52.0", "IDLE", CLEAN, false, MANAGE), VersionStep.PREVIEW, ApiVersionDecisions.PREVIEWED,
            Reasons.CHANGING_API_VERSION),
        new Row("the HerokuMappings' fields changed since the preview: read again",
            new Facts("62.0", "52.0", "IDLE", CLEAN, "fp-2", false, MANAGE), VersionStep.PREVIEW,
            ApiVersionDecisions.PREVIEWED, Reasons.CHANGING_API_VERSION),
        new Row("previewed clean, IDLE: pause first", facts("62.0", "52.0", "IDLE", CLEAN, false, MANAGE),
            VersionStep.PAUSE, ApiVersionDecisions.PAUSING, Reasons.CHANGING_API_VERSION),
        new Row("previewed clean, paused by its spec: change at once (and never resume it)",
            facts("62.0", "52.0", "PAUSED", CLEAN, true, MANAGE), VersionStep.CHANGE, ApiVersionDecisions.CHANGING,
            Reasons.CHANGING_API_VERSION),
        new Row("previewed clean, busy polling: wait for IDLE", facts("62.0", "52.0", "POLLING_DB_CHANGES", CLEAN, false, MANAGE),
            null, ApiVersionDecisions.PREVIEWED, Reasons.CHANGING_API_VERSION),
        new Row("observe-only: preview only", facts("62.0", "52.0", "IDLE", CLEAN, false, OBSERVE),
            null, ApiVersionDecisions.PREVIEWED, Reasons.OBSERVING),
        new Row("dropped fields block",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.PREVIEWED, null,
                line("Account", "crm/account", true, "Old__c")), false, MANAGE), null, ApiVersionDecisions.BLOCKED,
            Reasons.API_VERSION_CHANGE_BLOCKED),
        new Row("other unsafe changes block too (the API refuses them; nothing forces it)",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.PREVIEWED, null,
                line("Account", "crm/account", true)), false, MANAGE), null, ApiVersionDecisions.BLOCKED,
            Reasons.API_VERSION_CHANGE_BLOCKED),
        new Row("a mapping the API cannot assess does not block: go on",
            facts("62.0", "52.0", "IDLE", undetermined(), false, MANAGE), VersionStep.PAUSE, ApiVersionDecisions.PAUSING,
            Reasons.CHANGING_API_VERSION),
        new Row("the API refused the change itself: blocked until the target or the fields change",
            facts("62.0", "52.0", "IDLE", refused(), false, MANAGE), null, ApiVersionDecisions.BLOCKED,
            Reasons.API_VERSION_CHANGE_BLOCKED),
        new Row("restart after 'Pausing' was recorded, before the pause was sent (still IDLE): pause",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.PAUSING, true), false, MANAGE),
            VersionStep.PAUSE, ApiVersionDecisions.PAUSING, Reasons.CHANGING_API_VERSION),
        new Row("restart after the pause took effect: change, not pause again",
            facts("62.0", "52.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.PAUSING, true), false, MANAGE),
            VersionStep.CHANGE, ApiVersionDecisions.CHANGING, Reasons.CHANGING_API_VERSION),
        new Row("restart after 'Changing' was recorded, before the change was sent: change",
            facts("62.0", "52.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, true), false, MANAGE),
            VersionStep.CHANGE, ApiVersionDecisions.CHANGING, Reasons.CHANGING_API_VERSION),
        new Row("the read confirms the change: resume what the change paused",
            facts("62.0", "62.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, true), false, MANAGE),
            VersionStep.RESUME, ApiVersionDecisions.RESUMING, Reasons.CHANGING_API_VERSION),
        new Row("restart after 'Resuming' was recorded, before the resume was sent: resume",
            facts("62.0", "62.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.RESUMING, true), false, MANAGE),
            VersionStep.RESUME, ApiVersionDecisions.RESUMING, Reasons.CHANGING_API_VERSION),
        new Row("restart after the resume took effect: complete, nothing sent",
            facts("62.0", "62.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.RESUMING, true), false, MANAGE),
            null, ApiVersionDecisions.COMPLETE, null),
        new Row("changed while the spec pauses it: complete, never resumed",
            facts("62.0", "62.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, false), true, MANAGE),
            null, ApiVersionDecisions.COMPLETE, null),
        new Row("the spec no longer asks for a version mid-change (the change paused it): resume, nothing changed",
            facts(null, "52.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, true), false, MANAGE),
            VersionStep.RESUME, ApiVersionDecisions.RESUMING, Reasons.CHANGING_API_VERSION),
        new Row("another version asked for mid-change, the resume done: abandoned (the next pass previews the new one)",
            facts("58.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.RESUMING, true), false, MANAGE),
            null, ApiVersionDecisions.ABANDONED, null),
        new Row("a mapping syncing: wait before pausing (the API would refuse the change while it syncs)",
            new Facts("62.0", "52.0", "IDLE", CLEAN, FIELDS, false, MANAGE, List.of("Account")), null, ApiVersionDecisions.PREVIEWED,
            Reasons.CHANGING_API_VERSION),
        new Row("observe-only mid-change: nothing sent, and it says where the change stopped",
            facts("62.0", "52.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, true), false, OBSERVE),
            null, ApiVersionDecisions.CHANGING, Reasons.OBSERVING),
        new Row("below the live version: nothing decided here (refused() says why)", facts("50.0", "52.0", "IDLE", null, false, MANAGE),
            null, null, null),
        new Row("someone resumed it mid-change (IDLE, not changed): pause again",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, true), false, MANAGE),
            VersionStep.PAUSE, ApiVersionDecisions.PAUSING, Reasons.CHANGING_API_VERSION));
    for (Row row : rows) {
      ApiVersionDecisions.Decision d = ApiVersionDecisions.decide(row.facts());
      assertEquals(row.step(), d.step(), row.reason());
      assertEquals(row.phase(), d.phase(), row.reason());
      assertEquals(row.outcomeReason(), d.outcome() == null ? null : d.outcome().reason(), row.reason());
    }
  }

  @Test
  void aBlockedChangeNamesEachHerokuMappingAndWhatToDo() {
    ApiVersionDecisions.Decision d = ApiVersionDecisions.decide(facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0",
        ApiVersionDecisions.PREVIEWED, null, line("Account", "crm/account", true, "Old__c", "Gone__c"),
        line("Contact", null, true, "Legacy__c")), false, MANAGE));
    String m = d.outcome().message();
    assertEquals(Outcome.Kind.STALLED, d.outcome().kind());
    assertTrue(m.contains("HerokuMapping crm/account: remove Old__c, Gone__c from spec.fields"), m);
    assertTrue(m.contains("the mapping of Contact (no HerokuMapping"), m);
    assertTrue(m.contains("the API refuses it while a mapping has unsafe changes"), m);
    assertTrue(m.contains("goes on by itself"), m);
    String unsafe = ApiVersionDecisions.decide(facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0",
        ApiVersionDecisions.PREVIEWED, null, line("Account", "crm/account", true)), false, MANAGE)).outcome().message();
    assertTrue(unsafe.contains("HerokuMapping crm/account") && unsafe.contains("goes on by itself"), unsafe);
  }

  @Test
  void versionsThatMayNeverBeSent() {
    record V(String reason, String want, String live, String error) {}
    for (V v : List.of(
        new V("no version: fine", null, "52.0", null),
        new V("the same: fine", "52.0", "52.0", null),
        new V("newer: fine", "62.0", "52.0", null),
        new V("malformed", "62", "52.0", "not a Salesforce API version"),
        new V("too old for the API", "31.0", null, "older than 32.0"),
        new V("a downgrade", "50.0", "52.0", "does not downgrade"),
        new V("numbers, not text: 100.0 is newer than 99.0", "100.0", "99.0", null))) {
      String got = ApiVersions.refusal(v.want(), v.live());
      if (v.error() == null) assertNull(got, v.reason());
      else assertTrue(got != null && got.contains(v.error()), v.reason() + ": " + got);
      Outcome refused = ApiVersionDecisions.refused(facts(v.want(), v.live(), "IDLE", null, false, MANAGE));
      assertEquals(v.error() == null ? null : Reasons.INVALID_SPEC, refused == null ? null : refused.reason(), v.reason());
    }
  }

  @Test
  void thePreviewNamesTheHerokuMappingAndTheDroppedFieldsFromTheApisResultLines() {
    Model.SchemaDiff diff = new Model.SchemaDiff("52.0", "62.0", List.of(
        new Model.SchemaDiffMapping("Contact", false, false, false, "no changes"),
        new Model.SchemaDiffMapping("Account", true, true, false,
            "Length increased in Salesforce for field: Name. \nFields removed from Salesforce: Old__c, Gone__c. "),
        new Model.SchemaDiffMapping("Lead", false, false, true, "Unable to determine if an action is required.")));
    ApiVersionChangeStatus p = ApiVersionDecisions.preview("62.0", "52.0", "fp-1", diff, java.util.Map.of("account", "crm/account"),
        java.time.Instant.parse("2026-12-02T03:00:00Z"));
    assertEquals(List.of("Account", "Lead", "Contact"), p.getMappings().stream().map(ApiVersionChangeStatus.MappingChange::getObject)
        .toList(), "unsafe first, then changed, then undetermined, then by name");
    ApiVersionChangeStatus.MappingChange account = p.getMappings().get(0);
    assertEquals("crm/account", account.getHerokuMapping());
    assertEquals(List.of("Old__c", "Gone__c"), account.getDroppedFields());
    assertNull(p.getMappings().get(2).getHerokuMapping(), "no HerokuMapping for Contact");
    assertEquals(Boolean.TRUE, p.getMappings().get(1).getUndetermined());
    assertEquals(ApiVersionDecisions.PREVIEWED, p.getPhase());
  }
}
