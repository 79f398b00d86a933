package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.Model.Notification;
import dev.herokuconnect.operator.connect.Model.NotificationFilter;
import dev.herokuconnect.operator.connect.Model.Notifications;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.NotificationStatus;
import dev.herokuconnect.operator.crd.NotificationsReadStatus;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A connection's notifications, decided from what was observed: pure functions, no HTTP. When to
 * read them ({@link #steps}: at most once per HEROKU_CONNECT_NOTIFICATIONS_INTERVAL, only once the
 * connection is set up; an acknowledge asked for by annotation), what a read means ({@link #read}:
 * which notifications are new, so each becomes one Event once, restarts included; the newest few
 * for status; the counts by type for the gauge), how bad a type is ({@link #warning}), and what an
 * acknowledge selects ({@link #acknowledgeFilter}).
 */
public final class NotificationDecisions {
  /** Notifications kept in status.notifications. */
  public static final int KEEP = 5;
  /** Types counted one by one in status.notificationsRead.byType (and so in the gauge); the rest are {@link #OTHER}. */
  public static final int MAX_TYPES = 10;
  public static final String OTHER = "other";
  /** Ids kept of the notifications created at the newest time seen. */
  public static final int MAX_SEEN_IDS = 20;
  /** New notifications turned into Events by one read; older new ones are counted in one more Event. */
  public static final int MAX_EVENTS = 10;
  public static final int MAX_MESSAGE = 256;
  public static final String EVENT_REASON = "ConnectNotification";

  private NotificationDecisions() {}

  /**
   * Everything the decision reads: the connection's state, the interval (zero: off), the time now,
   * the last read (or attempt) recorded in status, whether status still holds a reading, an acknowledge
   * asked for and not handled yet, and the management policy.
   */
  public record Facts(String state, Duration interval, Instant now, Instant lastRead, boolean recorded, Request acknowledge,
                      Management management) {}

  /** The one facts builder, from the object as the pass sees it. */
  public static Facts facts(HerokuConnection c, HerokuConnectionStatus status, Management management, String state, Duration interval,
                            Instant now) {
    NotificationsReadStatus read = status.getNotificationsRead();
    Instant last = read == null ? null : time(read.getReadAt());
    boolean recorded = read != null || !status.getNotifications().isEmpty();
    String ack = RequestedAction.ACKNOWLEDGE.pending(c, status);
    return new Facts(state, interval, now, last, recorded, ack == null ? null : new Request(RequestedAction.ACKNOWLEDGE, ack),
        management);
  }

  /**
   * The notification steps of a pass: an acknowledge asked for (it reads first, so it acknowledges
   * only what it has shown; observe-only never gets here, the loop skips the request); else a read
   * when one is due; else, with reads off, forget what an earlier read left in status (so neither
   * status nor the gauge shows figures nobody refreshes).
   */
  public static List<Step> steps(Facts f) {
    if (f.acknowledge() != null && f.management().writes()) return List.of(Step.ACKNOWLEDGE_NOTIFICATIONS);
    if (due(f)) return List.of(Step.READ_NOTIFICATIONS);
    if (off(f) && f.recorded()) return List.of(Step.FORGET_NOTIFICATIONS);
    return List.of();
  }

  /** The connection's plan with the notification steps after its own; a plan that stops (another object owns the add-on) gets none. */
  static ConnectionDecisions.Plan with(ConnectionDecisions.Plan plan, Facts f) {
    if (plan.stop() != null || f == null) return plan;
    List<Step> notes = steps(f);
    if (notes.isEmpty()) return plan;
    List<Step> all = new ArrayList<>(plan.steps());
    all.addAll(notes);
    return new ConnectionDecisions.Plan(List.copyOf(all), null, plan.then(), plan.withheld());
  }

  public static boolean off(Facts f) {
    return f.interval() == null || f.interval().isZero() || f.interval().isNegative();
  }

  /**
   * A read is due when reads are on, the connection is set up (database configured and Salesforce
   * authorized once: not NEW, not NEED_AUTHENTICATION; an error state is when notifications matter
   * most), and the interval has passed since the last read or attempt (recorded in status, so a
   * restart does not read again early).
   */
  public static boolean due(Facts f) {
    if (off(f) || !setUp(f.state())) return false;
    return f.lastRead() == null || !f.now().isBefore(f.lastRead().plus(f.interval()));
  }

  public static boolean setUp(String state) {
    return state != null && StateTable.CONNECTION.kind(state) != StateTable.Kind.NEEDS_SETUP && !"NEED_AUTHENTICATION".equals(state);
  }

  /** Types the CLI plugin's tests show, all of them failures: mapping-error, postgres-connection ("Database cannot connect"). */
  static final Set<String> KNOWN_ERROR_TYPES = Set.of("mapping-error", "postgres-connection");
  /** Words that make any other type error-like. */
  static final List<String> ERROR_WORDS = List.of("error", "fail", "unavailable", "unauthori", "denied", "invalid", "expire", "lost",
      "down", "cannot");

  /**
   * Whether a notification of this type is a Warning Event (else Normal): the types the CLI plugin
   * and the fake know are failures, and any type whose name says so (error, fail, unavailable,
   * unauthorized, denied, invalid, expired, lost, down, cannot). Anything else (a maintenance notice,
   * say) is Normal.
   */
  public static boolean warning(String type) {
    if (type == null) return false;
    String t = type.toLowerCase(Locale.ROOT);
    return KNOWN_ERROR_TYPES.contains(t) || ERROR_WORDS.stream().anyMatch(t::contains);
  }

  /** What one successful read leaves: status.notifications, status.notificationsRead, and the Events to write. */
  public record Read(List<NotificationStatus> newest, NotificationsReadStatus summary, List<Events.Note> events) {}

  /**
   * A read's answer (newest first, as the API lists them) against what was already turned into
   * Events ({@code before}, null on the first read): each notification newer than the newest seen
   * (or of the same time with an id not seen) is new and becomes one Event (at most
   * {@value #MAX_EVENTS}, oldest first; any more are counted in one more Event); the newest
   * {@value #KEEP} go to status; the counts by type (at most {@value #MAX_TYPES} types, the rest and
   * any beyond the page under {@value #OTHER}) to the summary.
   */
  public static Read read(NotificationsReadStatus before, Notifications page, Instant now) {
    List<Notification> listed = page.resultsOrEmpty().stream()
        .sorted(Comparator.comparing((Notification n) -> timeOrEpoch(n.createdAt())).reversed()).toList();
    Instant seenAt = before == null ? null : time(before.getNewestSeenAt());
    List<String> seenIds = before == null ? List.of() : before.getNewestSeenIds();
    List<Notification> fresh = listed.stream().filter(n -> isNew(n, seenAt, seenIds)).toList();

    List<Events.Note> events = new ArrayList<>();
    List<Notification> shown = fresh.subList(0, Math.min(MAX_EVENTS, fresh.size()));
    if (fresh.size() > shown.size()) {
      events.add(Events.Note.normal(EVENT_REASON, (fresh.size() - shown.size()) + " older new notification(s) are not shown as Events "
          + "(status.notificationsRead.byType counts them; the Heroku dashboard or `heroku connect:notifications` lists them)"));
    }
    for (int i = shown.size() - 1; i >= 0; i--) events.add(event(shown.get(i)));

    NotificationsReadStatus s = new NotificationsReadStatus();
    s.setReadAt(now.toString());
    s.setUnacknowledged(page.total());
    s.setByType(byType(listed, page.total()));
    Instant newest = listed.isEmpty() ? null : timeOrEpoch(listed.get(0).createdAt());
    if (newest != null && (seenAt == null || newest.isAfter(seenAt))) {
      s.setNewestSeenAt(newest.toString());
      s.setNewestSeenIds(listed.stream().filter(n -> timeOrEpoch(n.createdAt()).equals(newest)).map(Notification::id)
          .limit(MAX_SEEN_IDS).toList());
    } else if (seenAt != null) { // nothing newer: the same time, and any new id of it
      s.setNewestSeenAt(seenAt.toString());
      List<String> ids = new ArrayList<>(seenIds);
      fresh.stream().filter(n -> timeOrEpoch(n.createdAt()).equals(seenAt)).map(Notification::id).filter(id -> !ids.contains(id))
          .forEach(ids::add);
      s.setNewestSeenIds(ids.size() > MAX_SEEN_IDS ? ids.subList(ids.size() - MAX_SEEN_IDS, ids.size()) : ids);
    }
    List<NotificationStatus> keep = listed.stream().limit(KEEP)
        .map(n -> new NotificationStatus(n.eventType(), clip(n.message()), n.createdAt())).toList();
    return new Read(keep, s, events);
  }

  private static boolean isNew(Notification n, Instant seenAt, List<String> seenIds) {
    if (seenAt == null) return true;
    Instant at = timeOrEpoch(n.createdAt());
    return at.isAfter(seenAt) || at.equals(seenAt) && !seenIds.contains(n.id());
  }

  /** One notification as an Event: Warning for error-like types. */
  static Events.Note event(Notification n) {
    String text = (n.eventType() == null ? "notification" : n.eventType()) + " at " + n.createdAt() + ": " + clip(n.message())
        + " (unacknowledged; acknowledge with the annotation herokuconnect.dev/acknowledge-requested-at)";
    return warning(n.eventType()) ? Events.Note.warning(EVENT_REASON, text) : Events.Note.normal(EVENT_REASON, text);
  }

  private static Map<String, Integer> byType(List<Notification> listed, int total) {
    Map<String, Integer> all = new LinkedHashMap<>();
    for (Notification n : listed) all.merge(n.eventType() == null || n.eventType().isBlank() ? OTHER : n.eventType(), 1, Integer::sum);
    Map<String, Integer> out = new LinkedHashMap<>();
    int other = Math.max(0, total - listed.size()); // beyond the page: types unknown
    List<Map.Entry<String, Integer>> byCount = all.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey())).toList();
    for (Map.Entry<String, Integer> e : byCount) {
      if (out.size() < MAX_TYPES && !OTHER.equals(e.getKey())) out.put(e.getKey(), e.getValue());
      else other += e.getValue();
    }
    if (other > 0) out.put(OTHER, other);
    return out;
  }

  /**
   * What an acknowledge sends, given what it has just read: everything created before just after
   * the newest notification listed (so one raised after the read is left for the next read and its
   * Event), or null when there is nothing to acknowledge.
   */
  public static NotificationFilter acknowledgeFilter(Notifications page) {
    if (page.total() == 0 || page.resultsOrEmpty().isEmpty()) return null;
    Instant newest = page.resultsOrEmpty().stream().map(n -> time(n.createdAt())).filter(java.util.Objects::nonNull)
        .max(Comparator.naturalOrder()).orElse(null);
    return newest == null ? NotificationFilter.all() : NotificationFilter.all().before(newest.plusMillis(1));
  }

  /** An API time (with an offset or Z; without one, UTC), or null. */
  static Instant time(String s) {
    return dev.herokuconnect.operator.connect.Model.time(s);
  }

  /** An unreadable time sorts as the oldest: such a notification is new on the first read only. */
  private static Instant timeOrEpoch(String s) {
    Instant t = time(s);
    return t == null ? Instant.EPOCH : t;
  }

  static String clip(String s) {
    return s == null ? "" : s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) : s;
  }
}
