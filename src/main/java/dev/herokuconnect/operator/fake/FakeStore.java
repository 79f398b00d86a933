package dev.herokuconnect.operator.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herokuconnect.operator.crd.FieldRules;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The fake's world: apps, their Connect add-ons (connections) and mappings, with the state
 * machines of the reference. Not thread-safe by itself; {@link FakeConnectApi} serialises access.
 */
final class FakeStore {
  static final Set<String> CONNECTION_ERROR_STATES =
      Set.of("UNAUTHORIZED", "HEROKU_UNAUTH", "DB_UNAVAILABLE", "TOO_MANY_ROWS", "INACTIVE_ORG", "SYSTEM_ERROR");
  static final Set<String> MAPPING_ERROR_STATES =
      Set.of("BULK_LOAD_ERROR", "SYSTEM_ERROR", "DB_UNAVAILABLE", "BAD_CONFIG", "SYNC_REMOVED", "INACTIVE_ORG", "UNAUTHORIZED");
  /** The Salesforce objects the fake org describes; any custom object (__c) exists too. */
  static final Set<String> STANDARD_OBJECTS = Set.of(
      "Account", "Contact", "Lead", "Opportunity", "Case", "Campaign", "CampaignMember", "User", "Task",
      "Event", "Product2", "Pricebook2", "PricebookEntry", "Order", "OrderItem", "Contract", "Asset", "Quote");
  private static final Pattern CUSTOM_OBJECT = Pattern.compile("^[A-Za-z][A-Za-z0-9_]*__c$");
  /*
   * Where the API's rule is the one the CRD states, the fake reads the CRD model's bound
   * (FieldRules) rather than writing it again. Where the CRD is stricter than anything the
   * reference says the API does, the fake keeps the API's looser rule, so a test can tell the
   * operator's own refusal from the API's:
   * - field names: the reference (heroku-connect-api-reference-2022.txt, "fields object Represents
   *   the fields to map... Each field name is an attribute on the object") gives no length limit;
   *   the CRD's 80 characters (spec.fields[]) is the operator's cap, so the fake has none.
   * - db_key: the reference ("database_key string Corresponds to the config var for your Heroku
   *   Postgres database") gives no length either; the CRD's 100 (spec.database.configVar) is ours.
   */
  private static final Pattern SF_NAME = Pattern.compile("^[A-Za-z][A-Za-z0-9_]*$");
  private static final Pattern CONFIG_VAR = Pattern.compile("^[A-Z][A-Z0-9_]*$");
  /**
   * schema_name: the reference says only "The name of the schema used to store Salesforce data";
   * what Postgres takes as an unquoted identifier (63 bytes) is the CRD's spec.database.schema.
   */
  private static final Pattern SCHEMA = Pattern.compile(FieldRules.get(HerokuConnection.class, "spec.database.schema").pattern());
  /**
   * sf_polling_seconds: the reference shows only the value 600 and states no range; the fake
   * refuses, as the API does, values out of the range the CRD declares on spec.sfPollingSeconds,
   * read from there. Should the API's documented range turn out to differ, write the API's here,
   * with its source.
   */
  private static final FieldRules.Rule POLLING = FieldRules.get(HerokuMapping.class, "spec.sfPollingSeconds");

  final class Conn {
    final String id;
    final String app;
    final String appId;
    final String resourceName;
    final String region;
    final Set<String> linkedUsers = new HashSet<>();
    String dbKey;
    String schemaName;
    boolean authorized;
    String organizationId;
    String forcedState; // set by a test hook or by pause/an error; cleared by restart/resume
    Instant busyUntil = Instant.MIN;
    String regionUrl; // null: this fake's own address (set by a test hook to point elsewhere)
    String apiVersion = apiVersionText(latestApiVersion); // the Salesforce API version the connection uses
    String pendingApiVersion; // asked for by authorize_url; applied when the person completes the authorization

    Conn(String id, String app, String appId, String resourceName, String region) {
      this.id = id;
      this.app = app;
      this.appId = appId;
      this.resourceName = resourceName;
      this.region = region;
    }

    String state() {
      if (dbKey == null || schemaName == null) return "NEW";
      if (forcedState != null) return forcedState;
      if (!authorized) return "NEED_AUTHENTICATION";
      return clock.instant().isBefore(busyUntil) ? "POLLING_DB_CHANGES" : "IDLE";
    }
  }

  final class Mapping {
    final String id;
    final String connectionId;
    final String objectName;
    ObjectNode config; // without revision
    long revision;
    String phase = "CREATE"; // CREATE, EDIT, RELOAD
    Instant phaseStart;
    String forcedState;

    Mapping(String id, String connectionId, String objectName, ObjectNode config) {
      this.id = id;
      this.connectionId = connectionId;
      this.objectName = objectName;
      this.config = config;
      this.revision = 1;
      this.phaseStart = clock.instant();
    }

    String state() {
      if (forcedState != null) return forcedState;
      Duration age = Duration.between(phaseStart, clock.instant());
      boolean settling = age.compareTo(timing.settle()) < 0;
      boolean loading = age.compareTo(timing.settle().plus(timing.load())) < 0;
      return switch (phase) {
        case "CREATE" -> settling ? "INITIAL" : loading ? "RELOAD_TABLE" : "DATA_SYNCED";
        case "EDIT" -> settling ? "SCHEMA_CHANGED" : "DATA_SYNCED";
        default -> loading ? "RELOAD_TABLE" : "DATA_SYNCED";
      };
    }

