package dev.herokuconnect.operator.reconciler.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one loop both controllers run. Per reconcile it owns what is the same for every kind:
 * status initialisation, the refresh request, turning API failures into outcomes, the
 * conditions, one rule for stall Events, backoff and rescheduling, and writing status only when
 * it changed; and the sequence of every pass: observe → decide → act → report, a second round
 * after writes, and the same for a deletion. What differs per kind (its external client, its
 * pure decisions, its report) is a {@link Kind}.
 */
public final class ManagedLoop {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final Logger log = LoggerFactory.getLogger(ManagedLoop.class);

  /**
   * What one reconcile knows before it starts. {@code specChanged}: the spec has not been acted on
   * yet (status.observedGeneration is behind metadata.generation; see {@link #actedOn}).
   * {@code refreshRequested}: a refresh asked for by annotation, handled by this pass.
   * {@code actionRequested}: a restart, reload, abort, validation or acknowledge asked for by
   * annotation and not handled yet.
   */
  public record Pass(Management management, boolean specChanged, boolean refreshRequested, boolean actionRequested,
                     Instant now) {
    /**
     * The one priority rule: what people asked for goes before background refreshes until it has
     * been acted on, so a retry keeps the place of the first attempt. Background work may not use
     * the last fifth of the bucket (ApiBudget), which is kept for this.
     */
    public Priority priority() {
      return specChanged || refreshRequested || actionRequested ? Priority.USER : Priority.BACKGROUND;
    }
  }

  /**
   * What a cleanup decided: done; wait a fixed time ({@code again}); or try again with the object's
   * backoff ({@code again} null), after a failure the loop reports ({@code failed}, with what was being done).
   */
  public record Deletion(boolean done, Duration again, ConnectApiException failed, String doing) {
    public static final Deletion DONE = new Deletion(true, null, null, null);

    /** Not now: look again with the object's backoff. */
    public static Deletion retry() {
      return new Deletion(false, null, null, null);
    }

    /** A call failed while {@code doing}: the loop says so in a DeleteFailed Warning and tries again. */
    public static Deletion failed(ConnectApiException e, String doing) {
      return new Deletion(false, null, e, doing);
    }
  }

  private final Clock clock;
  private final Intervals intervals;
  private final Events events;
  private final Backoff backoff = new Backoff();
  /**
   * When each object's last reconcile that reached the API without failing ended (this process's
   * view: after a restart the clock starts again). Reads that have failed for longer than
   * {@link #STALE_AFTER_REFRESHES} refresh intervals make a Ready object not Ready.
   */
  private final Map<String, Instant> lastGoodRead = new ConcurrentHashMap<>();
  static final int STALE_AFTER_REFRESHES = 3;

  /**
   * The uids of the objects that exist now (the informer caches). An object that goes without a
   * finished cleanup (its finalizer removed by hand) leaves no entry behind: each finished cleanup
   * keeps only what belongs to these.
   */
  private volatile java.util.function.Supplier<java.util.Set<String>> live = () -> null;

  public ManagedLoop(Clock clock, Intervals intervals, Events events) {
    this.clock = clock;
    this.intervals = intervals;
    this.events = events;
  }

  public void useLiveObjects(java.util.function.Supplier<java.util.Set<String>> live) {
    this.live = live;
  }

