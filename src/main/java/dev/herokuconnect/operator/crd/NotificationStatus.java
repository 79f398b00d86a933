package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One unacknowledged notification of the connection, as GET /connections/{id}/notifications lists it. */
@JsonClassDescription("One unacknowledged notification of the connection (GET /connections/{id}/notifications), newest first.")
public class NotificationStatus {
  @JsonPropertyDescription("The notification's type (-> event_type), e.g. mapping-error, postgres-connection.")
  private String type;
  @JsonPropertyDescription("The API's message (-> message), at most 256 characters.")
  private String message;
  @JsonPropertyDescription("When Heroku Connect raised it (-> created_at).")
  private String time;

  public NotificationStatus() {}

  public NotificationStatus(String type, String message, String time) {
    this.type = type;
    this.message = message;
    this.time = time;
  }

  public String getType() { return type; }
  public void setType(String v) { this.type = v; }
  public String getMessage() { return message; }
  public void setMessage(String v) { this.message = v; }
  public String getTime() { return time; }
  public void setTime(String v) { this.time = v; }
}