    void startPhase(String p) {
      phase = p;
      phaseStart = clock.instant();
      forcedState = null;
    }
  }

  /** How long a new or changed mapping takes to settle and to load its table. */
  record Timing(Duration settle, Duration load) {}

  /**
   * One failed write of a Postgres row to Salesforce: a row of the connection's trigger log
   * ({@code id}), the mapping's table ({@code table_name}) and row ({@code record_id}), the
   * message Salesforce gave and when.
   */
  record WriteError(long id, String connectionId, String mappingId, String tableName, long recordId, String message,
                    Instant createdAt) {
    ObjectNode json() {
      return Json.object().put("id", id).put("table_name", tableName).put("record_id", recordId).put("message", message)
          .put("created_at", createdAt.toString());
    }
  }

  /** How far back the errors endpoints (and counts.errors) look. */
  static final Duration ERROR_WINDOW = Duration.ofHours(24);

  private final Clock clock;
  private final String baseUrl;
  volatile Timing timing = new Timing(Duration.ofMillis(200), Duration.ofMillis(300));
  final Map<String, Conn> connections = new LinkedHashMap<>();
  final Map<String, Mapping> mappings = new LinkedHashMap<>();
  final Map<String, ValidationRun> validations = new LinkedHashMap<>(); // run id -> run
  final List<WriteError> writeErrors = new ArrayList<>(); // oldest first
  private long ids;
  private long triggerLogIds = 1000;

  FakeStore(Clock clock, String baseUrl) {
    this.clock = clock;
    this.baseUrl = baseUrl;
  }

  String newId() {
    ids++;
    return String.format(Locale.ROOT, "%08x-0000-4000-8000-%012d", ids, ids);
  }

  /** A stable UUID for a name (an app's id from its name, as the Connect and Platform APIs both show it). */
  static String uuidOf(String name) {
    return java.util.UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
  }

  /** A Heroku Connect add-on of {@code app} with connection id {@code id}: NEW, linked to nobody. */
  Conn addConnection(String id, String app, String resourceName) {
    Conn c = new Conn(id, app, uuidOf(app), resourceName, "virginia");
    connections.put(id, c);
    return c;
  }

  /** The add-on is gone (heroku addons:destroy or DELETE /apps/{app}/addons/{id}): its connection, mappings, errors, notifications. */
  void destroy(String connectionId) {
    connections.remove(connectionId);
    mappings.values().removeIf(m -> m.connectionId.equals(connectionId));
    writeErrors.removeIf(e -> e.connectionId().equals(connectionId));
    notifications.removeIf(n -> n.connectionId().equals(connectionId));
  }

  // ---- look-ups ----------------------------------------------------------------

  Conn connection(String id, String user) {
    Conn c = connections.get(id);
    if (c == null || !c.linkedUsers.contains(user)) throw FakeError.message(404, "Not found.");
    return c;
  }

  Mapping mapping(String id, String user) {
    Mapping m = mappings.get(id);
    if (m == null) throw FakeError.message(404, "Not found.");
    connection(m.connectionId, user);
    return m;
  }

  List<Conn> connectionsOfApp(String app) {
    return connections.values().stream().filter(c -> c.app.equals(app) || c.appId.equals(app)).toList();
  }

  List<Mapping> mappingsOf(String connectionId) {
    return mappings.values().stream()
        .filter(m -> m.connectionId.equals(connectionId))
        .sorted(Comparator.comparing(m -> m.objectName.toLowerCase(Locale.ROOT)))
        .toList();
  }

  Optional<Mapping> mappingOfObject(String connectionId, String objectName) {
    return mappingsOf(connectionId).stream().filter(m -> m.objectName.equalsIgnoreCase(objectName)).findFirst();
  }

  /** Adds a write error now; returns its trigger log id. */
  WriteError addWriteError(Mapping m, long recordId, String message) {
    WriteError e = new WriteError(++triggerLogIds, m.connectionId, m.id, tableName(m.objectName), recordId, message, clock.instant());
    writeErrors.add(e);
    return e;
  }

  /** The write errors of the last 24 hours that {@code which} selects, newest first. */
  List<WriteError> recentErrors(java.util.function.Predicate<WriteError> which) {
    Instant since = clock.instant().minus(ERROR_WINDOW);
    List<WriteError> out = new ArrayList<>();
    for (int i = writeErrors.size() - 1; i >= 0; i--) {
      WriteError e = writeErrors.get(i);
      if (e.createdAt().isAfter(since) && which.test(e)) out.add(e);
    }
    return out;
  }

  /** Heroku Connect names a mapping's table after its object, in lower case. */
  static String tableName(String objectName) {
    return objectName.toLowerCase(Locale.ROOT);
  }

  // ---- JSON views ----------------------------------------------------------------

  ObjectNode addonJson(Conn c) {
    return Json.object()
        .put("id", c.id)
        .put("resource_name", c.resourceName)
        .put("app_name", c.app)
        .put("app_id", c.appId)
        .put("region", c.region)
        .put("region_url", c.regionUrl != null ? c.regionUrl : baseUrl)
        .put("detail_url", "/api/v3/connections/" + c.id);
  }

