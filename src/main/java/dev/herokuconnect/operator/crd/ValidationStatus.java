package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The last run of the Connect API's validations ("diagnose"), asked for with validate-requested-at. */
@JsonClassDescription("The last run of the Connect API's validations, asked for with the annotation "
    + "herokuconnect.dev/validate-requested-at: a HerokuConnection's (POST /connections/{id}/validations, then its result_url "
    + "until it answers 200; its mappings' checks included) or a HerokuMapping's (GET /mappings/{id}/validations). Set by the operator.")
public class ValidationStatus {
  /** The values of {@code state}. */
  public static final String RUNNING = "Running";
  public static final String COMPLETE = "Complete";
  public static final String FAILED = "Failed";
  public static final String SKIPPED = "Skipped";

  @JsonPropertyDescription("The validate-requested-at value this run answers.")
  private String requestedAt;
  @JsonPropertyDescription("Running while the operator polls result_url (within the API budget); then Complete; Failed when "
      + "no result came within the bounds (30 polls, 5 minutes) or the request failed (reason says why); Skipped when the object "
      + "was observe-only.")
  private String state;
  @JsonPropertyDescription("Why the run is Failed or Skipped.")
  private String reason;
  @JsonPropertyDescription("How many times result_url was polled.")
  private Integer polls;
  @JsonPropertyDescription("Where the API publishes the result (result_url).")
  private String resultUrl;
  @JsonPropertyDescription("When the run was started (RFC 3339).")
  private String startedAt;
  @JsonPropertyDescription("When the result was read (RFC 3339).")
  private String completedAt;
  @JsonPropertyDescription("How many checks passed (a connection's mappings' checks included).")
  private Integer passed;
  @JsonPropertyDescription("How many checks were skipped (a connection's mappings' checks included).")
  private Integer skipped;
  @JsonPropertyDescription("Checks that warned: the object checked (the check's name, or a mapping's object) and the API's "
      + "message (at most 20).")
  private List<Finding> warnings = new ArrayList<>();
  @JsonPropertyDescription("Checks that failed: the object checked (the check's name, or a mapping's object) and the API's "
      + "message (at most 20).")
  private List<Finding> errors = new ArrayList<>();

  public String getRequestedAt() { return requestedAt; }
  public void setRequestedAt(String v) { this.requestedAt = v; }
  public String getState() { return state; }
  public void setState(String v) { this.state = v; }
  public String getReason() { return reason; }
  public void setReason(String v) { this.reason = v; }
  public Integer getPolls() { return polls; }
  public void setPolls(Integer v) { this.polls = v; }
  public Integer getSkipped() { return skipped; }
  public void setSkipped(Integer v) { this.skipped = v; }
  public String getResultUrl() { return resultUrl; }
  public void setResultUrl(String v) { this.resultUrl = v; }
  public String getStartedAt() { return startedAt; }
  public void setStartedAt(String v) { this.startedAt = v; }
  public String getCompletedAt() { return completedAt; }
  public void setCompletedAt(String v) { this.completedAt = v; }
  public Integer getPassed() { return passed; }
  public void setPassed(Integer v) { this.passed = v; }
  public List<Finding> getWarnings() { return warnings; }
  public void setWarnings(List<Finding> v) { this.warnings = v == null ? new ArrayList<>() : v; }
  public List<Finding> getErrors() { return errors; }
  public void setErrors(List<Finding> v) { this.errors = v == null ? new ArrayList<>() : v; }

  /** One check: what was checked and what the API said. */
  @JsonClassDescription("One validation check: the object checked and the API's message.")
  public static class Finding {
    @JsonPropertyDescription("What was checked (a Salesforce object, the database, the connection).")
    private String object;
    @JsonPropertyDescription("The API's message, at most 256 characters.")
    private String message;

    public Finding() {}
    public Finding(String object, String message) {
      this.object = object;
      this.message = message;
    }
    public String getObject() { return object; }
    public void setObject(String v) { this.object = v; }
    public String getMessage() { return message; }
    public void setMessage(String v) { this.message = v; }
  }
}
