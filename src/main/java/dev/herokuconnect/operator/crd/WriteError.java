package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One write error of a mapping, from GET /mappings/{id}/errors. */
@JsonClassDescription("One write error of the mapping (GET /mappings/{id}/errors), newest first.")
public class WriteError {
  @JsonPropertyDescription("The Salesforce record id (-> record_id).")
  private String recordId;
  @JsonPropertyDescription("The error text (-> message), at most 256 characters.")
  private String message;
  @JsonPropertyDescription("When the error happened (-> created_at).")
  private String createdAt;

  public WriteError() {}
  public WriteError(String recordId, String message, String createdAt) {
    this.recordId = recordId;
    this.message = message;
    this.createdAt = createdAt;
  }
  public String getRecordId() { return recordId; }
  public void setRecordId(String v) { this.recordId = v; }
  public String getMessage() { return message; }
  public void setMessage(String v) { this.message = v; }
  public String getCreatedAt() { return createdAt; }
  public void setCreatedAt(String v) { this.createdAt = v; }
}