  ObjectNode connectionJson(Conn c, boolean deep) {
    ObjectNode n = Json.object()
        .put("id", c.id)
        .put("_id", connections.keySet().stream().toList().indexOf(c.id) + 1)
        .put("name", c.app)
        .put("addon_id", c.id)
        .put("resource_name", c.resourceName)
        .put("app_name", c.app)
        .putNull("team_name")
        .put("app_id", c.appId)
        .put("schema_name", c.schemaName)
        .put("db_key", c.dbKey)
        .put("organization_id", c.organizationId)
        .put("api_version", c.apiVersion)
        .put("state", c.state())
        .put("mappings_summary_state", summary(c))
        .put("region", c.region)
        .put("detail_url", "/api/v3/connections/" + c.id);
    n.putObject("database").put("host", "ec2-127-0-0-1.compute-1.amazonaws.com").put("database", "d" + c.appId.substring(0, 8)).put("port", 5432);
    if (deep) {
      ArrayNode list = n.putArray("mappings");
      mappingsOf(c.id).forEach(m -> list.add(mappingJson(m)));
    }
    return n;
  }

  private String summary(Conn c) {
    return mappingsOf(c.id).stream().anyMatch(m -> MAPPING_ERROR_STATES.contains(m.state())) ? "ERROR" : "OK";
  }

  ObjectNode mappingJson(Mapping m) {
    String state = m.state();
    boolean synced = state.equals("DATA_SYNCED");
    ObjectNode config = m.config.deepCopy().put("revision", m.revision);
    ObjectNode n = Json.object()
        .put("id", m.id)
        .put("object_name", m.objectName)
        .put("access", config.path("access").asText("read_only"))
        .put("actively_writing", false)
        .put("state", state)
        .put("state_description", describe(state));
    n.set("config", config);
    n.putObject("connection").put("id", m.connectionId);
    long rows = synced ? 100 + Math.floorMod(m.objectName.hashCode(), 900) : 0;
    int errors = recentErrors(e -> e.mappingId().equals(m.id)).size();
    n.putObject("counts").put("db", rows).put("sf", rows).put("errors", errors).put("pending", 0);
    String t = synced ? m.phaseStart.plus(timing.settle()).plus(timing.load()).toString() : null;
    n.putObject("times").put("db_poll", t).put("db_write", t).put("sf_poll", t).put("sf_write", t);
    n.put("detail_url", baseUrl + "/api/v3/connections/" + m.connectionId);
    return n;
  }

  private static String describe(String state) {
    return switch (state) {
      case "DATA_SYNCED" -> "OK";
      case "INITIAL" -> "Waiting to start";
      case "RELOAD_TABLE" -> "Loading data from Salesforce";
      case "SCHEMA_CHANGED" -> "Applying mapping changes";
      case "ABORTED" -> "Operation aborted; reload to resume sync";
      default -> state.toLowerCase(Locale.ROOT).replace('_', ' ');
    };
  }

  // ---- connection operations --------------------------------------------------------

  void configure(Conn c, JsonNode body) {
    String dbKey = text(body, "db_key", text(body, "database_key", null));
    String schema = text(body, "schema_name", null);
    Map<String, List<String>> errors = new TreeMap<>();
    if (dbKey != null && !CONFIG_VAR.matcher(dbKey).matches()) errors.put("db_key", List.of("Not a config var name: " + dbKey));
    if (schema != null && !SCHEMA.matcher(schema).find()) errors.put("schema_name", List.of("Not a valid schema name: " + schema));
    if (c.dbKey != null && c.schemaName != null && schema != null && !schema.equals(c.schemaName) && !mappingsOf(c.id).isEmpty()) {
      errors.put("schema_name", List.of("The schema cannot be changed while mappings exist."));
    }
    if (!errors.isEmpty()) throw badRequest(errors);
    if (dbKey != null) c.dbKey = dbKey;
    if (schema != null) c.schemaName = schema;
  }

  void pause(Conn c) {
    if (!c.state().equals("IDLE")) {
      throw FakeError.message(400, "Connections can only be paused when they are in the IDLE state (now " + c.state() + ").");
    }
    c.forcedState = "PAUSED";
  }

  void resume(Conn c) {
    if (!"PAUSED".equals(c.forcedState)) throw FakeError.message(400, "The connection is not paused.");
    c.forcedState = null;
  }

  void restart(Conn c) {
    if (c.forcedState != null && (CONNECTION_ERROR_STATES.contains(c.forcedState) || c.forcedState.equals("RECOVERY"))) {
      if (c.forcedState.equals("UNAUTHORIZED")) c.authorized = false;
      c.forcedState = null;
    }
    for (Mapping m : mappingsOf(c.id)) {
      if (m.forcedState != null && MAPPING_ERROR_STATES.contains(m.forcedState)) m.forcedState = null;
    }
  }

  void authorize(Conn c) {
    c.authorized = true;
    if (c.pendingApiVersion != null) {
      c.apiVersion = c.pendingApiVersion;
      c.pendingApiVersion = null;
    }
    if ("UNAUTHORIZED".equals(c.forcedState)) c.forcedState = null;
    if (c.organizationId == null) c.organizationId = "00D" + c.appId.replace("-", "").substring(0, 12).toUpperCase(Locale.ROOT);
  }

