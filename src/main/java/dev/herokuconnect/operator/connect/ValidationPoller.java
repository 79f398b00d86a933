package dev.herokuconnect.operator.connect;

import dev.herokuconnect.operator.connect.Model.ValidationReply;
import dev.herokuconnect.operator.connect.Model.ValidationResults;
import dev.herokuconnect.operator.connect.Model.ValidationRun;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Polls a validation ("diagnose") run as the public client does, within bounds. The Heroku CLI
 * plugin (src/commands/connect/diagnose.ts, run) POSTs /connections/{id}/validations, then GETs the
 * {@code result_url} until the HTTP status is 200 (202 while running), at most 601 times 500 ms
 * apart, and reports "There was an issue retrieving validations" when none came. The status code
 * decides, never a field of the body (the body of the result has none).
 *
 * <p>Here a run may take {@link Policy#maxPolls()} GETs and {@link Policy#maxTime()} since it was
 * started, whichever ends first; then it is {@link State#FAILED} with the reason, and no further
 * GET is sent. {@link #poll} is one step (for a caller that polls across reconciles and keeps the
 * {@link Progress} in its status); {@link #run} starts a run and polls it to the end, pausing
 * {@link Policy#interval()} between GETs. Every request goes through the API given, so through its
 * request gate and budget, with its priority. Failed requests are thrown, as everywhere in the client.
 */
public final class ValidationPoller {
  /** How many GETs a run may take, for how long after its start, and the pause between two GETs in {@link #run}. */
  public record Policy(int maxPolls, Duration maxTime, Duration interval) {
    /** 30 GETs, 10 s apart, within 5 minutes (the plugin stops after about 5 minutes too, but polls every 500 ms). */
    public static final Policy DEFAULT = new Policy(30, Duration.ofMinutes(5), Duration.ofSeconds(10));

    public Policy {
      if (maxPolls < 1) throw new IllegalArgumentException("maxPolls must be at least 1");
      Objects.requireNonNull(maxTime, "maxTime");
      Objects.requireNonNull(interval, "interval");
    }
  }

  /** Where a run stands: its result URL, when it was started, how many GETs it has had. */
  public record Progress(String resultUrl, Instant startedAt, int polls) {
    public Progress {
      Objects.requireNonNull(resultUrl, "resultUrl");
      Objects.requireNonNull(startedAt, "startedAt");
    }

    Progress polled() { return new Progress(resultUrl, startedAt, polls + 1); }
  }

  public enum State { RUNNING, COMPLETE, FAILED }

  /** RUNNING (poll again), COMPLETE (with the results) or FAILED (with the reason); with the progress after this step. */
  public record Outcome(State state, ValidationResults results, String reason, Progress progress) {
    static Outcome running(Progress p) { return new Outcome(State.RUNNING, null, null, p); }
    static Outcome complete(ValidationResults r, Progress p) { return new Outcome(State.COMPLETE, r, null, p); }
    static Outcome failed(String reason, Progress p) { return new Outcome(State.FAILED, null, reason, p); }
  }

  /** Waits between two GETs of {@link #run}; tests move a clock instead. */
  @FunctionalInterface
  public interface Pacer {
    void pause(Duration d) throws InterruptedException;

    Pacer SLEEP = d -> Thread.sleep(d.toMillis());
  }

  private final Policy policy;
  private final Clock clock;

  public ValidationPoller(Policy policy, Clock clock) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Policy policy() { return policy; }

  /**
   * One step: FAILED without a request when the run is past its bounds; else one GET of the result
   * URL: 200 is COMPLETE, 202 is RUNNING, or FAILED when that was the last GET the bounds allow.
   */
  public Outcome poll(ConnectionApi api, Progress progress) {
    String over = overBounds(progress);
    if (over != null) return Outcome.failed(over, progress);
    ValidationReply reply = api.validationReply(progress.resultUrl());
    Progress next = progress.polled();
    if (reply.complete()) return Outcome.complete(reply.results(), next);
    over = overBounds(next);
    return over == null ? Outcome.running(next) : Outcome.failed(over, next);
  }

  /** Starts a run on {@code connectionId} and polls it until it is COMPLETE or FAILED. */
  public Outcome run(ConnectionApi api, String connectionId, Pacer pacer) throws InterruptedException {
    ValidationRun started = api.startValidation(connectionId);
    if (started == null || started.resultUrl() == null || started.resultUrl().isBlank()) {
      throw new ConnectApiException.UnexpectedResponse("POST /connections/{id}/validations", 202,
          "POST /connections/{id}/validations: the answer has no result_url to poll");
    }
    Progress progress = new Progress(started.resultUrl(), clock.instant(), 0);
    while (true) {
      Outcome o = poll(api, progress);
      if (o.state() != State.RUNNING) return o;
      progress = o.progress();
      pacer.pause(policy.interval());
    }
  }

  /** Why the run may not be polled again, or null. */
  private String overBounds(Progress p) {
    Duration elapsed = Duration.between(p.startedAt(), clock.instant());
    boolean polls = p.polls() >= policy.maxPolls();
    boolean time = elapsed.compareTo(policy.maxTime()) >= 0;
    if (!polls && !time) return null;
    return "the validation was still running after " + p.polls() + " poll(s) in " + seconds(elapsed) + " (at most "
        + policy.maxPolls() + " polls within " + seconds(policy.maxTime()) + "): no result was read from " + p.resultUrl()
        + "; ask for a new validation";
  }

  private static String seconds(Duration d) {
    return Math.max(0, d.toMillis()) / 100 / 10.0 + " s";
  }
}
