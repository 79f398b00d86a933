package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the operator knows of a connection's notifications: when it last read them, how many are
 * unacknowledged (by type, for the gauge), and the newest it has turned into Events, so none is
 * turned into an Event twice, restarts included.
 */
@JsonClassDescription("The operator's reading of the connection's notifications (GET /connections/{id}/notifications, at most "
    + "once per HEROKU_CONNECT_NOTIFICATIONS_INTERVAL): when, how many are unacknowledged, and the newest already turned into "
    + "Events. Set by the operator.")
public class NotificationsReadStatus {
  @JsonPropertyDescription("When the notifications were last read, or a read was last tried (RFC 3339); the next read is due "
      + "HEROKU_CONNECT_NOTIFICATIONS_INTERVAL later.")
  private String readAt;
  @JsonPropertyDescription("Why the last read failed (it is tried again after the interval); empty when it succeeded.")
  private String error;
  @JsonPropertyDescription("Unacknowledged notifications at the last successful read (-> count); 0 after an acknowledge.")
  private Integer unacknowledged;
  @JsonPropertyDescription("The unacknowledged notifications by type (-> event_type) at the last successful read: at most 10 "
      + "types, the rest counted under 'other'. The gauge heroku_connect_connection_notifications_unacknowledged shows them.")
  private Map<String, Integer> byType = new LinkedHashMap<>();
  @JsonPropertyDescription("The created_at of the newest notification already turned into an Event (RFC 3339): only newer ones "
      + "(and ones of the same time not in newestSeenIds) become Events.")
  private String newestSeenAt;
  @JsonPropertyDescription("The ids of the notifications created at newestSeenAt that were turned into Events (at most 20).")
  private List<String> newestSeenIds = new ArrayList<>();

  public String getReadAt() { return readAt; }
  public void setReadAt(String v) { this.readAt = v; }
  public String getError() { return error; }
  public void setError(String v) { this.error = v; }
  public Integer getUnacknowledged() { return unacknowledged; }
  public void setUnacknowledged(Integer v) { this.unacknowledged = v; }
  public Map<String, Integer> getByType() { return byType; }
  public void setByType(Map<String, Integer> v) { this.byType = v == null ? new LinkedHashMap<>() : v; }
  public String getNewestSeenAt() { return newestSeenAt; }
  public void setNewestSeenAt(String v) { this.newestSeenAt = v; }
  public List<String> getNewestSeenIds() { return newestSeenIds; }
  public void setNewestSeenIds(List<String> v) { this.newestSeenIds = v == null ? new ArrayList<>() : v; }
}
