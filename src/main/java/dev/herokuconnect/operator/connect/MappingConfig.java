package dev.herokuconnect.operator.connect;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A mapping's {@code config}. Keys this class does not know are kept and sent back, so an
 * edit never drops what a newer API added (the API's compatibility policy allows new keys).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class MappingConfig {
  @JsonProperty("access") private String access;
  @JsonProperty("sf_notify_enabled") private Boolean sfNotifyEnabled;
  @JsonProperty("sf_polling_seconds") private Integer sfPollingSeconds;
  @JsonProperty("sf_max_daily_api_calls") private Integer sfMaxDailyApiCalls;
  @JsonProperty("fields") private Map<String, JsonNode> fields;
  @JsonProperty("indexes") private Map<String, IndexConfig> indexes;
  @JsonProperty("upsert_field") private String upsertField;
  @JsonProperty("revision") private Long revision;
  private final Map<String, JsonNode> unknown = new TreeMap<>();

  public String access() { return access; }
  public MappingConfig access(String v) { access = v; return this; }
  public Boolean sfNotifyEnabled() { return sfNotifyEnabled; }
  public MappingConfig sfNotifyEnabled(Boolean v) { sfNotifyEnabled = v; return this; }
  public Integer sfPollingSeconds() { return sfPollingSeconds; }
  public MappingConfig sfPollingSeconds(Integer v) { sfPollingSeconds = v; return this; }
  public Integer sfMaxDailyApiCalls() { return sfMaxDailyApiCalls; }
  public MappingConfig sfMaxDailyApiCalls(Integer v) { sfMaxDailyApiCalls = v; return this; }
  /** Field name to its (today empty) options object. */
  public Map<String, JsonNode> fields() { return fields == null ? Map.of() : fields; }
  public MappingConfig fields(Map<String, JsonNode> v) { fields = v == null ? null : new LinkedHashMap<>(v); return this; }
  public Map<String, IndexConfig> indexes() { return indexes == null ? Map.of() : indexes; }
  public MappingConfig indexes(Map<String, IndexConfig> v) { indexes = v == null ? null : new LinkedHashMap<>(v); return this; }
  public String upsertField() { return upsertField; }
  public MappingConfig upsertField(String v) { upsertField = v; return this; }
  public Long revision() { return revision; }
  public MappingConfig revision(Long v) { revision = v; return this; }

  @JsonAnyGetter
  public Map<String, JsonNode> unknownKeys() { return unknown; }

  @JsonAnySetter
  void putUnknown(String key, JsonNode value) { unknown.put(key, value); }

  @JsonIgnore
  public MappingConfig copy() {
    MappingConfig c = new MappingConfig()
        .access(access).sfNotifyEnabled(sfNotifyEnabled).sfPollingSeconds(sfPollingSeconds)
        .sfMaxDailyApiCalls(sfMaxDailyApiCalls).fields(fields).indexes(indexes)
        .upsertField(upsertField).revision(revision);
    unknown.forEach((k, v) -> c.unknown.put(k, v.deepCopy()));
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MappingConfig c && Objects.equals(access, c.access)
        && Objects.equals(sfNotifyEnabled, c.sfNotifyEnabled) && Objects.equals(sfPollingSeconds, c.sfPollingSeconds)
        && Objects.equals(sfMaxDailyApiCalls, c.sfMaxDailyApiCalls) && Objects.equals(fields, c.fields)
        && Objects.equals(indexes, c.indexes) && Objects.equals(upsertField, c.upsertField)
        && Objects.equals(revision, c.revision) && unknown.equals(c.unknown);
  }

  @Override
  public int hashCode() {
    return Objects.hash(access, sfNotifyEnabled, sfPollingSeconds, sfMaxDailyApiCalls, fields, indexes, upsertField, revision, unknown);
  }

  /** An index option: {@code {"unique": true}} plus any keys a newer API adds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class IndexConfig {
    @JsonProperty("unique") private boolean unique;
    private final Map<String, JsonNode> unknown = new TreeMap<>();

    public IndexConfig() {}
    public IndexConfig(boolean unique) { this.unique = unique; }
    public boolean unique() { return unique; }

    /** The same options (unknown keys kept) with another {@code unique}. */
    public IndexConfig withUnique(boolean u) {
      IndexConfig c = new IndexConfig(u);
      unknown.forEach((k, v) -> c.unknown.put(k, v.deepCopy()));
      return c;
    }

    @JsonAnyGetter
    public Map<String, JsonNode> unknownKeys() { return unknown; }

    @JsonAnySetter
    void putUnknown(String key, JsonNode value) { unknown.put(key, value); }

    @Override
    public boolean equals(Object o) {
      return o instanceof IndexConfig other && unique == other.unique && unknown.equals(other.unknown);
    }

    @Override
    public int hashCode() { return Objects.hash(unique, unknown); }

    @Override
    public String toString() { return "{unique=" + unique + (unknown.isEmpty() ? "" : ", " + unknown) + "}"; }
  }
}
