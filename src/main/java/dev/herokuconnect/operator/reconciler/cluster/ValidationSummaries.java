package dev.herokuconnect.operator.reconciler.cluster;

import dev.herokuconnect.operator.connect.Model.ValidationCheck;
import dev.herokuconnect.operator.connect.Model.ValidationResults;
import dev.herokuconnect.operator.crd.ValidationStatus;
import dev.herokuconnect.operator.crd.ValidationStatus.Finding;
import dev.herokuconnect.operator.reconciler.loop.Events;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A validation's result, in the public shape (the CLI plugin's DiagnoseResults: errors, warnings,
 * passes, skips, and for a connection's run the same per mapping under {@code mappings}), as both
 * kinds show it in status.validation: pure functions, shared by the connection's run and the
 * mapping's.
 */
public final class ValidationSummaries {
  static final int MAX_FINDINGS = 20;
  static final int MAX_MESSAGE = 256;

  private ValidationSummaries() {}

  /**
   * Counts and findings into {@code v}: passes and skips counted, warnings and errors listed (at most
   * {@value #MAX_FINDINGS} each, messages clipped to {@value #MAX_MESSAGE} characters), the
   * connection's own checks named by their display_name, each mapping's by its object, its message
   * starting with the check's display_name.
   */
  public static void summarize(ValidationStatus v, ValidationResults results) {
    List<Finding> warnings = new ArrayList<>();
    List<Finding> errors = new ArrayList<>();
    add(warnings, results.warnings(), null);
    add(errors, results.errors(), null);
    for (Map.Entry<String, ValidationResults> m : results.mappings().entrySet()) {
      add(warnings, m.getValue().warnings(), m.getKey());
      add(errors, m.getValue().errors(), m.getKey());
    }
    v.setPassed(results.passCount());
    v.setSkipped(skips(results));
    v.setWarnings(warnings);
    v.setErrors(errors);
  }

  private static int skips(ValidationResults r) {
    return r.skips().size() + r.mappings().values().stream().mapToInt(ValidationSummaries::skips).sum();
  }

  private static void add(List<Finding> to, List<ValidationCheck> checks, String object) {
    for (ValidationCheck c : checks) {
      if (to.size() >= MAX_FINDINGS) return;
      String message = c.message() == null ? "" : c.message();
      if (object != null && c.displayName() != null) message = c.displayName() + ": " + message;
      to.add(new Finding(object != null ? object : c.displayName() == null ? "connection" : c.displayName(), clip(message)));
    }
  }

  /** The Event for a finished run: Validated, or ValidationFailed when a check failed (naming the first). */
  public static Events.Note finished(String what, String asked, ValidationStatus v) {
    String summary = v.getPassed() + " passed, " + v.getWarnings().size() + " warning(s), " + v.getErrors().size() + " error(s)"
        + (v.getErrors().isEmpty() ? "" : ": " + v.getErrors().get(0).getObject() + ": " + v.getErrors().get(0).getMessage());
    return v.getErrors().isEmpty()
        ? Events.Note.normal("Validated", what + " " + asked + ": " + summary)
        : Events.Note.warning("ValidationFailed", what + " " + asked + ": " + summary + " (status.validation)");
  }

  /** The Event for a run that ended without a result (not finished within the bounds, or its request failed). */
  public static Events.Note failed(String what, String asked, String reason) {
    return Events.Note.warning("ValidationNotFinished", what + " " + asked + " ended without a result: " + reason
        + " (status.validation)");
  }

  public static String clip(String s) {
    return s == null ? "" : s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) : s;
  }
}
