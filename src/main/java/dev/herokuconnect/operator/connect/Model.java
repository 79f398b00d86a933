package dev.herokuconnect.operator.connect;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API's payloads as typed records. Unknown JSON fields are ignored on read. */
public final class Model {
  /** A time as the API writes it (ISO-8601 with an offset or Z; without one, UTC); null when absent or unreadable. */
  public static java.time.Instant time(String s) {
    if (s == null || s.isBlank()) return null;
    try {
      return java.time.OffsetDateTime.parse(s).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return java.time.LocalDateTime.parse(s).toInstant(java.time.ZoneOffset.UTC);
      } catch (java.time.format.DateTimeParseException e2) {
        return null;
      }
    }
  }

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

  /**
   * A connection; {@code mappings} is filled only by a deep GET. {@code apiVersion} is the
   * Salesforce API version it uses ({@code api_version}, e.g. "52.0": the CLI plugin's tests show it
   * in the details, test/commands/connect/manage-sf-api-version.ts, baseConnection); null when the
   * API does not say.
   */
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
      @JsonProperty("mappings") List<Mapping> mappings,
      @JsonProperty("api_version") String apiVersion) {

    /**
     * The constructor from before {@code apiVersion}, kept for code that builds a connection from
     * another (reconciler/cluster/SnapshotCache.withMappings, tests): it has no version, so such
     * code should move to the full constructor and pass {@code apiVersion()} through.
     */
    public Connection(String id, String name, String resourceName, String appName, String appId, String schemaName, String dbKey,
                      DatabaseInfo database, String organizationId, String state, String mappingsSummaryState, String region,
                      String detailUrl, List<Mapping> mappings) {
      this(id, name, resourceName, appName, appId, schemaName, dbKey, database, organizationId, state, mappingsSummaryState,
          region, detailUrl, mappings, null);
    }

    /** The same connection with other mappings (every other component, the API version included, kept). */
    public Connection withMappings(List<Mapping> others) {
      return new Connection(id, name, resourceName, appName, appId, schemaName, dbKey, database, organizationId, state,
          mappingsSummaryState, region, detailUrl, others, apiVersion);
    }

    /** The same connection in another state: what a write answered with 2xx left, before a read shows it. */
    public Connection withState(String other) {
      return new Connection(id, name, resourceName, appName, appId, schemaName, dbKey, database, organizationId, other,
          mappingsSummaryState, region, detailUrl, mappings, apiVersion);
    }

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

  /**
   * A started "diagnose" run: poll {@code resultUrl} (POST /connections/{id}/validations answers
   * {@code {"result_url": ...}} and nothing else: the CLI plugin's src/commands/connect/diagnose.ts,
   * run, and its test). {@code status} and {@code results} are not in that answer: they are filled
   * only by {@link ConnectApi#validationResult(String)}, for the reader written for the old shape
   * (reconciler/connection/Validations): "running" on 202, "complete" on 200 with the results as a
   * list of {@code {object, level, message}} (see {@link ValidationResults#asFindings()}).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ValidationRun(
      @JsonProperty("result_url") String resultUrl,
      @JsonProperty("status") String status,
      @JsonProperty("results") JsonNode results) {}

  /**
   * One check of a validation run, as the CLI plugin reads it (src/commands/connect/diagnose.ts,
   * type CheckResult: display_name, message, doc_url?, rule_id?, status?; its test shows rule_id
   * "MUST_USE_RECENT_API_VERSION" and status "FAILED").
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ValidationCheck(
      @JsonProperty("display_name") String displayName,
      @JsonProperty("message") String message,
      @JsonProperty("doc_url") String docUrl,
      @JsonProperty("rule_id") String ruleId,
      @JsonProperty("status") String status) {}

  /**
   * The result of a validation run (GET result_url once it answers 200), or of one mapping's
   * (GET /mappings/{id}/validations): the CLI plugin's DiagnoseResults (src/commands/connect/diagnose.ts),
   * {@code mappings} keyed by object name, present in a connection's run only. Any list the API
   * leaves out is empty here (the plugin's "handles a validation payload that omits result arrays").
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ValidationResults(
      @JsonProperty("errors") List<ValidationCheck> errors,
      @JsonProperty("warnings") List<ValidationCheck> warnings,
      @JsonProperty("passes") List<ValidationCheck> passes,
      @JsonProperty("skips") List<ValidationCheck> skips,
      @JsonProperty("mappings") Map<String, ValidationResults> mappings) {
    public ValidationResults {
      errors = errors == null ? List.of() : List.copyOf(errors);
      warnings = warnings == null ? List.of() : List.copyOf(warnings);
      passes = passes == null ? List.of() : List.copyOf(passes);
      skips = skips == null ? List.of() : List.copyOf(skips);
      mappings = mappings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(mappings));
    }

    /** Errors here and in every mapping. */
    public int errorCount() {
      return errors.size() + mappings.values().stream().mapToInt(ValidationResults::errorCount).sum();
    }

    public int warningCount() {
      return warnings.size() + mappings.values().stream().mapToInt(ValidationResults::warningCount).sum();
    }

    public int passCount() {
      return passes.size() + mappings.values().stream().mapToInt(ValidationResults::passCount).sum();
    }

    /**
     * The checks as a list of {@code {object, level, message}} ("error", "warning", "passed"; skips
     * are left out, being neither): the shape the reader written before the public one
     * (reconciler/connection/Validations.summarize) takes. {@code object} is the check's
     * display_name for the connection's own checks, the mapping's object name for a mapping's (its
     * message then starts with the display_name).
     */
    public com.fasterxml.jackson.databind.node.ArrayNode asFindings() {
      com.fasterxml.jackson.databind.node.ArrayNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
      addFindings(out, null);
      mappings.forEach((object, r) -> r.addFindings(out, object));
      return out;
    }

    private void addFindings(com.fasterxml.jackson.databind.node.ArrayNode out, String object) {
      for (var e : List.of(Map.entry("error", errors), Map.entry("warning", warnings), Map.entry("passed", passes))) {
        for (ValidationCheck c : e.getValue()) {
          String message = c.message() == null ? "" : c.message();
          out.addObject()
              .put("object", object != null ? object : c.displayName())
              .put("level", e.getKey())
              .put("message", object != null && c.displayName() != null ? c.displayName() + ": " + message : message);
        }
      }
    }
  }

  /** One GET of a run's result_url: 202 while it runs (no results), 200 once done (the CLI plugin polls until 200). */
  public record ValidationReply(int httpStatus, ValidationResults results) {
    public boolean complete() { return httpStatus == 200; }
  }

  // ---- Salesforce API version (issue 18) ------------------------------------------------------

  private static final java.util.regex.Pattern API_VERSION = java.util.regex.Pattern.compile("^(\\d{2,3})(\\.\\d+)?$");

  /**
   * A Salesforce API version as the CLI plugin sends it (src/lib/connect/api-version.ts,
   * normalizeApiVersion): two or three digits, optionally a decimal part, written as "NN.0"
   * ("61" and "61.5" give "61.0"); null when {@code value} is not one.
   */
  public static String normalizeApiVersion(String value) {
    if (value == null) return null;
    String trimmed = value.strip();
    java.util.regex.Matcher m = API_VERSION.matcher(trimmed);
    return m.matches() ? Integer.parseInt(m.group(1)) + ".0" : null;
  }

  /**
   * One mapping in a schema diff (the CLI plugin's DiffMapping, src/commands/connect/manage-sf-api-version.ts):
   * {@code resultMessage} holds one line per kind of change ("Fields removed from Salesforce: …",
   * "Length increased in Salesforce for field: …").
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SchemaDiffMapping(
      @JsonProperty("name") String name,
      @JsonProperty("fields_have_changed") Boolean fieldsHaveChanged,
      @JsonProperty("has_unsafe_changes") Boolean hasUnsafeChanges,
      @JsonProperty("action_undetermined") Boolean actionUndetermined,
      @JsonProperty("result_message") String resultMessage) {
    public boolean changed() { return Boolean.TRUE.equals(fieldsHaveChanged); }
    public boolean unsafe() { return Boolean.TRUE.equals(hasUnsafeChanges); }
    public boolean undetermined() { return Boolean.TRUE.equals(actionUndetermined); }

    /** The message's lines, trimmed, empty ones left out (as the plugin's printDiff shows them). */
    public List<String> resultLines() {
      return resultMessage == null ? List.of()
          : java.util.Arrays.stream(resultMessage.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
  }

  /**
   * GET /connections/{id}/schema-diff?target_version= (the CLI plugin's DiffPayload): what moving
   * from the current to the target version changes in each mapping.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SchemaDiff(
      @JsonProperty("current_api_version") String currentApiVersion,
      @JsonProperty("target_api_version") String targetApiVersion,
      @JsonProperty("mappings") List<SchemaDiffMapping> mappings) {
    public List<SchemaDiffMapping> mappingsOrEmpty() { return mappings == null ? List.of() : mappings; }

    /** The mappings that would change unsafely (a field removed, …): the change is refused while there are any. */
    public List<String> unsafeMappings() {
      return mappingsOrEmpty().stream().filter(SchemaDiffMapping::unsafe).map(SchemaDiffMapping::name).toList();
    }

    public List<String> undeterminedMappings() {
      return mappingsOrEmpty().stream().filter(SchemaDiffMapping::undetermined).map(SchemaDiffMapping::name).toList();
    }
  }

  /**
   * A change of API version the API accepted: the version it reports ({@code target_version}, else
   * the one asked for: the plugin's "falls back to the requested target_version when backend
   * response omits it") and the diff it answered with (null when it sent none).
   */
  public record ApiVersionChange(String targetVersion, SchemaDiff diff) {}

  // ---- notifications (issue 18) ----------------------------------------------------------------

  /**
   * One unacknowledged notification (the CLI plugin's connect:notifications reads event_type,
   * message and created_at; its test shows the id as text, e.g. "5678").
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Notification(
      @JsonProperty("id") String id,
      @JsonProperty("event_type") String eventType,
      @JsonProperty("message") String message,
      @JsonProperty("created_at") String createdAt) {}

  /** GET /connections/{id}/notifications: {@code count} (may be absent: the plugin reads none) and the results. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Notifications(
      @JsonProperty("count") Integer count,
      @JsonProperty("results") List<Notification> results) {
    public List<Notification> resultsOrEmpty() { return results == null ? List.of() : results; }

    /** How many the filters select: {@code count} when the API gives it, else the results read. */
    public int total() { return count != null ? count : resultsOrEmpty().size(); }
  }

  /**
   * The query of both notifications endpoints, as the CLI plugin sends it (connect:notifications and
   * connect:notifications:acknowledge: after, before, event_type, page_size=1000). Null filters are
   * left out; {@code after}/{@code before} go as ISO-8601 instants.
   */
  public record NotificationFilter(java.time.Instant after, java.time.Instant before, String eventType, int pageSize) {
    /** The plugin's page size. */
    public static final int PAGE_SIZE = 1000;

    public NotificationFilter {
      if (pageSize < 1) throw new IllegalArgumentException("page_size must be at least 1, not " + pageSize);
    }

    /** Every unacknowledged notification (one page of {@link #PAGE_SIZE}). */
    public static NotificationFilter all() { return new NotificationFilter(null, null, null, PAGE_SIZE); }

    public NotificationFilter after(java.time.Instant t) { return new NotificationFilter(t, before, eventType, pageSize); }
    public NotificationFilter before(java.time.Instant t) { return new NotificationFilter(after, t, eventType, pageSize); }
    public NotificationFilter eventType(String type) { return new NotificationFilter(after, before, type, pageSize); }
    public NotificationFilter pageSize(int size) { return new NotificationFilter(after, before, eventType, size); }
  }

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
