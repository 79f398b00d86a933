package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The last run of the Connect API's validations ("diagnose"), asked for with validate-requested-at. */
@JsonClassDescription("The last run of the Connect API's validations (POST /connections/{id}/validations, then its result_url), "
    + "asked for with the annotation herokuconnect.dev/validate-requested-at. Set by the operator.")
public class ValidationStatus {
  @JsonPropertyDescription("The validate-requested-at value this run answers.")
  private String requestedAt;
  @JsonPropertyDescription("Running while the operator polls result_url (with backoff, within the API budget), then Complete.")
  private String state;
  @JsonPropertyDescription("Where the API publishes the result (result_url).")
  private String resultUrl;
  @JsonPropertyDescription("When the run was started (RFC 3339).")
  private String startedAt;
  @JsonPropertyDescription("When the result was read (RFC 3339).")
  private String completedAt;
  @JsonPropertyDescription("How many checks passed.")
  private Integer passed;
  @JsonPropertyDescription("Checks that warned: the object checked and the API's message (at most 20).")
  private List<Finding> warnings = new ArrayList<>();
  @JsonPropertyDescription("Checks that failed: the object checked and the API's message (at most 20).")
  private List<Finding> errors = new ArrayList<>();

  public String getRequestedAt() { return requestedAt; }
  public void setRequestedAt(String v) { this.requestedAt = v; }
  public String getState() { return state; }
  public void setState(String v) { this.state = v; }
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