  public <R extends CustomResource<?, S>, S extends ConditionedStatus> UpdateControl<R> reconcile(R r, Kind<R, S, ?, ?> sync) {
    if (r.getStatus() == null) r.setStatus(sync.newStatus());
    S status = r.getStatus();
    JsonNode before = JSON.convertValue(status, JsonNode.class);
    long generation = r.getMetadata().getGeneration();
    Long observed = status.getObservedGeneration();
    String refresh = RequestedAction.RECONCILE.pending(r, status);
    if (refresh != null) RequestedAction.RECONCILE.markHandled(status, refresh); // acted on now; conditions tell how
    Management management = sync.management(r);
    List<Events.Note> skipped = new java.util.ArrayList<>();
    for (RequestedAction.Request q : RequestedAction.skippedWhileObserving(management, r, status)) {
      q.action().markSkipped(status, q.value(), management.why());
      skipped.add(Events.Note.normal(q.action().skippedReason(), q.describe() + " was not sent (" + management.why()
          + "), and will not be sent later: set it to a new value once the object is managed"));
    }
    boolean asked = Arrays.stream(RequestedAction.values())
        .anyMatch(a -> a != RequestedAction.RECONCILE && a.appliesTo(status) && a.pending(r, status) != null);
    Pass pass = new Pass(management, !Objects.equals(observed, generation), refresh != null, asked, clock.instant());
    Reconcile<R, S> ctx = new Reconcile<>(r, pass);
    skipped.forEach(ctx::note);
    Outcome outcome;
    ConnectApiException stoppedBy = null;
    try {
      outcome = run(ctx, sync);
      lastGoodRead.put(r.getMetadata().getUid(), clock.instant());
    } catch (RuntimeException e) {
      if (e instanceof RefusedByState) lastGoodRead.put(r.getMetadata().getUid(), clock.instant()); // the reads went well
      stoppedBy = e instanceof ConnectApiException api ? api : null;
      outcome = outcomeOf(e, r, sync.doing(r), sync.credentialsHint(r));
      if (stoppedBy != null) outcome = stale(r, outcome); // a failed read
    } finally {
      sync.reportAlways(ctx);
    }
    ctx.notes().forEach(n -> events.emit(r, n)); // what the pass did, then what it leaves (below)
    report(r, status, generation, outcome);
    if (!actedOn(outcome, stoppedBy)) status.setObservedGeneration(observed); // the spec stays pending (conditions say why)
    UpdateControl<R> control = before.equals(JSON.convertValue(status, JsonNode.class))
        ? UpdateControl.noUpdate() : UpdateControl.patchStatus(r);
    // A write starts a new situation: what it left is looked at soon, whatever backoff the waiting before it had built up.
    if (ctx.wrote()) backoff.reset(r.getMetadata().getUid());
    Duration again = delay(r, outcome);
    return again == null ? control : control.rescheduleAfter(intervals.real(again));
  }

  /**
   * Rounds of decide → act in one pass, each deciding on what the one before left: a connection's
   * configure then pause takes two; a change of its Salesforce API version (preview, pause,
   * change, resume) four. The bound keeps a decision that never settles from looping.
   */
  static final int ROUNDS = 4;

  /**
   * One pass of a kind: observe, decide, act (each step through the kind's external client); after a
   * round of steps, observe what they left ({@link Kind#observeAfter}: a read, or the steps' own
   * answers) and decide once more (at most {@link #ROUNDS} rounds); then report. An exception ends
   * the pass where it was thrown.
   */
  private static <R extends CustomResource<?, S>, S extends ConditionedStatus, O, T extends PlannedStep> Outcome run(
      Reconcile<R, S> ctx, Kind<R, S, O, T> kind) {
    ExternalClient<R, S, O, T> external = kind.external();
    O seen = external.observe(ctx);
    Decision<T> decided = kind.decide(seen);
    List<T> done = new java.util.ArrayList<>();
    for (int round = 1; round <= ROUNDS && !decided.steps().isEmpty(); round++) {
      List<T> steps = decided.steps();
      for (T step : steps) {
        if (step.writes()) ctx.sentAWrite(); // before the step: one that fails may have changed the remote too
        seen = external.act(step, ctx, seen);
        done.add(step);
      }
      O after = kind.observeAfter(ctx, seen, steps);
      if (after == null) break;
      seen = after;
      if (round < ROUNDS) decided = kind.decide(seen);
    }
    return kind.report(ctx, seen, decided, done);
  }

  /**
   * A failed read says nothing new about a Ready object (BLOCKED keeps Ready), but only for so long:
   * after {@link #STALE_AFTER_REFRESHES} refresh intervals without a good read it is not Ready.
   */
  private Outcome stale(HasMetadata r, Outcome failed) {
    if (failed.kind() != Outcome.Kind.BLOCKED) return failed;
    Instant since = lastGoodRead.computeIfAbsent(r.getMetadata().getUid(), uid -> clock.instant());
    Duration limit = intervals.refresh().multipliedBy(STALE_AFTER_REFRESHES);
    if (Duration.between(since, clock.instant()).compareTo(limit) <= 0) return failed;
    return new Outcome(Outcome.Kind.PROGRESSING, failed.reason(), "no successful read since " + since.truncatedTo(ChronoUnit.SECONDS)
        + " (over " + STALE_AFTER_REFRESHES + " refresh intervals): what status shows may be out of date; last error: "
        + failed.message(), failed.requeue(), failed.after());
  }

