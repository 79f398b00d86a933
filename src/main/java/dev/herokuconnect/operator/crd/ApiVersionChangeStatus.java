package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** A change of the connection's Salesforce API version, from its preview to its end. */
@JsonClassDescription("The change of the connection's Salesforce API version that spec.salesforce.apiVersion asks for: its "
    + "preview (GET schema-diff) and each step, recorded before it is sent, so a restart continues where it stopped. "
    + "Set by the operator.")
public class ApiVersionChangeStatus {
  /** The phase of a version the spec asks for that may never be sent (read by the mappings: their connection is usable). */
  public static final String PHASE_REFUSED = "Refused";

  /** At most this many mappings are listed (a connection rarely has more; the rest are counted). */
  public static final int MAX_MAPPINGS = 50;

  @JsonPropertyDescription("The version asked for (spec.salesforce.apiVersion).")
  private String target;
  @JsonPropertyDescription("The live version when the change was previewed.")
  private String from;
  @JsonPropertyDescription("Previewed (waiting for the connection), Blocked (a person must act: see message), Pausing, "
      + "Changing, Resuming, Complete. Each step's phase is written before its request is sent.")
  private String phase;
  @JsonPropertyDescription("What the phase means now, and what to do when Blocked.")
  private String message;
  @JsonPropertyDescription("When the preview was read (RFC 3339).")
  private String previewedAt;
  @JsonPropertyDescription("The HerokuMappings' fields the preview was read for: a change of them reads it again.")
  private String previewedFor;
  @JsonPropertyDescription("Whether this change pauses the connection itself (and so resumes it once done).")
  private Boolean pausedByChange;
  @JsonPropertyDescription("Per mapping, what the target version changes (at most 50).")
  @Size(max = MAX_MAPPINGS)
  private List<MappingChange> mappings = new ArrayList<>();
  @JsonPropertyDescription("Mappings left out of the list above.")
  private Integer moreMappings;
  @JsonPropertyDescription("The API's words when it refused the change itself (not an unsafe mapping): the change waits "
      + "for another spec.salesforce.apiVersion or other mapped fields.")
  private String refusal;
  @JsonPropertyDescription("When the change was confirmed by a read (RFC 3339).")
  private String completedAt;

  public String getTarget() { return target; }
  public void setTarget(String v) { this.target = v; }
  public String getFrom() { return from; }
  public void setFrom(String v) { this.from = v; }
  public String getPhase() { return phase; }
  public void setPhase(String v) { this.phase = v; }
  public String getMessage() { return message; }
  public void setMessage(String v) { this.message = v; }
  public String getPreviewedAt() { return previewedAt; }
  public void setPreviewedAt(String v) { this.previewedAt = v; }
  public String getPreviewedFor() { return previewedFor; }
  public void setPreviewedFor(String v) { this.previewedFor = v; }
  public Boolean getPausedByChange() { return pausedByChange; }
  public void setPausedByChange(Boolean v) { this.pausedByChange = v; }
  public List<MappingChange> getMappings() { return mappings; }
  public void setMappings(List<MappingChange> v) { this.mappings = v == null ? new ArrayList<>() : v; }
  public Integer getMoreMappings() { return moreMappings; }
  public void setMoreMappings(Integer v) { this.moreMappings = v; }
  public String getRefusal() { return refusal; }
  public void setRefusal(String v) { this.refusal = v; }
  public String getCompletedAt() { return completedAt; }
  public void setCompletedAt(String v) { this.completedAt = v; }

  /** One mapping's line of the preview. */
  @JsonClassDescription("One mapping's line of the schema-diff preview.")
  public static class MappingChange {
    @JsonPropertyDescription("The Salesforce object (the API's mapping name).")
    private String object;
    @JsonPropertyDescription("The HerokuMapping (namespace/name) bound to it, when there is one.")
    private String herokuMapping;
    @JsonPropertyDescription("Whether the target version changes the mapped fields.")
    private Boolean changed;
    @JsonPropertyDescription("Whether the change is unsafe: the API refuses the version change until the mapping is edited.")
    private Boolean unsafe;
    @JsonPropertyDescription("Mapped fields the target version no longer has: always blocks; remove them from the HerokuMapping's spec.fields.")
    private List<String> droppedFields = new ArrayList<>();
    @JsonPropertyDescription("The API cannot tell whether the mapping needs action (action_undetermined): it does not block.")
    private Boolean undetermined;
    @JsonPropertyDescription("The API's result message, at most 256 characters.")
    private String message;

    public String getObject() { return object; }
    public void setObject(String v) { this.object = v; }
    public String getHerokuMapping() { return herokuMapping; }
    public void setHerokuMapping(String v) { this.herokuMapping = v; }
    public Boolean getChanged() { return changed; }
    public void setChanged(Boolean v) { this.changed = v; }
    public Boolean getUnsafe() { return unsafe; }
    public void setUnsafe(Boolean v) { this.unsafe = v; }
    public List<String> getDroppedFields() { return droppedFields; }
    public void setDroppedFields(List<String> v) { this.droppedFields = v == null ? new ArrayList<>() : v; }
    public Boolean getUndetermined() { return undetermined; }
    public void setUndetermined(Boolean v) { this.undetermined = v; }
    public String getMessage() { return message; }
    public void setMessage(String v) { this.message = v; }
  }
}
