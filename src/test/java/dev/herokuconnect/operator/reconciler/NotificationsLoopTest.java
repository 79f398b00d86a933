package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.NotificationStatus;
import dev.herokuconnect.operator.health.ObjectMetrics;
import dev.herokuconnect.operator.health.PromText;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 7, a layer down ({@link LoopWorld}: the real loop and kinds, the fake Connect API
 * over loopback HTTP, a clock the test moves): a connection's notifications read at most once per
 * HEROKU_CONNECT_NOTIFICATIONS_INTERVAL, each new one turned into one Event (not again on the next
 * read, nor after a restart), the newest few in status, a gauge by type, and the acknowledge annotation.
 */
class NotificationsLoopTest extends LoopWorldCase {
  static final String READ = "/notifications";

  long reads() {
    return w.fake.requests().stream().filter(r -> r.method().equals("GET") && r.path().endsWith(READ)).count();
  }

  long acknowledges() {
    return w.count("POST", "/notifications/acknowledge");
  }

  List<String> notificationEvents() {
    return w.events.stream().filter(e -> e.contains("ConnectNotification:")).toList();
  }

  HerokuConnectionStatus status() {
    return w.connection("sales").getStatus();
  }

  static void annotate(HasMetadata o, String key, String value) {
    Map<String, String> a = o.getMetadata().getAnnotations() == null ? new HashMap<>() : new HashMap<>(o.getMetadata().getAnnotations());
    a.put(key, value);
    o.getMetadata().setAnnotations(a);
  }

  Instant ago(Duration d) {
    return w.clock.instant().minus(d);
  }

  @Test
  void aNotificationBecomesOneEventNotAgainOnTheNextReadNorAfterARestart() {
    w.fake.addNotification(w.connectionId, "mapping-error", "Failed to sync Account records due to validation error",
        ago(Duration.ofMinutes(10)));
    w.reconcileConnection("sales");
    assertEquals(1, reads());
    assertEquals(1, notificationEvents().size(), w.events.toString());
    assertTrue(notificationEvents().get(0).startsWith("sales !ConnectNotification: mapping-error at "), "a Warning: " + notificationEvents());
    assertTrue(notificationEvents().get(0).contains("Failed to sync Account records due to validation error"));
    NotificationStatus shown = status().getNotifications().get(0);
    assertEquals("mapping-error", shown.getType());
    assertEquals(ago(Duration.ofMinutes(10)).toString().substring(0, 16), shown.getTime().substring(0, 16));
    assertEquals(1, status().getNotificationsRead().getUnacknowledged());
    assertTrue(Conditions.isTrue(status(), Conditions.READY), "notifications do not change Ready");

    w.fake.addNotification(w.connectionId, "maintenance", "Heroku Connect maintenance on Sunday", ago(Duration.ofMinutes(1)));
    w.clock.advance(Duration.ofHours(1));
    w.reconcileConnection("sales");
    assertEquals(2, reads());
    assertEquals(2, notificationEvents().size(), "only the new one: " + notificationEvents());
    assertTrue(notificationEvents().get(1).startsWith("sales ConnectNotification: maintenance at "), "a Normal Event: " + notificationEvents());
    assertEquals(List.of("maintenance", "mapping-error"), status().getNotifications().stream().map(NotificationStatus::getType).toList(),
        "newest first");

    w.restart(); // a new process: only the cluster's status remembers
    w.reconcileConnection("sales");
    assertEquals(2, reads(), "the interval holds across a restart (status.notificationsRead.readAt)");
    w.clock.advance(Duration.ofHours(1));
    w.reconcileConnection("sales");
    assertEquals(3, reads());
    assertEquals(2, notificationEvents().size(), "nothing turned into an Event twice after the restart: " + notificationEvents());
    System.out.println("notification events: " + notificationEvents());
  }

  @Test
  void statusKeepsTheNewestFiveWithClippedMessages() {
    for (int i = 0; i < 8; i++) {
      w.fake.addNotification(w.connectionId, i % 2 == 0 ? "mapping-error" : "postgres-connection", i + " " + "m".repeat(400),
          ago(Duration.ofMinutes(30 - i)));
    }
    w.reconcileConnection("sales");
    List<NotificationStatus> shown = status().getNotifications();
    assertEquals(5, shown.size());
    assertTrue(shown.get(0).getMessage().startsWith("7 "), "newest first: " + shown.get(0).getMessage().substring(0, 5));
    assertTrue(shown.stream().allMatch(n -> n.getMessage().length() == 256), "messages clipped to 256");
    assertEquals(8, status().getNotificationsRead().getUnacknowledged());
    assertEquals(Map.of("mapping-error", 4, "postgres-connection", 4), status().getNotificationsRead().getByType());
    assertEquals(8, notificationEvents().size());
  }

