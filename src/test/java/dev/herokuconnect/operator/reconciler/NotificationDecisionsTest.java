package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.Model.Notification;
import dev.herokuconnect.operator.connect.Model.NotificationFilter;
import dev.herokuconnect.operator.connect.Model.Notifications;
import dev.herokuconnect.operator.crd.NotificationsReadStatus;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.connection.NotificationDecisions;
import dev.herokuconnect.operator.reconciler.connection.NotificationDecisions.Facts;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A connection's notifications as tables: when a read is due, what a read turns into Events and
 * status, how bad each type is, what an acknowledge selects. Pure: no HTTP.
 */
class NotificationDecisionsTest {
  static final Management MANAGE = Management.MANAGE;
  static final Management OBSERVE = new Management(true, false, "observe-only");
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  static final Request ACK = new Request(RequestedAction.ACKNOWLEDGE, "a1");

  static Facts facts(String state, Duration interval, Instant lastRead, boolean recorded, Request ack, Management m) {
    return new Facts(state, interval, NOW, lastRead, recorded, ack, m);
  }

  @Test
  void whenToRead() {
    record Row(String reason, Facts facts, List<Step> steps) {}
    for (Row r : List.of(
        new Row("never read, set up: read", facts("IDLE", HOUR, null, false, null, MANAGE), List.of(Step.READ_NOTIFICATIONS)),
        new Row("read 59 min ago: not yet", facts("IDLE", HOUR, NOW.minus(Duration.ofMinutes(59)), true, null, MANAGE), List.of()),
        new Row("read an interval ago: read", facts("IDLE", HOUR, NOW.minus(HOUR), true, null, MANAGE), List.of(Step.READ_NOTIFICATIONS)),
        new Row("a custom interval: 30 min", facts("IDLE", Duration.ofMinutes(30), NOW.minus(Duration.ofMinutes(31)), true, null, MANAGE),
            List.of(Step.READ_NOTIFICATIONS)),
        new Row("observe-only reads too (a GET)", facts("IDLE", HOUR, null, false, null, OBSERVE), List.of(Step.READ_NOTIFICATIONS)),
        new Row("an error state is set up: read (notifications matter most then)", facts("DB_UNAVAILABLE", HOUR, null, false, null, MANAGE),
            List.of(Step.READ_NOTIFICATIONS)),
        new Row("paused is set up: read", facts("PAUSED", HOUR, null, false, null, MANAGE), List.of(Step.READ_NOTIFICATIONS)),
        new Row("an expired Salesforce grant is set up: read", facts("UNAUTHORIZED", HOUR, null, false, null, MANAGE),
            List.of(Step.READ_NOTIFICATIONS)),
        new Row("NEW: not set up, nothing read", facts("NEW", HOUR, null, false, null, MANAGE), List.of()),
        new Row("never authorized: nothing read", facts("NEED_AUTHENTICATION", HOUR, null, false, null, MANAGE), List.of()),
        new Row("state unknown (not read): nothing", facts(null, HOUR, null, false, null, MANAGE), List.of()),
        new Row("off (0), nothing recorded: nothing", facts("IDLE", Duration.ZERO, null, false, null, MANAGE), List.of()),
        new Row("off (0), an earlier read in status: forget it", facts("IDLE", Duration.ZERO, NOW.minus(Duration.ofDays(2)), true, null, MANAGE),
            List.of(Step.FORGET_NOTIFICATIONS)),
        new Row("an acknowledge asked for: acknowledge (it reads first), not a read besides",
            facts("IDLE", HOUR, null, false, ACK, MANAGE), List.of(Step.ACKNOWLEDGE_NOTIFICATIONS)),
        new Row("an acknowledge asked for, reads off: still acknowledged", facts("IDLE", Duration.ZERO, null, false, ACK, MANAGE),
            List.of(Step.ACKNOWLEDGE_NOTIFICATIONS)),
        new Row("an acknowledge asked for while observe-only: not planned (the loop skips it)",
            facts("IDLE", HOUR, NOW, true, ACK, OBSERVE), List.of()))) {
      assertEquals(r.steps(), NotificationDecisions.steps(r.facts()), r.reason());
    }
  }

  @Test
  void warningForErrorLikeTypes() {
    Map<String, Boolean> rows = new java.util.LinkedHashMap<>();
    rows.put("mapping-error", true); // the CLI plugin's test: "Failed to sync Account records due to validation error"
    rows.put("postgres-connection", true); // the plugin's test: "Database cannot connect"
    rows.put("salesforce-auth-failed", true);
    rows.put("DB_UNAVAILABLE", true);
    rows.put("token-expired", true);
    rows.put("maintenance", false);
    rows.put("api-version-notice", false);
    rows.put("", false);
    rows.put(null, false);
    rows.forEach((type, warning) -> assertEquals(warning, NotificationDecisions.warning(type), String.valueOf(type)));
  }

  static Notification n(String id, String type, String message, String at) {
    return new Notification(id, type, message, at);
  }

  static Notifications page(Integer count, Notification... newestFirst) {
    return new Notifications(count, List.of(newestFirst));
  }

  static NotificationsReadStatus seen(String at, String... ids) {
    NotificationsReadStatus s = new NotificationsReadStatus();
    s.setReadAt(NOW.minus(HOUR).toString());
    s.setNewestSeenAt(at);
    s.setNewestSeenIds(List.of(ids));
    return s;
  }

  static List<String> reasons(List<Events.Note> events) {
    return events.stream().map(e -> (e.warning() ? "!" : "") + e.reason()).toList();
  }

