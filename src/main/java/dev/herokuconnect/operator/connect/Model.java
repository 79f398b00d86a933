package dev.herokuconnect.operator.connect;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The API's payloads as typed records. Unknown JSON fields are ignored on read. */
public final class Model {
  private Model() {}

  /** One Connect add-on as discovery and search return it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AddonRef(
      @JsonProperty("id") String id,
      @JsonProperty("resource_name") String resourceName,
      @JsonProperty("app_name") String appName,
      @JsonProperty("app_id") String appId,
      @JsonProperty("region") String region,
      @JsonProperty("region_url") String regionUrl,
      @JsonProperty("detail_url") String detailUrl) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DatabaseInfo(
      @JsonProperty("host") String host,
      @JsonProperty("database") String database,
      @JsonProperty("port") Integer port) {}

  /** A connection; {@code mappings} is filled only by a deep GET. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Connection(
      @JsonProperty("id") String id,
      @JsonProperty("name") String name,
      @JsonProperty("resource_name") String resourceName,
      @JsonProperty("app_name") String appName,
      @JsonProperty("app_id") String appId,
      @JsonProperty("schema_name") String schemaName,
      @JsonProperty("db_key") String dbKey,
      @JsonProperty("database") DatabaseInfo database,
      @JsonProperty("organization_id") String organizationId,
      @JsonProperty("state") String state,
      @JsonProperty("mappings_summary_state") String mappingsSummaryState,
      @JsonProperty("region") String region,
      @JsonProperty("detail_url") String detailUrl,
      @JsonProperty("mappings") List<Mapping> mappings) {
    public List<Mapping> mappingsOrEmpty() { return mappings == null ? List.of() : mappings; }

    public java.util.Optional<Mapping> mappingById(String id) {
      return id == null ? java.util.Optional.empty() : mappingsOrEmpty().stream().filter(m -> id.equals(m.id())).findFirst();
    }

    /** The mapping of {@code objectName}: Salesforce object names are case-insensitive ({@link #objectKey}). */
    public java.util.Optional<Mapping> mappingByObject(String objectName) {
      String wanted = objectKey(objectName);
      return mappingsOrEmpty().stream().filter(m -> m.objectName() != null && objectKey(m.objectName()).equals(wanted)).findFirst();
    }
  }

  /** A Salesforce object's identity: names are case-insensitive. The one place that says so. */
  public static String objectKey(String objectName) {
    return objectName == null ? null : objectName.toLowerCase(java.util.Locale.ROOT);
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Counts(
      @JsonProperty("db") Long db,
      @JsonProperty("sf") Long sf,
      @JsonProperty("errors") Long errors,
      @JsonProperty("pending") Long pending) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Times(
      @JsonProperty("db_poll") String dbPoll,
      @JsonProperty("db_write") String dbWrite,
      @JsonProperty("sf_poll") String sfPoll,
      @JsonProperty("sf_write") String sfWrite) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record IdRef(@JsonProperty("id") String id) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Mapping(
      @JsonProperty("id") String id,
      @JsonProperty("object_name") String objectName,
      @JsonProperty("state") String state,
      @JsonProperty("state_description") String stateDescription,
      @JsonProperty("actively_writing") Boolean activelyWriting,
      @JsonProperty("config") MappingConfig config,
      @JsonProperty("counts") Counts counts,
      @JsonProperty("times") Times times,
      @JsonProperty("connection") IdRef connection,
      @JsonProperty("detail_url") String detailUrl) {}

  /** Body of create and edit. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record MappingRequest(
      @JsonProperty("object_name") String objectName,
      @JsonProperty("config") MappingConfig config) {}

  /** Body of authorize_url; empty optional values are left out. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record AuthorizeRequest(
      @JsonProperty("environment") String environment,
      @JsonProperty("domain") String domain,
      @JsonProperty("api_version") String apiVersion,
      @JsonProperty("next") String next) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ExportedMapping(
      @JsonProperty("object_name") String objectName,
      @JsonProperty("config") MappingConfig config) {}

  /** What export returns and import takes. The connection block is kept as the API wrote it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ExportedConfiguration(
      @JsonProperty("mappings") List<ExportedMapping> mappings,
      @JsonProperty("connection") JsonNode connection,
      @JsonProperty("version") Integer version) {}

  /** A started "diagnose" run; poll {@code resultUrl}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ValidationRun(
      @JsonProperty("result_url") String resultUrl,
      @JsonProperty("status") String status,
      @JsonProperty("results") JsonNode results) {}

  /**
   * A write error of the last 24 hours: a Postgres change that Salesforce refused. {@code id} is
   * the trigger log id, {@code tableName} the mapping's table, {@code recordId} the row in it
   * (the columns the Heroku CLI plugin's {@code connect:write-errors} shows). The API sends the
   * ids as numbers; they are kept as text.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SyncError(
      @JsonProperty("id") String id,
      @JsonProperty("table_name") String tableName,
      @JsonProperty("record_id") String recordId,
      @JsonProperty("message") String message,
      @JsonProperty("created_at") String createdAt) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Page<T>(
      @JsonProperty("count") Integer count,
      @JsonProperty("next") String next,
      @JsonProperty("previous") String previous,
      @JsonProperty("results") List<T> results) {}
}