  /** One GET per connection per interval over a simulated day, reconciled every five minutes. */
  @Test
  void theIntervalIsHonouredOverADay() {
    Instant end = w.clock.instant().plus(Duration.ofDays(1));
    int passes = 0;
    while (w.clock.instant().isBefore(end)) {
      w.reconcileConnection("sales");
      passes++;
      w.clock.advance(Duration.ofMinutes(5));
    }
    System.out.printf("a simulated day: %d passes, %d notification reads (HEROKU_CONNECT_NOTIFICATIONS_INTERVAL 1h), %d requests in all%n",
        passes, reads(), w.fake.requests().size());
    assertEquals(24, reads(), "24 reads a day at the default 1h");
    assertTrue(Conditions.isTrue(status(), Conditions.READY));
  }

  @Test
  void aCustomIntervalAndZeroTurnsTheReadsOff() throws Exception {
    try (LoopWorld half = new LoopWorld(Map.of(OperatorConfig.NOTIFICATIONS_INTERVAL, "30m"));
         LoopWorld off = new LoopWorld(Map.of(OperatorConfig.NOTIFICATIONS_INTERVAL, "0"))) {
      off.fake.addNotification(off.connectionId, "mapping-error", "ignored");
      HerokuConnectionStatus earlier = off.connection("sales").getStatus(); // what a process with reads on left behind
      earlier.setNotifications(List.of(new NotificationStatus("mapping-error", "old", "2026-11-30T00:00:00Z")));
      earlier.setNotificationsRead(new dev.herokuconnect.operator.crd.NotificationsReadStatus());
      earlier.getNotificationsRead().setUnacknowledged(1);
      for (LoopWorld x : List.of(half, off)) {
        Instant end = x.clock.instant().plus(Duration.ofDays(1));
        while (x.clock.instant().isBefore(end)) {
          x.reconcileConnection("sales");
          x.clock.advance(Duration.ofMinutes(5));
        }
      }
      assertEquals(48, half.count("GET", READ), "30m: 48 a day");
      assertEquals(0, off.count("GET", READ), "0: none");
      assertEquals(List.of(), off.connection("sales").getStatus().getNotifications(), "what an earlier read left is forgotten");
      assertNull(off.connection("sales").getStatus().getNotificationsRead(), "so no stale figure feeds the gauge or the alert");
      assertTrue(off.events.stream().noneMatch(e -> e.contains("ConnectNotification")));
    }
  }

  @Test
  void acknowledgeOncePerValueAndOnlyWhatWasRead() {
    w.fake.addNotification(w.connectionId, "mapping-error", "first", ago(Duration.ofMinutes(20)));
    w.fake.addNotification(w.connectionId, "postgres-connection", "second", ago(Duration.ofMinutes(10)));
    w.reconcileConnection("sales");
    assertEquals(2, notificationEvents().size());
    // one raised after the operator's read, before its acknowledge: it must stay, and get its Event later
    w.fake.beforeNext("POST", "/notifications/acknowledge",
        () -> w.fake.addNotification(w.connectionId, "mapping-error", "raised meanwhile", w.clock.instant().plusSeconds(1)));
    annotate(w.connection("sales"), Crds.ACKNOWLEDGE_REQUESTED_AT, "a1");
    w.reconcileConnection("sales");
    assertEquals(1, acknowledges());
    assertEquals(1, w.fake.unacknowledgedNotifications(w.connectionId).size(), "only what was read is acknowledged");
    assertEquals("a1", status().getLastHandledAcknowledgeAt());
    assertTrue(w.statusWrites.contains("sales {\"lastHandledAcknowledgeAt\":\"a1\"}"), "recorded before it is sent: " + w.statusWrites);
    assertEquals(List.of(), status().getNotifications());
    assertEquals(0, status().getNotificationsRead().getUnacknowledged());
    assertTrue(w.hasEvent("sales", "NotificationsAcknowledged"), w.events.toString());
    assertTrue(w.events.stream().anyMatch(e -> e.contains("acknowledged 2 notification(s) (herokuconnect.dev/acknowledge-requested-at=a1)")),
        w.events.toString());

    w.reconcileConnection("sales");
    w.restart();
    w.reconcileConnection("sales");
    assertEquals(1, acknowledges(), "once per value, restarts included");
    w.clock.advance(Duration.ofHours(1));
    w.reconcileConnection("sales");
    assertEquals(3, notificationEvents().size(), "the one raised meanwhile became an Event at the next read: " + notificationEvents());
    assertEquals(1, status().getNotificationsRead().getUnacknowledged());

    annotate(w.connection("sales"), Crds.ACKNOWLEDGE_REQUESTED_AT, "a2");
    w.reconcileConnection("sales");
    assertEquals(2, acknowledges(), "a new value acknowledges again");
    assertEquals(List.of(), w.fake.unacknowledgedNotifications(w.connectionId));
  }