  // ---- Salesforce API version ----------------------------------------------------------
  /*
   * The reference (heroku-connect-api-reference-2022.txt, authorize_url) says only that api_version
   * "Specifies a Salesforce API version to use. Defaults to the latest supported version. "52.0"".
   * The rest follows the Heroku CLI plugin (heroku/heroku-connect-plugin):
   * - src/commands/connect/manage-sf-api-version.ts, fetchResult: GET /connections/{id}/schema-diff
   *   with the query target_version, and POST /connections/{id}/actions/change-sf-api-version with the
   *   body {"target_version"} (no other key: the plugin sends no "force"); on any non-2xx it shows
   *   data.message || data.error, and the diff when the body has mappings. Its type DiffPayload /
   *   DiffMapping gives the body: current_api_version, target_api_version, target_version (the change
   *   echoes it), mappings[] of name, fields_have_changed, has_unsafe_changes, action_undetermined,
   *   result_message.
   * - test/commands/connect/manage-sf-api-version.ts, stubUpgrade and its cases: the preview answers
   *   200, the change 202 with the same diff plus target_version; refusals are 409 with
   *   {"message": "Some mappings have unsafe changes. Edit them and retry."} (with the diff) and 409
   *   {"error": "Mapping Contact is still syncing. Wait for it to finish syncing before changing the
   *   API version.", "syncing_mappings": ["Contact"]}; a removed field is an unsafe change whose
   *   result_message reads "Fields removed from Salesforce: number. ", a longer field a safe one,
   *   "Length increased in Salesforce for field: name. ", lines joined by "\n"; a mapping the API
   *   cannot assess has action_undetermined and "Unable to determine if an action is required.".
   * - src/lib/connect/api-version.ts, normalizeApiVersion: the plugin sends versions as NN.0.
   * What neither says, the fake chooses (issue 18's text where it has one): versions are NN.0 from
   * 32.0 to the latest it supports, else 400 {"message"}; the change needs the connection PAUSED (400
   * {"message"}) and never goes down (400 {"message"}); the preview refuses the same versions.
   */
  static final int OLDEST_API_VERSION = 32;
  private static final Pattern API_VERSION = Pattern.compile("^(\\d{2,3})\\.0$");
  /** Mapping states in which a mapping is still syncing (the notes' working and settling states). */
  static final Set<String> SYNCING_STATES = Set.of("INITIAL", "SCHEMA_CHANGED", "RECOVERY", "RESYNC", "RELOAD_TABLE",
      "POLLING_SF_CHANGES", "POLLING_SF_BULK", "POLLING_SF_FOR_DELETES", "WAIT_BULK_LOAD", "LOADING_BULK_JOB",
      "RESOLVE_EXTERNAL_IDS", "WAIT_BULK_UPDATE", "APPLYING_BULK_UPDATE", "POLL_EXTERNAL_IDS");
  static final String UNSAFE_REFUSAL = "Some mappings have unsafe changes. Edit them and retry.";
  static final String UNDETERMINED = "Unable to determine if an action is required.";

  /** The newest version the fake supports: what a connection gets by default. */
  volatile int latestApiVersion = 62;

  /** A change Salesforce made to a field (or, field null, to a whole object it cannot assess) at an API version. */
  record SchemaChange(String objectName, String field, int atVersion, Kind kind, String line) {
    enum Kind { REMOVED, LENGTH_INCREASED, UNSAFE, UNDETERMINED }
  }

  final List<SchemaChange> schemaChanges = new ArrayList<>();

  static String apiVersionText(int major) {
    return major + ".0";
  }

  /** The major of a version the fake supports, else a 400 naming why (as {@code what}: a field name or null). */
  int supportedVersion(String version, String field) {
    java.util.regex.Matcher m = version == null ? null : API_VERSION.matcher(version);
    String problem = null;
    int major = 0;
    if (m == null || !m.matches()) {
      problem = "'" + version + "' is not a Salesforce API version: write it as NN.0, for example " + apiVersionText(latestApiVersion) + ".";
    } else {
      major = Integer.parseInt(m.group(1));
      if (major < OLDEST_API_VERSION) {
        problem = "Salesforce API version " + version + " is not supported: the oldest supported version is "
            + apiVersionText(OLDEST_API_VERSION) + ".";
      } else if (major > latestApiVersion) {
        problem = "Salesforce API version " + version + " is not supported: the latest supported version is "
            + apiVersionText(latestApiVersion) + ".";
      }
    }
    if (problem == null) return major;
    throw field == null ? FakeError.message(400, problem) : badRequest(Map.of(field, List.of(problem)));
  }

  /** For test hooks: the major of a supported version, else IllegalArgumentException. */
  int supportedVersionOrFail(String version) {
    try {
      return supportedVersion(version, null);
    } catch (FakeError e) {
      throw new IllegalArgumentException(e.body.path("message").asText());
    }
  }

  private static int major(String version) {
    return Integer.parseInt(version.substring(0, version.indexOf('.')));
  }

  /** The target of a preview or change: present, supported, not below the connection's version. */
  private int target(Conn c, String target) {
    if (target == null || target.isBlank()) throw badRequest(Map.of("target_version", List.of("This field is required.")));
    int t = supportedVersion(target, null);
    if (t < major(c.apiVersion)) {
      throw FakeError.message(400, "The connection uses Salesforce API version " + c.apiVersion
          + "; it cannot go back to an older version (" + target + ").");
    }
    return t;
  }

