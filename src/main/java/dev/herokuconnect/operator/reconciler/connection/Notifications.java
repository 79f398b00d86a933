package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model.NotificationFilter;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.NotificationsReadStatus;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import java.time.Clock;
import java.time.Instant;

/**
 * Sends the notification steps {@link NotificationDecisions} chose. A read is one GET
 * /connections/{id}/notifications (every unacknowledged one, a page of 1,000) at BACKGROUND
 * priority: the budget may defer it (then nothing is recorded and a later pass tries again), and a
 * failed one is recorded with its time, so it is tried again after the interval, not on every
 * pass. An acknowledge (USER priority, asked for by annotation) reads first, so the new
 * notifications become Events, then acknowledges only what it read, once per value through the
 * {@link ActionLedger}. Everything it learns goes into status (which is why a restart reads no
 * earlier and turns nothing into an Event twice).
 */
final class Notifications {
  private final Intervals intervals;
  private final Clock clock;
  private final ActionLedger actions;

  Notifications(Intervals intervals, Clock clock, ActionLedger actions) {
    this.intervals = intervals;
    this.clock = clock;
    this.actions = actions;
  }

  /** The decision's facts for this pass. */
  NotificationDecisions.Facts facts(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, String state) {
    return NotificationDecisions.facts(ctx.resource(), ctx.status(), ctx.management(), state, intervals.notifications(), clock.instant());
  }

  /** One notification step (the connection's act hands over these three and no other). */
  void act(Step step, Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionObservation o) {
    ConnectionApi api = o.where().api();
    String id = o.where().connectionId();
    switch (step) {
      case READ_NOTIFICATIONS -> read(ctx, api.withPriority(Priority.BACKGROUND), id);
      case ACKNOWLEDGE_NOTIFICATIONS -> acknowledge(ctx, api.withPriority(Priority.USER), id, o.notices().acknowledge());
      case FORGET_NOTIFICATIONS -> {
        ctx.status().setNotifications(null);
        ctx.status().setNotificationsRead(null);
      }
      default -> throw new IllegalStateException(step + " is not a notification step"); // the connection's own steps are its act's
    }
  }

  /** The periodic read: failures are recorded in status and never end the pass (the connection is read fine). */
  private void read(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionApi api, String id) {
    HerokuConnectionStatus status = ctx.status();
    Instant now = clock.instant();
    dev.herokuconnect.operator.connect.Model.Notifications page;
    try {
      page = api.notifications(id, NotificationFilter.all());
    } catch (ConnectApiException.RateLimited deferred) {
      return; // nothing left the process: the budget paces the next try, not the interval
    } catch (ConnectApiException e) {
      NotificationsReadStatus read = status.getNotificationsRead() != null ? status.getNotificationsRead() : new NotificationsReadStatus();
      read.setReadAt(now.toString()); // tried: again after the interval
      read.setError(NotificationDecisions.clip(e.getMessage()));
      status.setNotificationsRead(read);
      return;
    }
    apply(ctx, NotificationDecisions.read(status.getNotificationsRead(), page, now));
  }

  /** Reads (USER: what the read meets ends the pass, and the request stays pending), then acknowledges what it read, once per value. */
  private void acknowledge(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionApi api, String id, Request request) {
    HerokuConnectionStatus status = ctx.status();
    dev.herokuconnect.operator.connect.Model.Notifications page = api.notifications(id, NotificationFilter.all());
    apply(ctx, NotificationDecisions.read(status.getNotificationsRead(), page, clock.instant()));
    NotificationFilter filter = NotificationDecisions.acknowledgeFilter(page);
    String asked = "(" + request.describe() + ")";
    if (filter == null) {
      actions.send(ctx, request, () -> {}, request.action().doneReason(), "no unacknowledged notification to acknowledge " + asked);
      return;
    }
    int count = page.total();
    boolean sent = actions.send(ctx, request, () -> api.acknowledgeNotifications(id, filter), request.action().doneReason(),
        "acknowledged " + count + " notification(s) " + asked);
    if (sent) {
      status.setNotifications(null);
      status.getNotificationsRead().setUnacknowledged(0);
      status.getNotificationsRead().setByType(null);
    }
  }

  private static void apply(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, NotificationDecisions.Read read) {
    ctx.status().setNotifications(read.newest());
    ctx.status().setNotificationsRead(read.summary());
    read.events().forEach(ctx::note);
  }
}