  @Test
  void anAcknowledgeWhileObserveOnlyIsSkippedAndNeverSentLater() {
    w.fake.addNotification(w.connectionId, "mapping-error", "first", ago(Duration.ofMinutes(20)));
    annotate(w.connection("sales"), Crds.RECONCILE_POLICY, Crds.POLICY_OBSERVE);
    annotate(w.connection("sales"), Crds.ACKNOWLEDGE_REQUESTED_AT, "a1");
    w.reconcileConnection("sales");
    assertEquals(0, acknowledges());
    assertEquals(1, reads(), "observe-only still reads (a GET)");
    assertEquals("a1", status().getLastHandledAcknowledgeAt(), "marked handled as skipped");
    assertTrue(w.hasEvent("sales", "AcknowledgeSkipped"), w.events.toString());
    annotate(w.connection("sales"), Crds.RECONCILE_POLICY, Crds.POLICY_MANAGE);
    w.reconcileConnection("sales");
    w.clock.advance(Duration.ofHours(1));
    w.reconcileConnection("sales");
    assertEquals(0, acknowledges(), "not sent later either");
    assertEquals(1, w.fake.unacknowledgedNotifications(w.connectionId).size());
  }

  @Test
  void theGaugeCountsTheUnacknowledgedByType() throws Exception {
    w.fake.addNotification(w.connectionId, "mapping-error", "a", ago(Duration.ofMinutes(3)));
    w.fake.addNotification(w.connectionId, "mapping-error", "b", ago(Duration.ofMinutes(2)));
    w.fake.addNotification(w.connectionId, "postgres-connection", "c", ago(Duration.ofMinutes(1)));
    w.reconcileConnection("sales");
    PromText m = scrape();
    long before = w.fake.requests().size();
    Map<String, Double> byType = new HashMap<>();
    m.samples("heroku_connect_connection_notifications_unacknowledged").forEach(s -> {
      assertEquals("crm", s.label("namespace"));
      assertEquals("sales", s.label("name"));
      assertEquals(w.connectionId, s.label("connection_id"));
      byType.put(s.label("type"), s.value());
    });
    assertEquals(Map.of("mapping-error", 2.0, "postgres-connection", 1.0), byType);
    assertEquals(before, w.fake.requests().size(), "a scrape sends no request");

    annotate(w.connection("sales"), Crds.ACKNOWLEDGE_REQUESTED_AT, "a1");
    w.reconcileConnection("sales");
    assertEquals(List.of(), scrape().samples("heroku_connect_connection_notifications_unacknowledged"), "none after an acknowledge");
  }

  PromText scrape() throws Exception {
    ObjectMetrics metrics = new ObjectMetrics(w.directory, w.snapshots, w.budget, () -> true, w.clock);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, metrics.collect());
    return PromText.parse(out.toString(StandardCharsets.UTF_8));
  }

  /** The reads are background work: with only the reserve of the budget left, a read waits; what a person asks for still goes. */
  @Test
  void aReadIsBackgroundWorkTheBudgetMayDefer() {
    w.reconcileConnection("sales");
    assertEquals(1, reads());
    w.fake.addNotification(w.connectionId, "mapping-error", "later", ago(Duration.ofMinutes(1)));
    w.clock.advance(Duration.ofHours(2));
    while (w.budget.usage(w.connectionId).remaining() > 150) w.budget.admit(w.connectionId, "test", Priority.USER); // the reserve is 225
    annotate(w.connection("sales"), Crds.RECONCILE_REQUESTED_AT, "r1"); // a person asks for a refresh: that read is USER priority
    HerokuConnection c = w.reconcileConnection("sales");
    assertEquals(1, reads(), "the background read was not sent");
    assertTrue(Conditions.isTrue(c.getStatus(), Conditions.READY), "and the connection is not worse for it: " + c.getStatus().getConditions());
    assertEquals(0, notificationEvents().size());
    annotate(w.connection("sales"), Crds.ACKNOWLEDGE_REQUESTED_AT, "a1");
    w.reconcileConnection("sales");
    assertEquals(2, reads(), "an acknowledge (asked for by a person) reads at USER priority");
    assertEquals(1, acknowledges());
  }

  @Test
  void neitherANonOwnerNorANewConnectionReads() throws Exception {
    String fresh = w.fake.addConnection("acme-new", "herokuconnect-new-1");
    w.fake.addNotification(fresh, "mapping-error", "on a NEW connection");
    w.applyConnection(dev.herokuconnect.operator.testing.Manifests.connection("").replace("name: sales", "name: fresh")
        .replace("appName: acme-crm", "appName: acme-new"));
    w.reconcileConnection("sales");
    assertEquals(1, reads());
    w.clock.advance(Duration.ofMinutes(1));
    w.reconcileConnection("fresh"); // discovery, setup: still NEW until authorized
    assertEquals(1, reads(), "not set up: not read");
    w.fake.addNotification(w.connectionId, "mapping-error", "x");
    w.applyConnection(dev.herokuconnect.operator.testing.Manifests.connection("").replace("name: sales", "name: twin")); // same add-on, younger
    w.clock.advance(Duration.ofHours(2));
    w.reconcileConnection("twin");
    assertEquals(1, reads(), "a non-owner sends nothing");
    assertTrue(w.events.stream().noneMatch(e -> e.startsWith("twin ") && e.contains("ConnectNotification")));
  }
}