  /** GET /connections/{id}/schema-diff?target_version=: each mapping, what the target version changes in its fields. */
  ObjectNode schemaDiff(Conn c, String targetVersion) {
    return diff(c, target(c, targetVersion));
  }

  private ObjectNode diff(Conn c, int target) {
    int current = major(c.apiVersion);
    ObjectNode out = Json.object().put("current_api_version", c.apiVersion).put("target_api_version", apiVersionText(target));
    ArrayNode rows = out.putArray("mappings");
    for (Mapping m : mappingsOf(c.id)) {
      List<SchemaChange> changes = schemaChanges.stream()
          .filter(s -> s.objectName().equalsIgnoreCase(m.objectName) && s.atVersion() > current && s.atVersion() <= target)
          .filter(s -> s.field() == null || mapped(m, s.field()))
          .toList();
      boolean undetermined = changes.stream().anyMatch(s -> s.kind() == SchemaChange.Kind.UNDETERMINED);
      List<SchemaChange> fieldChanges = changes.stream().filter(s -> s.kind() != SchemaChange.Kind.UNDETERMINED).toList();
      boolean unsafe = fieldChanges.stream().anyMatch(s -> s.kind() == SchemaChange.Kind.REMOVED || s.kind() == SchemaChange.Kind.UNSAFE);
      List<String> lines = new ArrayList<>();
      fieldChanges.stream().filter(s -> s.kind() == SchemaChange.Kind.LENGTH_INCREASED)
          .forEach(s -> lines.add("Length increased in Salesforce for field: " + s.field() + ". "));
      fieldChanges.stream().filter(s -> s.kind() == SchemaChange.Kind.UNSAFE).forEach(s -> lines.add(s.line()));
      List<String> removed = fieldChanges.stream().filter(s -> s.kind() == SchemaChange.Kind.REMOVED).map(SchemaChange::field).toList();
      if (!removed.isEmpty()) lines.add("Fields removed from Salesforce: " + String.join(", ", removed) + ". ");
      String message = !lines.isEmpty() ? String.join("\n", lines) : undetermined ? UNDETERMINED : "no changes";
      rows.addObject()
          .put("name", m.objectName)
          .put("fields_have_changed", !fieldChanges.isEmpty())
          .put("has_unsafe_changes", unsafe)
          .put("action_undetermined", undetermined)
          .put("result_message", message);
    }
    return out;
  }

  private static boolean mapped(Mapping m, String field) {
    for (java.util.Iterator<String> it = m.config.path("fields").fieldNames(); it.hasNext(); ) {
      if (it.next().equalsIgnoreCase(field)) return true;
    }
    return false;
  }

  /** POST /connections/{id}/actions/change-sf-api-version: only while PAUSED, no mapping syncing, no unsafe change. */
  ObjectNode changeApiVersion(Conn c, JsonNode body) {
    int target = target(c, text(body, "target_version", null));
    if (!c.state().equals("PAUSED")) {
      throw FakeError.message(400, "The connection must be paused to change its Salesforce API version (now " + c.state() + ").");
    }
    List<String> syncing = mappingsOf(c.id).stream().filter(m -> SYNCING_STATES.contains(m.state())).map(m -> m.objectName).toList();
    if (!syncing.isEmpty()) {
      String error = syncing.size() == 1
          ? "Mapping " + syncing.get(0) + " is still syncing. Wait for it to finish syncing before changing the API version."
          : "Mappings " + String.join(", ", syncing) + " are still syncing. Wait for them to finish syncing before changing the API version.";
      ObjectNode refusal = Json.object().put("error", error);
      ArrayNode names = refusal.putArray("syncing_mappings");
      syncing.forEach(names::add);
      throw new FakeError(409, refusal);
    }
    ObjectNode diff = diff(c, target);
    boolean unsafe = false;
    for (JsonNode row : diff.path("mappings")) unsafe |= row.path("has_unsafe_changes").asBoolean();
    if (unsafe) throw new FakeError(409, diff.put("message", UNSAFE_REFUSAL));
    c.apiVersion = apiVersionText(target);
    return diff.put("target_version", c.apiVersion);
  }

  // ---- notifications ---------------------------------------------------------------------
  /*
   * The Heroku CLI plugin (heroku/heroku-connect-plugin): src/commands/connect/notifications/index.ts,
   * run: GET /connections/{id}/notifications with the query after, before, event_type and
   * page_size=1000, reading results[] of created_at, event_type and message ("Return the
   * unacknowledged notifications"); src/commands/connect/notifications/acknowledge.ts, run: POST
   * /connections/{id}/notifications/acknowledge with the same query and no body, success is 204,
   * else response.data.message. Their tests (test/commands/connect/notifications.ts,
   * notifications-acknowledge.ts) show the items {id: '5678' (text), event_type: 'mapping-error',
   * message, created_at: '2024-01-15T10:30:00Z'}, newest first, after/before as dates
   * ('2024-01-01'), and a refusal 400 {"message": "Invalid request parameters"}. The plugin reads
   * no count and no next; the fake gives count (issue 18's text, as every list of this API has it)
   * and no next. Where neither says: after is inclusive, before exclusive, a bare date is that day's
   * start (UTC); page_size limits the list (default the fake's page size), not what acknowledge
   * clears, which is everything the filters select.
   */
  record Notification(String id, String connectionId, String eventType, String message, Instant createdAt) {
    ObjectNode json() {
      return Json.object().put("id", id).put("event_type", eventType).put("message", message).put("created_at", createdAt.toString());
    }
  }

