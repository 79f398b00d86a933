package dev.herokuconnect.operator.reconciler.connection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model.ValidationRun;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.ValidationStatus.Finding;
import dev.herokuconnect.operator.crd.ValidationStatus;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validate-requested-at action: start the API's validations once per requested value, poll
 * the result URL on later reconciles (the loop's backoff paces it, each poll paid from the
 * budget), and write a bounded summary into status.validation with one Event.
 */
public final class Validations {
  static final String RUNNING = "Running";
  public static final String COMPLETE = "Complete";
  static final String SKIPPED = "Skipped";
  private static final int MAX_FINDINGS = 20;
  private static final int MAX_MESSAGE = 256;

  /** Advances the validation asked for, if any; true while a run is waiting for its result. */
  boolean advance(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionApi api, String connectionId) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    Instant now = ctx.now();
    boolean mayPost = ctx.management().writes();
    Events events = ctx;
    String asked = RequestedAction.VALIDATE.pending(c, status);
    if (asked == null) return false;
    ValidationStatus v = status.getValidation();
    if (!mayPost) { // observe-only sends no POST, not even this one
      v = new ValidationStatus();
      v.setRequestedAt(asked);
      v.setState(SKIPPED);
      status.setValidation(v);
      RequestedAction.VALIDATE.markHandled(status, asked);
      events.normal(c, "ValidationSkipped", "validation " + asked + " not run: observe-only sends no POST; switch to manage to run it");
      return false;
    }
    if (v == null || !asked.equals(v.getRequestedAt())) {
      ValidationRun run = api.startValidation(connectionId);
      v = new ValidationStatus();
      v.setRequestedAt(asked);
      v.setState(RUNNING);
      v.setResultUrl(run.resultUrl());
      v.setStartedAt(now.toString());
      status.setValidation(v);
      if (!isDone(run)) return true;
      summarize(v, run.results());
    } else {
      ValidationRun result = api.validationResult(v.getResultUrl());
      if (!isDone(result)) return true;
      summarize(v, result.results());
    }
    v.setState(COMPLETE);
    v.setCompletedAt(now.toString());
    RequestedAction.VALIDATE.markHandled(status, asked);
    String summary = v.getPassed() + " passed, " + v.getWarnings().size() + " warning(s), " + v.getErrors().size() + " error(s)"
        + (v.getErrors().isEmpty() ? "" : ": " + v.getErrors().get(0).getObject() + ": " + v.getErrors().get(0).getMessage());
    if (v.getErrors().isEmpty()) events.normal(c, "Validated", "validation " + asked + ": " + summary);
    else events.warning(c, "ValidationFailed", "validation " + asked + ": " + summary + " (status.validation)");
    return false;
  }

  private static boolean isDone(ValidationRun run) {
    String s = run.status() == null ? "" : run.status().toLowerCase(Locale.ROOT);
    return s.equals("complete") || s.equals("completed") || s.equals("done") || s.equals("finished") || s.equals("failed");
  }

  /**
   * The results as the API gives them: either an object of check → verdict ("ok", or a message),
   * or a list of {object|name, status|level, message}.
   */
  static void summarize(ValidationStatus v, JsonNode results) {
    int passed = 0;
    v.setWarnings(new java.util.ArrayList<>());
    v.setErrors(new java.util.ArrayList<>());
    if (results != null && results.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = results.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String verdict = e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString();
        if (e.getValue().isNumber() || verdict.equalsIgnoreCase("ok") || verdict.equalsIgnoreCase("passed")) passed++;
        else add(v.getErrors(), e.getKey(), verdict);
      }
    } else if (results != null && results.isArray()) {
      for (JsonNode r : results) {
        String object = r.path("object").asText(r.path("name").asText("connection"));
        String level = r.path("status").asText(r.path("level").asText("")).toLowerCase(Locale.ROOT);
        String message = r.path("message").asText("");
        if (level.startsWith("warn")) add(v.getWarnings(), object, message);
        else if (level.startsWith("err") || level.startsWith("fail")) add(v.getErrors(), object, message);
        else passed++;
      }
    }
    v.setPassed(passed);
  }

  private static void add(List<Finding> to, String object, String message) {
    if (to.size() >= MAX_FINDINGS) return;
    to.add(new Finding(object, message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message));
  }
}
