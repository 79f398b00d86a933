package dev.herokuconnect.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The one loop both controllers run. Per reconcile it owns what is the same for every kind:
 * status initialisation, the refresh request, turning API failures into outcomes, the
 * conditions, one rule for stall Events, backoff and rescheduling, and writing status only when
 * it changed. What differs per kind (observe → decide → act, and filling status) is a
 * {@link Sync}.
 */
public final class ManagedLoop {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** What one reconcile knows before it starts. */
  public record Pass(Management management, boolean specChanged, boolean refreshRequested, Instant now) {
    /** Spec changes and requests from people go before background refreshes. */
    public Priority priority() {
      return specChanged || refreshRequested ? Priority.USER : Priority.BACKGROUND;
    }
  }

  /** One kind's part of the loop. */
  public interface Sync<R extends CustomResource<?, S>, S extends ConditionedStatus> {
    S newStatus();

    Management management(R resource);

    /** Observe, decide, act and fill status; the outcome says where that left the object. */
    Outcome sync(R resource, S status, Pass pass);

    /** What the loop was doing, for messages: "reconciling mapping Account". */
    String doing(R resource);

    /** What a person does when the API refuses the token. */
    String credentialsHint(R resource);
  }

  /** What a cleanup decided: done, or wait and look again. */
  public record Deletion(boolean done, Duration again) {
    public static final Deletion DONE = new Deletion(true, null);

    public static Deletion waitFor(Duration again) {
      return new Deletion(false, again);
    }
  }

  private final Clock clock;
  private final Intervals intervals;
  private final Events events;
  private final Backoff backoff = new Backoff();

  public ManagedLoop(Clock clock, Intervals intervals, Events events) {
    this.clock = clock;
    this.intervals = intervals;
    this.events = events;
  }

  public <R extends CustomResource<?, S>, S extends ConditionedStatus> UpdateControl<R> reconcile(R r, Sync<R, S> sync) {
    if (r.getStatus() == null) r.setStatus(sync.newStatus());
    S status = r.getStatus();
    JsonNode before = JSON.convertValue(status, JsonNode.class);
    long generation = r.getMetadata().getGeneration();
    String refresh = RequestedAction.RECONCILE.pending(r, status);
    if (refresh != null) RequestedAction.RECONCILE.markHandled(status, refresh); // acted on now; conditions tell how
    Pass pass = new Pass(sync.management(r), !Objects.equals(status.getObservedGeneration(), generation), refresh != null,
        clock.instant());
    Outcome outcome;
    try {
      outcome = sync.sync(r, status, pass);
    } catch (ConnectApiException e) {
      outcome = failure(e, sync.doing(r), sync.credentialsHint(r));
    } catch (IllegalArgumentException e) { // e.g. an apiUrl that is plain http to a remote host
      outcome = Outcome.stalled(Reasons.INVALID_SPEC, e.getMessage(), (Duration) null);
    }
    report(r, status, generation, outcome);
    UpdateControl<R> control = before.equals(JSON.convertValue(status, JsonNode.class))
        ? UpdateControl.noUpdate() : UpdateControl.patchStatus(r);
    Duration again = delay(r, outcome);
    return again == null ? control : control.rescheduleAfter(intervals.real(again));
  }

  /** Conditions from the outcome, and one rule for stall Events: on entering Stalled, or a new reason. */
  private void report(HasMetadata r, ConditionedStatus status, long generation, Outcome outcome) {
    boolean stalledAlready = Conditions.find(status, Conditions.STALLED)
        .map(c -> Conditions.TRUE.equals(c.getStatus()) && outcome.reason().equals(c.getReason())).orElse(false);
    Conditions.apply(status, generation, outcome, clock.instant());
    if (outcome.kind() == Outcome.Kind.STALLED && !stalledAlready) events.warning(r, outcome.reason(), outcome.message());
  }

  /** When to look again: a fixed wait, or the requeue policy with this object's backoff. */
  Duration delay(HasMetadata r, Outcome o) {
    String uid = r.getMetadata().getUid();
    boolean backsOff = o.requeue() == StateTable.Requeue.SETTLING || o.requeue() == StateTable.Requeue.ERROR_BACKOFF;
    if ((o.kind() == Outcome.Kind.READY || o.kind() == Outcome.Kind.IDLE) && !backsOff) backoff.reset(uid);
    if (o.after() != null) return o.after();
    if (o.requeue() == null) return null;
    return switch (o.requeue()) {
      case REFRESH -> intervals.refresh();
      case ACTIVE -> intervals.settling().multipliedBy(3);
      case SETTLING -> backoff.next(uid, intervals.settling(), intervals.refresh());
      case ERROR_BACKOFF -> backoff.next(uid, intervals.settling(), intervals.maxBackoff());
      case PAUSED -> intervals.paused();
    };
  }

  /** A cleanup's decision as the SDK wants it. */
  public DeleteControl deleteControl(HasMetadata r, Deletion d) {
    if (d.done()) {
      backoff.reset(r.getMetadata().getUid());
      events.forget(r); // the object is gone: so is what was kept per object here
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(intervals.real(d.again()));
  }

  /** Backoff for a cleanup that must try again. */
  public Duration retryDelay(HasMetadata r) {
    return backoff.next(r.getMetadata().getUid(), intervals.settling(), intervals.maxBackoff());
  }

  /** The outcome for a failed call; {@code doing} says what was being done. */
  public Outcome failure(ConnectApiException e, String doing, String credentialsHint) {
    if (e instanceof ConnectApiException.RateLimited r) {
      return Outcome.blocked(Reasons.RATE_LIMITED, "waiting for API budget while " + doing + ": " + r.getMessage(), until(r.retryAt()));
    }
    if (e instanceof ConnectApiException.Throttled t) {
      return Outcome.progressing(Reasons.THROTTLED, "the API answered 429 while " + doing
          + "; no request goes to this connection before " + t.until(), until(t.until()));
    }
    if (e instanceof SnapshotCache.StillFetching w) { // nothing failed: another reconcile's read is slow; come back soon
      return Outcome.blocked(Reasons.WAITING_FOR_SNAPSHOT, w.getMessage() + " (while " + doing + ")", StateTable.Requeue.SETTLING);
    }
    if (e instanceof ConnectApiException.Unauthorized || e instanceof ConnectApiException.Forbidden) {
      return Outcome.stalled(Reasons.UNAUTHORIZED, e.getMessage() + " (while " + doing + "); " + credentialsHint,
          StateTable.Requeue.ERROR_BACKOFF);
    }
    if (e instanceof ConnectApiException.BadRequest b) {
      return Outcome.stalled(Reasons.INVALID_SPEC, "the API refused the spec while " + doing + ": " + b.describe()
          + "; fix the spec (the operator tries again when it changes)", (Duration) null);
    }
    return Outcome.blocked(Reasons.REMOTE_ERROR, e.getMessage() + " (while " + doing + "); retrying with backoff",
        StateTable.Requeue.ERROR_BACKOFF);
  }

  Duration until(Instant at) {
    Duration d = Duration.between(clock.instant(), at);
    return d.isNegative() ? Duration.ofSeconds(1) : d.plusMillis(50);
  }

  int held() { return backoff.held(); }

  public Events events() { return events; }

  public Intervals intervals() { return intervals; }

  public Clock clock() { return clock; }
}