  final List<Notification> notifications = new ArrayList<>(); // unacknowledged, oldest first
  private long notificationIds = 5000;

  Notification addNotification(Conn c, String eventType, String message, Instant createdAt) {
    Notification n = new Notification(Long.toString(++notificationIds), c.id, eventType, message, createdAt);
    notifications.add(n);
    return n;
  }

  /** The unacknowledged notifications of {@code c} that the query's filters select, newest first. */
  List<Notification> notificationsOf(Conn c, Map<String, String> q) {
    Instant after = when(q, "after");
    Instant before = when(q, "before");
    String type = q.get("event_type");
    return notifications.stream()
        .filter(n -> n.connectionId().equals(c.id))
        .filter(n -> after == null || !n.createdAt().isBefore(after))
        .filter(n -> before == null || n.createdAt().isBefore(before))
        .filter(n -> type == null || type.isEmpty() || n.eventType().equals(type))
        .sorted(Comparator.comparing(Notification::createdAt).reversed())
        .toList();
  }

  void acknowledge(Conn c, Map<String, String> q) {
    pageSize(q, 1); // checked as the list checks it
    Set<Notification> selected = new HashSet<>(notificationsOf(c, q));
    notifications.removeIf(selected::contains);
  }

  static int pageSize(Map<String, String> q, int fallback) {
    String v = q.get("page_size");
    if (v == null || v.isEmpty()) return fallback;
    try {
      int size = Integer.parseInt(v);
      if (size >= 1) return size;
    } catch (NumberFormatException e) {
      // refused below
    }
    throw FakeError.message(400, "Invalid request parameters: page_size must be a positive integer, not '" + v + "'.");
  }

  private static Instant when(Map<String, String> q, String key) {
    String v = q.get(key);
    if (v == null || v.isEmpty()) return null;
    try {
      if (v.length() == 10) return java.time.LocalDate.parse(v).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
      return java.time.OffsetDateTime.parse(v).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw FakeError.message(400, "Invalid request parameters: " + key + " must be a date (2024-01-31) or a date and time "
          + "(2024-01-31T10:30:00Z), not '" + v + "'.");
    }
  }

  // ---- validations ("diagnose") ------------------------------------------------------------
  /*
   * The Heroku CLI plugin (heroku/heroku-connect-plugin):
   * - src/commands/connect/diagnose.ts, run: POST /connections/{id}/validations, read data.result_url,
   *   then GET it until the HTTP status is 200 (up to 601 times, 500 ms apart) and read the body as
   *   DiagnoseResults {errors, warnings, passes, skips, mappings: {objectName: DiagnoseResults}},
   *   each check a CheckResult {display_name, message, doc_url?, rule_id?, status?}; any array may
   *   be missing ("handles a validation payload that omits result arrays").
   * - test/commands/connect/diagnose.ts, "runs validations with polling": the POST answers 202
   *   {"result_url": "https://…/api/v3/connections/1234/validations/456"} (absolute), the GET 202
   *   with no body twice, then 200; the warning there is display_name "Salesforce API Version",
   *   rule_id MUST_USE_RECENT_API_VERSION, status "FAILED", message "The latest available
   *   Salesforce API version is 47.0. Your connection is using version 44.0. You should re-create
   *   your connection to use the latest version.", doc_url …heroku-connect-diagnose#check-salesforce-api-version;
   *   and "Configured Logging" (SHOULD_HAVE_LOG_DRAIN, …#check-configured-log-drain).
   * - src/commands/connect/mapping/diagnose.ts, run: GET /mappings/{id}/validations answers the
   *   same DiagnoseResults for one mapping at once (no polling).
   * Which checks the fake runs is its own choice (the shape is not): the database and Salesforce
   * authorization of the connection, the API version as above, the log drain skipped (the fake has
   * none to check), and each mapping's state. status "FAILED" is on errors and warnings as in the
   * plugin's test; passes and skips carry none (no client shows one).
   */
  static final String DIAGNOSE_DOC = "https://devcenter.heroku.com/articles/heroku-connect-diagnose";

  /** A started run: it answers 202 to its first {@code runningPolls} GETs, then 200 with the result taken then. */
  static final class ValidationRun {
    final String id;
    final String connectionId;
    int runningPolls;
    ObjectNode result;

    ValidationRun(String id, String connectionId, int runningPolls) {
      this.id = id;
      this.connectionId = connectionId;
      this.runningPolls = runningPolls;
    }
  }

  /** The four lists of a DiagnoseResults, filled by {@link #check}. */
  private static ObjectNode results() {
    ObjectNode out = Json.object();
    for (String list : List.of("errors", "warnings", "passes", "skips")) out.putArray(list);
    return out;
  }

  private static void check(ObjectNode results, String list, String displayName, String message, String docUrl, String ruleId) {
    ObjectNode c = ((ArrayNode) results.get(list)).addObject().put("display_name", displayName).put("message", message)
        .put("doc_url", docUrl);
    if (ruleId != null) c.put("rule_id", ruleId);
    if (list.equals("errors") || list.equals("warnings")) c.put("status", "FAILED");
  }

