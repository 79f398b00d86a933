package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model.ValidationRun;
import dev.herokuconnect.operator.connect.ValidationPoller;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.ValidationStatus;
import dev.herokuconnect.operator.reconciler.cluster.ValidationSummaries;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The validate-requested-at action on a HerokuConnection, as the public client runs it: start the
 * API's validations once per requested value (POST /connections/{id}/validations), then GET its
 * {@code result_url} on later reconciles, one GET each, {@link #pollEvery} apart, until the HTTP
 * status is 200 (202 while running). The polling is bounded ({@link ValidationPoller}: attempts and
 * time since the start, kept in status.validation so a restart does not reset them): a run that does
 * not finish within them ends Failed with the reason, and is not polled again. The result is read
 * in its public shape (the mappings' checks included) into status.validation, with one Event.
 * Observe-only requests never reach here: the loop marks them skipped ({@link RequestedAction#markSkipped}).
 */
public final class Validations {
  public static final String RUNNING = ValidationStatus.RUNNING;
  public static final String COMPLETE = ValidationStatus.COMPLETE;
  public static final String FAILED = ValidationStatus.FAILED;

  private final ValidationPoller poller;
  private final Clock clock;

  Validations(ValidationPoller poller, Clock clock) {
    this.poller = poller;
    this.clock = clock;
  }

  /** How long to wait between two GETs of a run's result_url. */
  Duration pollEvery() {
    return poller.policy().interval();
  }

  /** What a pass does for the validation asked for: start a run, or poll the one started for this value. */
  enum Next { START, POLL }

  /** Pure: a run is started once per requested value; a run of this value with a result URL is polled. */
  static Next next(String asked, ValidationStatus recorded) {
    boolean started = recorded != null && asked.equals(recorded.getRequestedAt()) && ValidationStatus.RUNNING.equals(recorded.getState())
        && recorded.getResultUrl() != null && recorded.getStartedAt() != null;
    return started ? Next.POLL : Next.START;
  }

  /** Advances the validation asked for, if any; true while a run is waiting for its result (poll again after {@link #pollEvery}). */
  boolean advance(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionApi api, String connectionId) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    String asked = RequestedAction.VALIDATE.pending(c, status);
    if (asked == null) return false;
    ValidationStatus v = status.getValidation();
    if (next(asked, v) == Next.START) {
      v = new ValidationStatus();
      v.setRequestedAt(asked);
      v.setStartedAt(clock.instant().toString());
      v.setPolls(0);
      ValidationRun run;
      try {
        run = api.startValidation(connectionId);
      } catch (ConnectApiException.RateLimited | ConnectApiException.Throttled notSent) {
        throw notSent; // nothing left: asked again on the next pass
      } catch (ConnectApiException e) {
        status.setValidation(v);
        return end(ctx, v, asked, "POST /connections/{id}/validations failed: " + e.getMessage() + "; ask for a new validation");
      }
      status.setValidation(v);
      if (run == null || run.resultUrl() == null || run.resultUrl().isBlank()) {
        return end(ctx, v, asked, "the API's answer to POST /connections/{id}/validations has no result_url to poll");
      }
      v.setState(RUNNING);
      v.setResultUrl(run.resultUrl());
      return true; // polled on the next pass
    }
    ValidationPoller.Outcome o;
    try {
      o = poller.poll(api, new ValidationPoller.Progress(v.getResultUrl(), startedAt(v), v.getPolls() == null ? 0 : v.getPolls()));
    } catch (ConnectApiException.RateLimited | ConnectApiException.Throttled notSent) {
      throw notSent; // nothing left: the pass waits, the run stays as it is
    } catch (ConnectApiException e) {
      v.setPolls((v.getPolls() == null ? 0 : v.getPolls()) + 1);
      return end(ctx, v, asked, "GET " + v.getResultUrl() + " failed: " + e.getMessage() + "; ask for a new validation");
    }
    v.setPolls(o.progress().polls());
    return switch (o.state()) {
      case RUNNING -> true;
      case FAILED -> end(ctx, v, asked, o.reason());
      case COMPLETE -> {
        ValidationSummaries.summarize(v, o.results());
        v.setState(COMPLETE);
        v.setCompletedAt(clock.instant().toString());
        RequestedAction.VALIDATE.markHandled(status, asked);
        ctx.note(ValidationSummaries.finished("validation", asked, v));
        yield false;
      }
    };
  }

  /** The run ends without a result: Failed with the reason, handled (a new value asks again), one Warning. */
  private boolean end(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ValidationStatus v, String asked, String reason) {
    v.setState(FAILED);
    v.setReason(ValidationSummaries.clip(reason));
    v.setCompletedAt(clock.instant().toString());
    RequestedAction.VALIDATE.markHandled(ctx.status(), asked);
    ctx.note(ValidationSummaries.failed("validation", asked, reason));
    return false;
  }

  /** When the run started, as recorded; an unreadable time counts as long ago (the time bound ends it). */
  private static Instant startedAt(ValidationStatus v) {
    try {
      return Instant.parse(v.getStartedAt());
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