  /**
   * What a pass met, as an outcome: the one mapping, for reconciles and cleanups alike, of every
   * exception a pass can throw. A write refused by the remote state waits; a refused URL is the spec's (or an answer's) fault; a Kubernetes
   * failure is named; anything else is a bug or a part that failed in a way nobody foresaw, and
   * never leaves Ready=True standing.
   */
  private Outcome outcomeOf(RuntimeException e, HasMetadata r, String doing, String credentialsHint) {
    if (e instanceof RefusedByState refused) return refused.outcome();
    if (e instanceof ConnectApiException api) return failure(api, doing, credentialsHint);
    if (e instanceof dev.herokuconnect.operator.connect.RefusedUrl) return Outcome.stalled(Reasons.INVALID_SPEC, e.getMessage(), (Duration) null);
    if (e instanceof io.fabric8.kubernetes.client.KubernetesClientException k) return kubernetesFailure(k, doing);
    log.error("unexpected error while {} ({}/{})", doing, r.getMetadata().getNamespace(), r.getMetadata().getName(), e);
    return unexpected(e, doing);
  }

  /** Waiting for the budget, a 429's end or another reconcile's read: nothing failed and nothing was sent. */
  static boolean onlyWaiting(Outcome o) {
    return Reasons.RATE_LIMITED.equals(o.reason()) || Reasons.THROTTLED.equals(o.reason())
        || Reasons.WAITING_FOR_SNAPSHOT.equals(o.reason());
  }

  /** The Kubernetes API refused or failed a call the pass made (status writes are the SDK's). */
  static Outcome kubernetesFailure(io.fabric8.kubernetes.client.KubernetesClientException e, String doing) {
    String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    String what = "the Kubernetes API answered " + e.getCode() + " while " + doing + ": " + detail;
    if (e.getCode() == 403) {
      return Outcome.stalled(Reasons.UNAUTHORIZED, what + "; the operator's service account lacks a permission (the chart's "
          + "RBAC grants it: see README, RBAC)", StateTable.Requeue.ERROR_BACKOFF);
    }
    return Outcome.blocked(Reasons.REMOTE_ERROR, what + "; retrying with backoff", StateTable.Requeue.ERROR_BACKOFF);
  }

  /** An exception the loop does not expect: conditions and an Event say so, and it is tried again with backoff. */
  static Outcome unexpected(RuntimeException e, String doing) {
    return Outcome.stalled(Reasons.INTERNAL_ERROR, "unexpected error while " + doing + ": " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "; the operator tries again with backoff (if it persists, "
        + "report it with the operator's log)", StateTable.Requeue.ERROR_BACKOFF);
  }

  /**
   * For the SDK's error-status hook: an exception that escaped the reconcile (a status write that
   * failed, say). Sets the conditions as {@link #unexpected} does; the SDK retries with backoff.
   */
  public <R extends CustomResource<?, S>, S extends ConditionedStatus> ErrorStatusUpdateControl<R> errorStatus(
      R r, Kind<R, S, ?, ?> sync, Exception e) {
    if (r.getStatus() == null) r.setStatus(sync.newStatus());
    RuntimeException cause = e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
    report(r, r.getStatus(), r.getMetadata().getGeneration(), unexpected(cause, sync.doing(r)));
    return ErrorStatusUpdateControl.patchStatus(r);
  }

