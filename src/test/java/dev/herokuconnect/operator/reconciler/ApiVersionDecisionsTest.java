package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  static Facts facts(String want, String live, String state, ApiVersionChangeStatus r, boolean wantPaused, boolean accept,
                     Management m) {
    return new Facts(want, live, state, r, FIELDS, wantPaused, accept, m);
  }

  record Row(String reason, Facts facts, VersionStep step, String phase, String outcomeReason) {}

  static final ApiVersionChangeStatus CLEAN = recorded("62.0", "52.0", ApiVersionDecisions.PREVIEWED, null, line("Account", "crm/account", false));

  @Test
  void theSequenceAndEveryRestartPoint() {
    List<Row> rows = List.of(
        new Row("no version asked for: nothing", facts(null, "52.0", "IDLE", null, false, false, MANAGE), null, null, null),
        new Row("the version asked for is the live one: nothing", facts("52.0", "52.0", "IDLE", null, false, false, MANAGE),
            null, null, null),
        new Row("not authorized yet: nothing (the connection's own outcome speaks)",
            facts("62.0", "52.0", "NEED_AUTHENTICATION", null, false, false, MANAGE), null, null, null),
        new Row("a new target: preview first", facts("62.0", "52.0", "IDLE", null, false, false, MANAGE),
            VersionStep.PREVIEW, ApiVersionDecisions.PREVIEWED, Reasons.CHANGING_API_VERSION),
        new Row("a preview for another target is read again",
            facts("63.0", "52.0", "IDLE", CLEAN, false, false, MANAGE), VersionStep.PREVIEW, ApiVersionDecisions.PREVIEWED,
            Reasons.CHANGING_API_VERSION),
        new Row("the HerokuMappings' fields changed since the preview: read again",
            new Facts("62.0", "52.0", "IDLE", CLEAN, "fp-2", false, false, MANAGE), VersionStep.PREVIEW,
            ApiVersionDecisions.PREVIEWED, Reasons.CHANGING_API_VERSION),
        new Row("previewed clean, IDLE: pause first", facts("62.0", "52.0", "IDLE", CLEAN, false, false, MANAGE),
            VersionStep.PAUSE, ApiVersionDecisions.PAUSING, Reasons.CHANGING_API_VERSION),
        new Row("previewed clean, paused by its spec: change at once (and never resume it)",
            facts("62.0", "52.0", "PAUSED", CLEAN, true, false, MANAGE), VersionStep.CHANGE, ApiVersionDecisions.CHANGING,
            Reasons.CHANGING_API_VERSION),
        new Row("previewed clean, busy polling: wait for IDLE", facts("62.0", "52.0", "POLLING_DB_CHANGES", CLEAN, false, false, MANAGE),
            null, ApiVersionDecisions.PREVIEWED, Reasons.CHANGING_API_VERSION),
        new Row("observe-only: preview only", facts("62.0", "52.0", "IDLE", CLEAN, false, false, OBSERVE),
            null, ApiVersionDecisions.PREVIEWED, Reasons.OBSERVING),
        new Row("dropped fields block, acceptance or not",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.PREVIEWED, null,
                line("Account", "crm/account", true, "Old__c")), false, true, MANAGE), null, ApiVersionDecisions.BLOCKED,
            Reasons.API_VERSION_CHANGE_BLOCKED),
        new Row("unsafe changes block until accepted",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.PREVIEWED, null,
                line("Account", "crm/account", true)), false, false, MANAGE), null, ApiVersionDecisions.BLOCKED,
            Reasons.API_VERSION_CHANGE_BLOCKED),
        new Row("unsafe changes accepted: go on",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.PREVIEWED, null,
                line("Account", "crm/account", true)), false, true, MANAGE), VersionStep.PAUSE, ApiVersionDecisions.PAUSING,
            Reasons.CHANGING_API_VERSION),
        new Row("restart after 'Pausing' was recorded, before the pause was sent (still IDLE): pause",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.PAUSING, true), false, false, MANAGE),
            VersionStep.PAUSE, ApiVersionDecisions.PAUSING, Reasons.CHANGING_API_VERSION),
        new Row("restart after the pause took effect: change, not pause again",
            facts("62.0", "52.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.PAUSING, true), false, false, MANAGE),
            VersionStep.CHANGE, ApiVersionDecisions.CHANGING, Reasons.CHANGING_API_VERSION),
        new Row("restart after 'Changing' was recorded, before the change was sent: change",
            facts("62.0", "52.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, true), false, false, MANAGE),
            VersionStep.CHANGE, ApiVersionDecisions.CHANGING, Reasons.CHANGING_API_VERSION),
        new Row("the read confirms the change: resume what the change paused",
            facts("62.0", "62.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, true), false, false, MANAGE),
            VersionStep.RESUME, ApiVersionDecisions.RESUMING, Reasons.CHANGING_API_VERSION),
        new Row("restart after 'Resuming' was recorded, before the resume was sent: resume",
            facts("62.0", "62.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.RESUMING, true), false, false, MANAGE),
            VersionStep.RESUME, ApiVersionDecisions.RESUMING, Reasons.CHANGING_API_VERSION),
        new Row("restart after the resume took effect: complete, nothing sent",
            facts("62.0", "62.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.RESUMING, true), false, false, MANAGE),
            null, ApiVersionDecisions.COMPLETE, null),
        new Row("changed while the spec pauses it: complete, never resumed",
            facts("62.0", "62.0", "PAUSED", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, false), true, false, MANAGE),
            null, ApiVersionDecisions.COMPLETE, null),
        new Row("someone resumed it mid-change (IDLE, not changed): pause again",
            facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0", ApiVersionDecisions.CHANGING, true), false, false, MANAGE),
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
        line("Contact", null, true, "Legacy__c")), false, false, MANAGE));
    String m = d.outcome().message();
    assertEquals(Outcome.Kind.STALLED, d.outcome().kind());
    assertTrue(m.contains("HerokuMapping crm/account: remove Old__c, Gone__c from spec.fields"), m);
    assertTrue(m.contains("the mapping of Contact (no HerokuMapping"), m);
    assertTrue(m.contains("goes on by itself"), m);
    String unsafe = ApiVersionDecisions.decide(facts("62.0", "52.0", "IDLE", recorded("62.0", "52.0",
        ApiVersionDecisions.PREVIEWED, null, line("Account", "crm/account", true)), false, false, MANAGE)).outcome().message();
    assertTrue(unsafe.contains("spec.salesforce.acceptUnsafeApiVersionChanges: true"), unsafe);
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
      Outcome refused = ApiVersionDecisions.refused(facts(v.want(), v.live(), "IDLE", null, false, false, MANAGE));
      assertEquals(v.error() == null ? null : Reasons.INVALID_SPEC, refused == null ? null : refused.reason(), v.reason());
    }
  }
}