  /** The connection's checks, with each mapping's under mappings. */
  ObjectNode connectionValidations(Conn c) {
    ObjectNode out = results();
    if (c.dbKey != null && c.schemaName != null) {
      check(out, "passes", "Database Configuration", "The connection uses " + c.dbKey + ", schema " + c.schemaName + ".", DIAGNOSE_DOC, null);
    } else {
      check(out, "errors", "Database Configuration", "The connection has no database config var and schema yet.", DIAGNOSE_DOC, null);
    }
    String state = c.state();
    if (c.authorized && !state.equals("UNAUTHORIZED")) {
      check(out, "passes", "Salesforce Authorization", "The connection is authorized to use Salesforce.", DIAGNOSE_DOC, null);
    } else {
      check(out, "errors", "Salesforce Authorization", "The connection is not authorized to use Salesforce (state " + state
          + "): open its authorization URL.", DIAGNOSE_DOC, null);
    }
    String latest = apiVersionText(latestApiVersion);
    if (c.apiVersion.equals(latest)) {
      check(out, "passes", "Salesforce API Version", "Your connection is using the latest available Salesforce API version, "
          + latest + ".", DIAGNOSE_DOC + "#check-salesforce-api-version", "MUST_USE_RECENT_API_VERSION");
    } else {
      check(out, "warnings", "Salesforce API Version", "The latest available Salesforce API version is " + latest
          + ". Your connection is using version " + c.apiVersion + ". You should re-create your connection to use the latest version.",
          DIAGNOSE_DOC + "#check-salesforce-api-version", "MUST_USE_RECENT_API_VERSION");
    }
    check(out, "skips", "Configured Logging", "Log drains are not checked.", DIAGNOSE_DOC + "#check-configured-log-drain",
        "SHOULD_HAVE_LOG_DRAIN");
    ObjectNode mappings = out.putObject("mappings");
    for (Mapping m : mappingsOf(c.id)) mappings.set(m.objectName, mappingValidations(m));
    return out;
  }

  /** One mapping's checks (GET /mappings/{id}/validations, and mappings.{object} of a connection's run). */
  ObjectNode mappingValidations(Mapping m) {
    ObjectNode out = results();
    String state = m.state();
    if (MAPPING_ERROR_STATES.contains(state)) {
      check(out, "errors", "Mapping State", "The mapping is in state " + state + ": " + describe(state) + ".", DIAGNOSE_DOC, null);
    } else if (state.equals("ABORTED")) {
      check(out, "warnings", "Mapping State", "The mapping is in state ABORTED: " + describe(state) + ".", DIAGNOSE_DOC, null);
    } else {
      check(out, "passes", "Mapping State", "The mapping is in state " + state + ".", DIAGNOSE_DOC, null);
    }
    return out;
  }

  ValidationRun startValidation(Conn c, int runningPolls) {
    ValidationRun run = new ValidationRun(newId(), c.id, runningPolls);
    validations.put(run.id, run);
    return run;
  }

  /** The run's answer to one GET of its result_url: null while running (202), then its result (200). */
  ObjectNode poll(Conn c, String runId) {
    ValidationRun run = validations.get(runId);
    if (run == null || !run.connectionId.equals(c.id)) throw FakeError.message(404, "Not found.");
    if (run.runningPolls > 0) {
      run.runningPolls--;
      return null;
    }
    if (run.result == null) run.result = connectionValidations(c);
    return run.result;
  }

  // ---- mapping operations ---------------------------------------------------------------

  Mapping create(Conn c, JsonNode body) {
    requireReady(c);
    String objectName = text(body, "object_name", null);
    ObjectNode config = body.path("config").isObject() ? ((ObjectNode) body.path("config")).deepCopy() : null;
    Map<String, List<String>> errors = validate(c, objectName, config, null);
    if (!errors.isEmpty()) throw badRequest(errors);
    config.remove("revision");
    Mapping m = new Mapping(newId(), c.id, objectName, config);
    mappings.put(m.id, m);
    return m;
  }

  void edit(Mapping m, JsonNode body) {
    ObjectNode config = body.path("config").isObject() ? ((ObjectNode) body.path("config")).deepCopy() : null;
    if (config != null && !config.path("revision").canConvertToLong()) {
      throw badRequest(Map.of("config.revision", List.of("This field is required.")));
    }
    if (config != null && config.path("revision").asLong() != m.revision) {
      throw FakeError.message(409, "The mapping was changed since revision " + config.path("revision").asLong()
          + " was read (current revision " + m.revision + ").");
    }
    String objectName = text(body, "object_name", m.objectName);
    Map<String, List<String>> errors = validate(connections.get(m.connectionId), objectName, config, m);
    if (!objectName.equalsIgnoreCase(m.objectName)) errors.put("object_name", List.of("The object of a mapping cannot be changed."));
    if (!errors.isEmpty()) throw badRequest(errors);
    config.remove("revision");
    m.config = config;
    m.revision++;
    m.startPhase("EDIT");
  }

  private void requireReady(Conn c) {
    String s = c.state();
    if (s.equals("NEW") || s.equals("NEED_AUTHENTICATION") || s.equals("UNAUTHORIZED")) {
      throw FakeError.message(400, "The connection is not set up and authorized yet (state " + s + ").");
    }
  }

