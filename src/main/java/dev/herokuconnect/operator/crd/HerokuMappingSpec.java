package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonClassDescription("The mapping's configuration (-> the mapping's config in the Connect API). connectionRef and objectName are immutable; everything else may change and is applied with PUT and the current revision.")
@ValidationRule(
    value = "!has(self.indexes) || self.indexes.all(i, i.field in self.fields)",
    message = "every indexes[].field must also be listed in fields")
@ValidationRule(
    value = "!has(self.upsertField) || self.upsertField in self.fields",
    message = "upsertField must also be listed in fields")
public class HerokuMappingSpec {
  public enum Access {
    @JsonProperty("read_only") READ_ONLY,
    @JsonProperty("read_write") READ_WRITE;

    public String apiValue() { return name().toLowerCase(java.util.Locale.ROOT); }
  }

  public enum DeletionPolicy { Delete, Orphan }

  /** The HerokuConnection in the same namespace; immutable. */
  @Required
  @ValidationRule(value = "self == oldSelf", message = "connectionRef is immutable")
  @JsonPropertyDescription("The HerokuConnection (same namespace) whose add-on holds this mapping. Required. Immutable "
      + "(CEL: self == oldSelf): to move a mapping, create another HerokuMapping.")
  private LocalObjectRef connectionRef;

  /** Salesforce object API name, e.g. Account or Invoice__c; immutable. */
  @Required
  @Pattern(Patterns.SALESFORCE_NAME)
  @Size(max = 80)
  @ValidationRule(value = "self == oldSelf", message = "objectName is immutable")
  @JsonPropertyDescription("Salesforce object API name, e.g. Account or Invoice__c (-> object_name). Required. Up to "
      + "80 characters: a letter, then letters, digits and '_'. Immutable (CEL: self == oldSelf). A "
      + "remote mapping of the same object (case-insensitive) is adopted, never created twice.")
  private String objectName;

  @Default("read_only")
  @JsonPropertyDescription("read_only syncs Salesforce into Postgres; read_write also writes Postgres changes back to "
      + "Salesforce (-> config.access). Default read_only. May change (PUT with the current "
      + "revision).")
  private Access access = Access.READ_ONLY;

  /**
   * Salesforce fields to sync, a set (list-type set); must include Id and SystemModstamp. The
   * item bounds are type-use annotations: the generator writes them to items, FieldRules reads
   * them as spec.fields[].
   */
  @Required
  @Size(min = 1, max = 800)
  @JsonPropertyDescription("Salesforce fields to sync (-> config.fields, one key per field). Required: 1 to 800 items, "
      + "a set (x-kubernetes-list-type: set), each a Salesforce API name of at most 80 characters. "
      + "The API requires Id and SystemModstamp. May change (PUT with the current revision).")
  private List<@Pattern(Patterns.SALESFORCE_NAME) @Size(max = 80) String> fields = new ArrayList<>();

  /** Postgres indexes, one per field (list-type map keyed by field). */
  @Size(max = 100)
  @JsonPropertyDescription("Postgres indexes (-> config.indexes), a list keyed by field (x-kubernetes-list-type: map, "
      + "one entry per field). Optional; at most 100; every field must also be listed in fields "
      + "(CEL rule). May change (PUT with the current revision).")
  private List<IndexSpec> indexes;

  @Default("false")
  @JsonPropertyDescription("Let Salesforce notify Connect of changes instead of waiting for the next poll (-> "
      + "config.sf_notify_enabled). Default false. May change.")
  private Boolean sfNotifyEnabled = false;

  @Default("600")
  @Min(60)
  @Max(86400)
  @JsonPropertyDescription("Seconds between polls of Salesforce for changes (-> config.sf_polling_seconds). Default "
      + "600; minimum 60, maximum 86400. May change.")
  private Integer sfPollingSeconds = 600;

  @Min(1)
  @JsonPropertyDescription("Salesforce API calls this mapping may spend per day (-> config.sf_max_daily_api_calls). "
      + "Optional, minimum 1; empty = left as the API has it. May change.")
  private Integer sfMaxDailyApiCalls;

  @Pattern(Patterns.SALESFORCE_NAME)
  @Size(max = 80)
  @JsonPropertyDescription("External id field used to upsert into Salesforce (-> config.upsert_field). Optional; empty "
      + "= left as the API has it. At most 80 characters; must also be listed in fields (CEL rule). "
      + "May change.")
  private String upsertField;

  /** Delete removes the remote mapping with the object; Orphan leaves it. */
  @Default("Delete")
  @JsonPropertyDescription("What deleting this object does to the remote mapping: Delete removes it (DELETE "
      + "/mappings/{id}; a 404 counts as done), Orphan leaves it in place. Default Delete. May "
      + "change at any time, also just before deleting.")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Delete;

  public LocalObjectRef getConnectionRef() { return connectionRef; }
  public void setConnectionRef(LocalObjectRef connectionRef) { this.connectionRef = connectionRef; }
  public String getObjectName() { return objectName; }
  public void setObjectName(String objectName) { this.objectName = objectName; }
  public Access getAccess() { return access == null ? Access.READ_ONLY : access; }
  public void setAccess(Access access) { this.access = access; }
  public List<String> getFields() { return fields == null ? List.of() : fields; }
  public void setFields(List<String> fields) { this.fields = fields; }
  public List<IndexSpec> getIndexes() { return indexes == null ? List.of() : indexes; }
  public void setIndexes(List<IndexSpec> indexes) { this.indexes = indexes; }
  public Boolean getSfNotifyEnabled() { return sfNotifyEnabled == null ? Boolean.FALSE : sfNotifyEnabled; }
  public void setSfNotifyEnabled(Boolean sfNotifyEnabled) { this.sfNotifyEnabled = sfNotifyEnabled; }
  public Integer getSfPollingSeconds() { return sfPollingSeconds == null ? 600 : sfPollingSeconds; }
  public void setSfPollingSeconds(Integer sfPollingSeconds) { this.sfPollingSeconds = sfPollingSeconds; }
  public Integer getSfMaxDailyApiCalls() { return sfMaxDailyApiCalls; }
  public void setSfMaxDailyApiCalls(Integer sfMaxDailyApiCalls) { this.sfMaxDailyApiCalls = sfMaxDailyApiCalls; }
  public String getUpsertField() { return upsertField; }
  public void setUpsertField(String upsertField) { this.upsertField = upsertField; }
  public DeletionPolicy getDeletionPolicy() { return deletionPolicy == null ? DeletionPolicy.Delete : deletionPolicy; }
  public void setDeletionPolicy(DeletionPolicy deletionPolicy) { this.deletionPolicy = deletionPolicy; }

  public static class IndexSpec {
    @Required
    @Pattern(Patterns.SALESFORCE_NAME)
    @Size(max = 80)
    @JsonPropertyDescription("Field to index (-> the key of config.indexes); the list's key. Required; at most 80 "
        + "characters; must also be listed in fields.")
    private String field;

    @Default("false")
    @JsonPropertyDescription("Whether the Postgres index is unique (-> config.indexes.<field>.unique). Default false.")
    private boolean unique;

    public IndexSpec() {}
    public IndexSpec(String field, boolean unique) {
      this.field = field;
      this.unique = unique;
    }
    public String getField() { return field; }
    public void setField(String field) { this.field = field; }
    public boolean isUnique() { return unique; }
    public void setUnique(boolean unique) { this.unique = unique; }
  }
}
