package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.connect.ConnectApiException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Turns API failures into conditions, and chooses when to look again. */
final class Outcomes {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private Outcomes() {}

  /**
   * The outcome for a failed call. {@code what} says what was being done, e.g.
   * "creating the remote mapping for Account".
   */
  static Outcome of(ConnectApiException e, String what, String credentialsHint, Services s, HasMetadata object) {
    String uid = object.getMetadata().getUid();
    if (e instanceof ConnectApiException.RateLimited r) {
      return Outcome.blocked(Reasons.RATE_LIMITED, "waiting for API budget while " + what + ": " + r.getMessage(),
          until(r.retryAt(), s.clock));
    }
    if (e instanceof ConnectApiException.Throttled t) {
      return Outcome.blocked(Reasons.THROTTLED, "the API answered 429 while " + what
          + "; no request goes to this connection before " + t.until(), until(t.until(), s.clock));
    }
    if (e instanceof ConnectApiException.Unauthorized || e instanceof ConnectApiException.Forbidden) {
      return Outcome.stalled(Reasons.UNAUTHORIZED, e.getMessage() + " (while " + what + "); " + credentialsHint,
          s.backoff.next(uid));
    }
    if (e instanceof ConnectApiException.BadRequest b) {
      return Outcome.stalled(Reasons.INVALID_SPEC, "the API refused the spec while " + what + ": " + b.describe()
          + "; fix the spec (the operator retries when it changes)", null);
    }
    return Outcome.blocked(Reasons.REMOTE_ERROR, e.getMessage() + " (while " + what + "); retrying with backoff",
        s.backoff.next(uid));
  }

  static Duration until(Instant at, Clock clock) {
    Duration d = Duration.between(clock.instant(), at);
    return d.isNegative() ? Duration.ofSeconds(1) : d.plusMillis(50);
  }

  /** Patch the status only if it changed since {@code before}; look again when the outcome says. */
  static <R extends HasMetadata> io.javaoperatorsdk.operator.api.reconciler.UpdateControl<R> control(
      R resource, Object before, Object status, Outcome o, Services s) {
    var control = before.equals(snapshotOf(status))
        ? io.javaoperatorsdk.operator.api.reconciler.UpdateControl.<R>noUpdate()
        : io.javaoperatorsdk.operator.api.reconciler.UpdateControl.patchStatus(resource);
    return o.requeue() == null ? control : control.rescheduleAfter(s.realDelay(o.requeue()));
  }

  /** Status as JSON, to tell whether a reconcile changed anything worth writing. */
  static Object snapshotOf(Object status) {
    return JSON.convertValue(status, com.fasterxml.jackson.databind.JsonNode.class);
  }
}