  /** The checks of the real API, as field errors; empty when the mapping is acceptable. */
  Map<String, List<String>> validate(Conn c, String objectName, ObjectNode config, Mapping editing) {
    Map<String, List<String>> errors = new TreeMap<>();
    if (objectName == null || objectName.isBlank()) {
      errors.put("object_name", List.of("This field is required."));
    } else if (STANDARD_OBJECTS.stream().noneMatch(objectName::equalsIgnoreCase) && !CUSTOM_OBJECT.matcher(objectName).matches()) {
      errors.put("object_name", List.of("The Salesforce object '" + objectName + "' does not exist or is not accessible."));
    } else if (editing == null && mappingOfObject(c.id, objectName).isPresent()) {
      errors.put("object_name", List.of("A mapping for " + objectName + " already exists on this connection."));
    }
    if (config == null) {
      errors.put("config", List.of("This field is required."));
      return errors;
    }
    String access = config.path("access").asText("");
    if (!access.equals("read_only") && !access.equals("read_write")) {
      errors.put("config.access", List.of("'" + access + "' is not a valid choice (read_only, read_write)."));
    }
    JsonNode fields = config.path("fields");
    if (!fields.isObject() || fields.isEmpty()) {
      errors.put("config.fields", List.of("At least the fields Id and SystemModstamp are required."));
    } else {
      List<String> fieldErrors = new ArrayList<>();
      for (String required : List.of("Id", "SystemModstamp")) {
        if (!fields.has(required)) fieldErrors.add("The field " + required + " is required.");
      }
      fields.fieldNames().forEachRemaining(f -> {
        if (!SF_NAME.matcher(f).matches()) fieldErrors.add("'" + f + "' is not a valid field name.");
      });
      if (!fieldErrors.isEmpty()) errors.put("config.fields", fieldErrors);
    }
    JsonNode indexes = config.path("indexes");
    if (indexes.isObject()) {
      List<String> indexErrors = new ArrayList<>();
      indexes.fieldNames().forEachRemaining(f -> {
        if (!fields.has(f)) indexErrors.add("Cannot index '" + f + "': it is not a mapped field.");
      });
      if (!indexErrors.isEmpty()) errors.put("config.indexes", indexErrors);
    }
    JsonNode polling = config.path("sf_polling_seconds");
    if (!polling.isMissingNode() && !polling.isNull()
        && (!polling.canConvertToInt() || !POLLING.inRange(polling.asInt()))) {
      errors.put("config.sf_polling_seconds", List.of("Must be between " + POLLING.min().text() + " and " + POLLING.max().text() + " seconds."));
    }
    JsonNode upsert = config.path("upsert_field");
    if (upsert.isTextual() && !fields.has(upsert.asText())) {
      errors.put("config.upsert_field", List.of("The upsert field '" + upsert.asText() + "' is not a mapped field."));
    }
    return errors;
  }

  /** The table goes, and its write errors with it. */
  void delete(Mapping m) {
    mappings.remove(m.id);
    writeErrors.removeIf(e -> e.mappingId().equals(m.id));
  }

  void reload(Mapping m) {
    m.startPhase("RELOAD");
  }

  void abort(Mapping m) {
    m.forcedState = "ABORTED";
  }

  // ---- export / import ------------------------------------------------------------------

  ObjectNode export(Conn c) {
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("mappings");
    for (Mapping m : mappingsOf(c.id)) {
      ObjectNode item = list.addObject().put("object_name", m.objectName);
      item.set("config", m.config.deepCopy());
    }
    out.putObject("connection")
        .put("app_name", c.app)
        .put("organization_id", c.organizationId)
        .put("exported_at", clock.instant().toString())
        .put("features", Json.object().toString())
        .put("schema_name", c.schemaName)
        .put("db_key", c.dbKey);
    out.put("version", 1);
    return out;
  }

  void importConfiguration(Conn c, JsonNode body) {
    requireReady(c);
    JsonNode list = body.path("mappings");
    if (!list.isArray()) throw badRequest(Map.of("mappings", List.of("This field is required.")));
    Map<String, List<String>> errors = new TreeMap<>();
    int i = 0;
    for (JsonNode item : list) {
      String objectName = text(item, "object_name", null);
      ObjectNode config = item.path("config").isObject() ? (ObjectNode) item.path("config") : null;
      Mapping existing = objectName == null ? null : mappingOfObject(c.id, objectName).orElse(null);
      int index = i++;
      validate(c, objectName, config, existing).forEach((k, v) -> errors.put("mappings." + index + "." + k, v));
    }
    if (!errors.isEmpty()) throw badRequest(errors);
    for (JsonNode item : list) {
      ObjectNode config = ((ObjectNode) item.path("config")).deepCopy();
      config.remove("revision");
      Optional<Mapping> existing = mappingOfObject(c.id, item.path("object_name").asText());
      if (existing.isPresent()) {
        existing.get().config = config;
        existing.get().revision++;
        existing.get().startPhase("EDIT");
      } else {
        Mapping m = new Mapping(newId(), c.id, item.path("object_name").asText(), config);
        mappings.put(m.id, m);
      }
    }
  }

  static FakeError badRequest(Map<String, List<String>> errors) {
    ObjectNode body = Json.object().put("message", "Invalid input.");
    ObjectNode e = body.putObject("errors");
    errors.forEach((k, v) -> {
      ArrayNode a = e.putArray(k);
      v.forEach(a::add);
    });
    return new FakeError(400, body);
  }

  private static String text(JsonNode node, String key, String fallback) {
    JsonNode v = node == null ? null : node.get(key);
    return v != null && v.isTextual() ? v.asText() : fallback;
  }
}
