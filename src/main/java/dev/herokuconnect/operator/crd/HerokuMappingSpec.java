package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@ValidationRule(
    value = "!has(self.indexes) || self.indexes.all(i, i.field in self.fields)",
    message = "every indexes[].field must also be listed in fields",
    fieldPath = ".indexes",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "!has(self.upsertField) || self.upsertField in self.fields",
    message = "upsertField must also be listed in fields",
    fieldPath = ".upsertField",
    reason = "FieldValueInvalid")
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
  private LocalObjectRef connectionRef;

  /** Salesforce object API name, e.g. Account or Invoice__c; immutable. */
  @Required
  @Pattern(Patterns.SALESFORCE_NAME)
  @Size(max = 80)
  @ValidationRule(value = "self == oldSelf", message = "objectName is immutable")
  private String objectName;

  @Default("read_only")
  private Access access = Access.READ_ONLY;

  /** Salesforce fields to sync, a set (list-type set); must include Id and SystemModstamp. */
  @Required
  @Size(min = 1, max = 800)
  private List<String> fields = new ArrayList<>();

  /** Postgres indexes, one per field (list-type map keyed by field). */
  @Size(max = 100)
  private List<IndexSpec> indexes;

  @Default("false")
  private Boolean sfNotifyEnabled = false;

  @Default("600")
  @Min(60)
  @Max(86400)
  private Integer sfPollingSeconds = 600;

  @Min(1)
  private Integer sfMaxDailyApiCalls;

  @Pattern(Patterns.SALESFORCE_NAME)
  @Size(max = 80)
  private String upsertField;

  /** Delete removes the remote mapping with the object; Orphan leaves it. */
  @Default("Delete")
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
    private String field;

    @Default("false")
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