  /**
   * Whether a pass acted on the spec it saw: applied it, found nothing to do, or had it refused
   * (400, 401/403: a person must act). A pass stopped by the budget, a 429, a request that failed
   * on the way, or waiting for its connection did not; it leaves status.observedGeneration where it was (as Flux does on transient
   * errors), so the next pass still sees a spec change: a fresh read, and USER priority.
   */
  static boolean actedOn(Outcome o, ConnectApiException stoppedBy) {
    if (onlyWaiting(o)) return false;
    // waiting for its connection (missing, not set up, not authorized, stalled): nothing was sent for this spec yet
    if (o.kind() == Outcome.Kind.PROGRESSING && Reasons.CONNECTION_NOT_READY.equals(o.reason())) return false;
    return stoppedBy == null || stoppedBy instanceof ConnectApiException.BadRequest
        || stoppedBy instanceof ConnectApiException.Unauthorized || stoppedBy instanceof ConnectApiException.Forbidden;
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
      case REFRESH -> jittered(intervals.refresh());
      case ACTIVE -> intervals.settling().multipliedBy(3);
      case SETTLING -> backoff.next(uid, intervals.settling(), intervals.refresh());
      case ERROR_BACKOFF -> backoff.next(uid, intervals.settling(), intervals.maxBackoff());
      case PAUSED -> intervals.paused();
    };
  }

  /** Refreshes spread over a tenth of the interval, so a thousand objects applied together do not poll in the same second. */
  static final double REFRESH_JITTER = 0.1;

  static Duration jittered(Duration refresh) {
    long spread = (long) (refresh.toMillis() * REFRESH_JITTER);
    return spread <= 0 ? refresh : refresh.plusMillis(java.util.concurrent.ThreadLocalRandom.current().nextLong(spread + 1));
  }

  /**
   * The cleanup of an object being deleted, through the same loop: the kind's cleanup observes, its
   * pure decision chooses (and says whether the finalizer goes, waits or the step is sent), the
   * step is sent; the loop writes the Events, reports a failure, backs off, and once it is done lets
   * the kind release what it kept ({@link Kind#deleted}).
   */
  public <R extends CustomResource<?, S>, S extends ConditionedStatus> DeleteControl cleanup(R r, Kind<R, S, ?, ?> sync) {
    if (r.getStatus() == null) r.setStatus(sync.newStatus());
    Reconcile<R, S> ctx = new Reconcile<>(r, new Pass(sync.management(r), false, false, false, clock.instant()));
    Deletion d;
    Outcome failed = null; // anything a cleanup can meet is reported and retried with backoff, never thrown to the SDK
    String doing = "cleaning up (" + sync.doing(r) + ")";
    try {
      d = runCleanup(ctx, sync.cleanup());
      if (d.failed() != null) failed = failure(d.failed(), d.doing(), sync.credentialsHint(r));
    } catch (RuntimeException e) {
      d = Deletion.retry();
      failed = outcomeOf(e, r, doing, sync.credentialsHint(r));
    }
    ctx.notes().forEach(n -> events.emit(r, n));
    String uid = r.getMetadata().getUid();
    if (d.done()) {
      sync.deleted(r);
      backoff.reset(uid);
      lastGoodRead.remove(uid);
      events.forget(r); // the object is gone: so is what was kept per object here
      java.util.Set<String> exist = live.get();
      if (exist != null) { // and what objects gone without a cleanup left behind
        lastGoodRead.keySet().retainAll(exist);
        backoff.retain(exist);
        events.retain(exist);
        sync.retain(exist);
      }
      return DeleteControl.defaultDelete();
    }
    Duration again = d.again();
    if (failed != null) {
      again = failed.after() != null ? failed.after() : backoff.next(uid, intervals.settling(), intervals.maxBackoff());
      if (!onlyWaiting(failed)) events.warning(r, "DeleteFailed", failed.message() + "; trying again in " + again.toSeconds() + " s");
    } else if (again == null) {
      again = backoff.next(uid, intervals.settling(), intervals.maxBackoff());
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(intervals.real(again));
  }

  /** Observe → decide → act for a deletion; the decision's Event is written whatever the step meets. */
  private <R extends CustomResource<?, S>, S extends ConditionedStatus, D, T> Deletion runCleanup(
      Reconcile<R, S> ctx, Cleanup<R, S, D, T> cleanup) {
    D seen = cleanup.observe(ctx);
    Cleanup.Verdict<T> v = cleanup.decide(seen);
    ctx.note(v.event());
    return switch (v.finish()) {
      case DONE -> Deletion.DONE;
      case RETRY -> Deletion.retry();
      case POLL -> new Deletion(false, intervals.settling(), null, null);
      case ACT -> cleanup.act(v.step(), ctx, seen);
    };
  }

  /** The outcome for a failed call; {@code doing} says what was being done. */
  Outcome failure(ConnectApiException e, String doing, String credentialsHint) {
    if (e instanceof ConnectApiException.RateLimited r) {
      return Outcome.blocked(Reasons.RATE_LIMITED, "waiting for API budget while " + doing + ": " + r.getMessage(), until(r.retryAt()));
    }
    if (e instanceof ConnectApiException.Throttled t) {
      return Outcome.progressing(Reasons.THROTTLED, "the API answered 429 while " + doing
          + "; no request goes to this connection before " + t.until(), until(t.until()));
    }
    if (e instanceof ConnectApiException.StillFetching w) { // nothing failed: another reconcile's read is slow; come back soon
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
    return until(clock.instant(), at);
  }

  /** Entries held per map, for Controllers.held(). */
  public Map<String, Integer> held() { return Map.of("backoff", backoff.held(), "last good reads", lastGoodRead.size()); }

  /** How long until {@code at}, from {@code now}: a wait that ends just after it (at least a second). */
  public static Duration until(Instant now, Instant at) {
    Duration d = Duration.between(now, at);
    return d.isNegative() ? Duration.ofSeconds(1) : d.plusMillis(50);
  }
}