  @Test
  void whatAReadTurnsIntoEventsOnce() {
    Notification a = n("5678", "mapping-error", "Failed to sync Account records due to validation error", "2026-12-01T10:30:00Z");
    Notification b = n("9101", "postgres-connection", "Database cannot connect", "2026-12-01T09:45:00Z");
    Notification c = n("9102", "maintenance", "Connect maintenance on Sunday", "2026-12-01T11:00:00Z");
    Notification sameTime = n("5679", "mapping-error", "Contact: bulk load failed", "2026-12-01T10:30:00Z");
    record Row(String reason, NotificationsReadStatus before, Notifications page, List<String> newEvents, String seenAt,
               List<String> seenIds) {}
    for (Row r : List.of(
        new Row("first read: every one, oldest first; error-like ones as Warnings", null, page(2, a, b),
            List.of("Database cannot connect", "Failed to sync Account"), "2026-12-01T10:30:00Z", List.of("5678")),
        new Row("read again: none is new", seen("2026-12-01T10:30:00Z", "5678"), page(2, a, b), List.of(),
            "2026-12-01T10:30:00Z", List.of("5678")),
        new Row("a newer one: only it", seen("2026-12-01T10:30:00Z", "5678"), page(3, c, a, b), List.of("Connect maintenance"),
            "2026-12-01T11:00:00Z", List.of("9102")),
        new Row("one of the same time as the newest seen, another id: new", seen("2026-12-01T10:30:00Z", "5678"),
            page(3, sameTime, a, b), List.of("Contact: bulk load failed"), "2026-12-01T10:30:00Z", List.of("5678", "5679")),
        new Row("the seen ones acknowledged elsewhere, none new: the mark stays", seen("2026-12-01T10:30:00Z", "5678"), page(0),
            List.of(), "2026-12-01T10:30:00Z", List.of("5678")),
        new Row("times with an offset and microseconds compare as instants", seen("2026-12-01T10:30:00Z", "5678"),
            page(1, n("7", "mapping-error", "later", "2026-12-01T12:30:00.000001+02:00")), List.of("later"),
            "2026-12-01T10:30:00.000001Z", List.of("7")))) {
      NotificationDecisions.Read read = NotificationDecisions.read(r.before(), r.page(), NOW);
      List<String> messages = read.events().stream().map(Events.Note::message).toList();
      assertEquals(r.newEvents().size(), messages.size(), r.reason() + ": " + messages);
      for (int i = 0; i < messages.size(); i++) assertTrue(messages.get(i).contains(r.newEvents().get(i)), r.reason() + ": " + messages);
      assertEquals(r.seenAt(), read.summary().getNewestSeenAt(), r.reason());
      assertEquals(r.seenIds(), read.summary().getNewestSeenIds(), r.reason());
      assertEquals(NOW.toString(), read.summary().getReadAt(), r.reason());
    }
    NotificationDecisions.Read first = NotificationDecisions.read(null, page(3, c, a, b), NOW);
    assertEquals(List.of("!ConnectNotification", "!ConnectNotification", "ConnectNotification"), reasons(first.events()),
        "postgres-connection and mapping-error are Warnings, maintenance Normal");
  }

  @Test
  void statusIsBoundedAndTheCountsByTypeToo() {
    List<Notification> many = new ArrayList<>();
    String longMessage = "x".repeat(400);
    for (int i = 0; i < 14; i++) {
      many.add(n(Integer.toString(100 - i), "type-" + (i % 12), longMessage, NOW.minus(Duration.ofMinutes(i)).toString()));
    }
    NotificationDecisions.Read read = NotificationDecisions.read(null, new Notifications(20, many), NOW);
    assertEquals(NotificationDecisions.KEEP, read.newest().size(), "the newest few in status");
    assertEquals(NOW.toString(), read.newest().get(0).getTime(), "newest first");
    assertEquals("type-0", read.newest().get(0).getType());
    assertTrue(read.newest().stream().allMatch(s -> s.getMessage().length() == NotificationDecisions.MAX_MESSAGE), "messages clipped");
    assertEquals(NotificationDecisions.MAX_EVENTS + 1, read.events().size(), "at most 10 Events, and one that counts the rest");
    assertTrue(read.events().get(0).message().startsWith("4 older new notification(s)"), read.events().get(0).message());
    assertTrue(read.events().stream().skip(1).allMatch(e -> e.message().length() < 400), "Event messages clipped");
    assertEquals(20, read.summary().getUnacknowledged(), "count: every unacknowledged one, beyond the page too");
    Map<String, Integer> byType = read.summary().getByType();
    assertEquals(NotificationDecisions.MAX_TYPES + 1, byType.size(), "10 types and other: " + byType);
    assertEquals(2, byType.get("type-0"), "the types with most first");
    assertEquals(20, byType.values().stream().mapToInt(Integer::intValue).sum(), "every one counted once");
    assertEquals(2 + 6, byType.get(NotificationDecisions.OTHER), "two types beyond 10, and 6 beyond the page: " + byType);
  }

  @Test
  void anAcknowledgeSelectsWhatWasRead() {
    assertNull(NotificationDecisions.acknowledgeFilter(page(0)), "nothing to acknowledge: nothing sent");
    NotificationFilter f = NotificationDecisions.acknowledgeFilter(page(2, n("2", "a", "m", "2026-12-01T10:30:00Z"),
        n("1", "a", "m", "2026-12-01T09:00:00Z")));
    assertEquals(Instant.parse("2026-12-01T10:30:00.001Z"), f.before(), "up to just after the newest read: a newer one stays");
    assertNull(f.after());
    assertNull(f.eventType());
    assertEquals(NotificationFilter.PAGE_SIZE, f.pageSize());
  }
}
