package dev.herokuconnect.operator.connect;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herokuconnect.operator.connect.ConnectHttp.Call;
import dev.herokuconnect.operator.connect.Model.AuthorizeRequest;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.ExportedConfiguration;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.Model.MappingRequest;
import dev.herokuconnect.operator.connect.Model.Page;
import dev.herokuconnect.operator.connect.Model.SyncError;
import dev.herokuconnect.operator.connect.Model.ApiVersionChange;
import dev.herokuconnect.operator.connect.Model.NotificationFilter;
import dev.herokuconnect.operator.connect.Model.Notifications;
import dev.herokuconnect.operator.connect.Model.SchemaDiff;
import dev.herokuconnect.operator.connect.Model.ValidationReply;
import dev.herokuconnect.operator.connect.Model.ValidationResults;
import dev.herokuconnect.operator.connect.Model.ValidationRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Typed calls to one region's API root ({@code .../api/v3}). Every call is paid from one
 * budget key (the connection id, or "app:NAME" before it is known).
 */
public final class ConnectApi implements ConnectionApi {
  private static final JavaType CONNECTION_PAGE =
      ConnectHttp.MAPPER.getTypeFactory().constructParametricType(Page.class, Connection.class);
  private static final JavaType ERROR_PAGE =
      ConnectHttp.MAPPER.getTypeFactory().constructParametricType(Page.class, SyncError.class);

  private final ConnectHttp http;
  private final HttpUrl root;
  private final String budgetKey;
  private final RequestGate.Priority priority;

  public ConnectApi(ConnectHttp http, String apiRoot, String budgetKey, RequestGate.Priority priority) {
    this(http, apiRoot, HostAllowlist.Source.field("apiUrl"), budgetKey, priority);
  }

  /** {@code source} says where {@code apiRoot} came from, for the message when its host is not allowed. */
  public ConnectApi(ConnectHttp http, String apiRoot, HostAllowlist.Source source, String budgetKey, RequestGate.Priority priority) {
    this(http, http.hosts().require(apiRoot, source), budgetKey, priority);
  }

  private ConnectApi(ConnectHttp http, HttpUrl root, String budgetKey, RequestGate.Priority priority) {
    this.http = http;
    this.root = root;
    this.budgetKey = budgetKey;
    this.priority = priority;
  }

  /** The same API, paying with another priority. */
  @Override
  public ConnectApi withPriority(RequestGate.Priority p) {
    return p == priority ? this : new ConnectApi(http, root, budgetKey, p);
  }

  public String root() { return root.toString(); }

  // ---- connections ---------------------------------------------------------------

  /** POST /users/me/apps/{app}/auth: the 2017 way to link the user to an app's add-ons. */
  public void linkUserLegacy(String app) {
    send("POST", url("users", "me", "apps", app, "auth"), null, "POST /users/me/apps/{app}/auth");
  }

  /** GET /connections[?app=]: every page, following {@code next}. */
  public List<Connection> listConnections(String app) {
    HttpUrl.Builder first = url("connections").newBuilder();
    if (app != null && !app.isBlank()) first.addQueryParameter("app", app);
    List<Connection> all = new ArrayList<>();
    HttpUrl next = first.build();
    for (int page = 0; next != null && page < 1000; page++) {
      Page<Connection> p = http.send(call("GET", next, null, "GET /connections"), CONNECTION_PAGE);
      if (p == null) break;
      if (p.results() != null) all.addAll(p.results());
      next = p.next() == null || p.next().isBlank() ? null : resolve(p.next(), "next of GET /connections");
    }
    return all;
  }

  /** GET /connections/{id}[?deep=true]; an answer without id or state (or mappings without id) is refused. */
  public Connection getConnection(String id, boolean deep) {
    HttpUrl.Builder u = url("connections", id).newBuilder();
    if (deep) u.addQueryParameter("deep", "true");
    String endpoint = deep ? "GET /connections/{id}?deep" : "GET /connections/{id}";
    Connection c = required(http.send(call("GET", u.build(), null, endpoint), Connection.class), endpoint);
    boolean mappingsOk = c.mappingsOrEmpty().stream().allMatch(m -> m.id() != null && m.objectName() != null);
    if (c.id() == null || c.state() == null || (deep && (c.mappings() == null || !mappingsOk))) {
      throw new ConnectApiException.UnexpectedResponse(endpoint, 200, endpoint + ": the answer lacks "
          + (c.id() == null ? "id" : c.state() == null ? "state" : "the mappings' ids and object names"));
    }
    return c;
  }

  /** PATCH /connections/{id} with db_key and schema_name. */
  public Connection configureDatabase(String id, String dbKey, String schemaName) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("db_key", dbKey);
    body.put("schema_name", schemaName);
    return http.send(call("PATCH", url("connections", id), body, "PATCH /connections/{id}"), Connection.class);
  }

  /** POST /connections/{id}/authorize_url: the URL a person opens to authorize Salesforce. */
  public String authorizeUrl(String id, AuthorizeRequest request) {
    JsonNode body = send("POST", url("connections", id, "authorize_url"), request, "POST /connections/{id}/authorize_url");
    String redirect = body == null ? null : body.path("redirect").asText(null);
    if (redirect == null || redirect.isBlank()) {
      throw new ConnectApiException.UnexpectedResponse("POST /connections/{id}/authorize_url", 200,
          "POST /connections/{id}/authorize_url: the answer has no redirect URL");
    }
    return redirect;
  }

  public void pause(String id) { action(id, "pause"); }
  public void resume(String id) { action(id, "resume"); }
  public void restart(String id) { action(id, "restart"); }

  private void action(String id, String action) {
    send("POST", url("connections", id, "actions", action), null, "POST /connections/{id}/actions/" + action);
  }

  /** GET /connections/{id}/actions/export. */
  public ExportedConfiguration exportConfiguration(String id) {
    return required(http.send(call("GET", url("connections", id, "actions", "export"), null,
        "GET /connections/{id}/actions/export"), ExportedConfiguration.class), "export");
  }

  /** POST /connections/{id}/actions/import with a JSON body; merges into the connection. */
  public void importConfiguration(String id, ExportedConfiguration config) {
    send("POST", url("connections", id, "actions", "import"), config, "POST /connections/{id}/actions/import");
  }

  /** POST /connections/{id}/actions/import as a file upload ({@code config=@file}). */
  public void importConfigurationFile(String id, byte[] exportedJson) {
    http.sendMultipart(call("POST", url("connections", id, "actions", "import"), null,
        "POST /connections/{id}/actions/import"), "config", "config.json", exportedJson);
  }

  /** POST /connections/{id}/validations: starts a diagnose run. */
  @Override
  public ValidationRun startValidation(String id) {
    return required(http.send(call("POST", url("connections", id, "validations"), null,
        "POST /connections/{id}/validations"), ValidationRun.class), "validations");
  }

  /**
   * One GET of a run's {@code result_url}: 202 while it runs, 200 with the results once done (the
   * CLI plugin's src/commands/connect/diagnose.ts, run: "if (response.status === 200)"). The HTTP
   * status decides; a body of a 202 is not read. Bounded polling: {@link ValidationPoller}.
   */
  @Override
  public ValidationReply validationReply(String resultUrl) {
    String endpoint = "GET /connections/{id}/validations/{run}";
    ConnectHttp.Reply reply = http.exchange(call("GET", resolve(resultUrl, "result_url of a validation"), null, endpoint), Set.of());
    if (reply.status() == 202) return new ValidationReply(202, null);
    if (reply.status() != 200) {
      throw new ConnectApiException.UnexpectedResponse(endpoint, reply.status(),
          endpoint + ": answered " + reply.status() + "; a run answers 202 while it runs and 200 with its result");
    }
    return new ValidationReply(200, convert(required(reply.body(), endpoint), ValidationResults.class, endpoint));
  }

  /**
   * The reader written for the old shape (reconciler/connection/Validations) calls this: one GET of
   * {@code result_url}, read by its HTTP status as {@link #validationReply} does: status "running"
   * on 202, "complete" on 200 with the results as {@link ValidationResults#asFindings()}. Unbounded
   * by itself: new code uses {@link ValidationPoller}.
   */
  @Override
  public ValidationRun validationResult(String resultUrl) {
    ValidationReply reply = validationReply(resultUrl);
    return reply.complete()
        ? new ValidationRun(resultUrl, "complete", reply.results().asFindings())
        : new ValidationRun(resultUrl, "running", null);
  }

  /**
   * GET /mappings/{id}/validations: one mapping's checks, answered at once (the CLI plugin's
   * src/commands/connect/mapping/diagnose.ts, run: one GET, the body read as DiagnoseResults).
   */
  @Override
  public ValidationResults mappingValidations(String mappingId) {
    String endpoint = "GET /mappings/{id}/validations";
    return required(http.send(call("GET", url("mappings", mappingId, "validations"), null, endpoint), ValidationResults.class), endpoint);
  }

  // ---- Salesforce API version (issue 18) -------------------------------------------------------

  /**
   * GET /connections/{id}/schema-diff?target_version=NN.0: what moving to {@code targetVersion}
   * changes in each mapping (the CLI plugin's src/commands/connect/manage-sf-api-version.ts,
   * fetchResult without --confirm). The version is normalised as the plugin does
   * ({@link Model#normalizeApiVersion}); one it refuses is refused here, before any request.
   */
  @Override
  public SchemaDiff schemaDiff(String id, String targetVersion) {
    String target = apiVersion(targetVersion);
    HttpUrl u = url("connections", id, "schema-diff").newBuilder().addQueryParameter("target_version", target).build();
    String endpoint = "GET /connections/{id}/schema-diff";
    return required(http.send(call("GET", u, null, endpoint), SchemaDiff.class), endpoint);
  }

  /**
   * POST /connections/{id}/actions/change-sf-api-version with {@code {"target_version": "NN.0"}},
   * the only key the CLI plugin sends (src/commands/connect/manage-sf-api-version.ts, fetchResult
   * with --confirm). The API accepts it only while the connection is PAUSED and no mapping would
   * change unsafely; a refusal (400 or 409) throws {@link ConnectApiException.ApiVersionChangeRefused}
   * with the API's message, the mappings still syncing and the diff it sent.
   */
  @Override
  public ApiVersionChange changeSfApiVersion(String id, String targetVersion) {
    String target = apiVersion(targetVersion);
    String endpoint = "POST /connections/{id}/actions/change-sf-api-version";
    ConnectHttp.Reply reply = http.exchange(call("POST", url("connections", id, "actions", "change-sf-api-version"),
        Map.of("target_version", target), endpoint), Set.of(400, 409));
    JsonNode body = reply.body();
    boolean hasDiff = body != null && (body.has("mappings") || body.has("current_api_version"));
    SchemaDiff diff = hasDiff ? convert(body, SchemaDiff.class, endpoint) : null;
    if (!reply.isSuccess()) {
      List<String> syncing = new ArrayList<>();
      if (body != null) body.path("syncing_mappings").forEach(n -> syncing.add(n.asText()));
      // field errors: under "errors" (this API's 400s), or the whole body when it is nothing else (Django REST style)
      boolean plain = body != null && body.isObject() && !hasDiff && !body.has("message") && !body.has("error")
          && !body.has("syncing_mappings");
      Map<String, List<String>> fieldErrors = body != null && (body.path("errors").isObject() || plain)
          ? ConnectHttp.fieldErrors(body) : Map.of();
      throw new ConnectApiException.ApiVersionChangeRefused(endpoint, reply.status(), ConnectHttp.messageOf(body, ""),
          syncing, diff, fieldErrors);
    }
    String reported = body == null ? null : body.path("target_version").asText(null);
    return new ApiVersionChange(reported == null || reported.isBlank() ? target : reported, diff);
  }

  private static String apiVersion(String version) {
    String normalized = Model.normalizeApiVersion(version);
    if (normalized == null) {
      throw new IllegalArgumentException("'" + version + "' is not a Salesforce API version: write it as NN.0, for example 61.0");
    }
    return normalized;
  }

  // ---- notifications (issue 18) ----------------------------------------------------------------

  /**
   * GET /connections/{id}/notifications with the filter's query: the unacknowledged notifications,
   * one page of {@code pageSize} (the CLI plugin's src/commands/connect/notifications/index.ts, run:
   * one request with page_size=1000; it follows no next). Paid with this API's priority: a
   * periodic read goes through {@code withPriority(BACKGROUND)}.
   */
  @Override
  public Notifications notifications(String id, NotificationFilter filter) {
    String endpoint = "GET /connections/{id}/notifications";
    return required(http.send(call("GET", notificationsUrl(filter, "connections", id, "notifications"), null, endpoint),
        Notifications.class), endpoint);
  }

  /**
   * POST /connections/{id}/notifications/acknowledge with the filter as the query and no body;
   * success is 204 and nothing else (the CLI plugin's src/commands/connect/notifications/acknowledge.ts,
   * run: "if (response.status !== 204) throw").
   */
  @Override
  public void acknowledgeNotifications(String id, NotificationFilter filter) {
    String endpoint = "POST /connections/{id}/notifications/acknowledge";
    ConnectHttp.Reply reply = http.exchange(call("POST", notificationsUrl(filter, "connections", id, "notifications", "acknowledge"),
        null, endpoint), Set.of());
    if (reply.status() != 204) {
      throw new ConnectApiException.UnexpectedResponse(endpoint, reply.status(), endpoint + ": answered " + reply.status()
          + " where 204 means acknowledged: " + ConnectHttp.messageOf(reply.body(), ""));
    }
  }

  private HttpUrl notificationsUrl(NotificationFilter filter, String... segments) {
    HttpUrl.Builder u = url(segments).newBuilder();
    if (filter.after() != null) u.addQueryParameter("after", filter.after().toString());
    if (filter.before() != null) u.addQueryParameter("before", filter.before().toString());
    if (filter.eventType() != null && !filter.eventType().isBlank()) u.addQueryParameter("event_type", filter.eventType());
    u.addQueryParameter("page_size", Integer.toString(filter.pageSize()));
    return u.build();
  }

  /** GET /connections/{id}/errors: write errors of the last 24 hours, newest first, every page. */
  public List<SyncError> connectionErrors(String id) {
    return errors(url("connections", id, "errors"), "GET /connections/{id}/errors");
  }

  // ---- mappings ------------------------------------------------------------------

  /** POST /connections/{id}/mappings. */
  public Mapping createMapping(String connectionId, String objectName, MappingConfig config) {
    return required(http.send(call("POST", url("connections", connectionId, "mappings"),
        new MappingRequest(objectName, config), "POST /connections/{id}/mappings"), Mapping.class), "create mapping");
  }

  public Mapping getMapping(String id) {
    return required(http.send(call("GET", url("mappings", id), null, "GET /mappings/{id}"), Mapping.class), "mapping");
  }

  /** PUT /mappings/{id}; {@code config.revision} must be the one last read (else 409). */
  public Mapping editMapping(String id, String objectName, MappingConfig config) {
    return http.send(call("PUT", url("mappings", id), new MappingRequest(objectName, config), "PUT /mappings/{id}"),
        Mapping.class);
  }

  public void deleteMapping(String id) {
    send("DELETE", url("mappings", id), null, "DELETE /mappings/{id}");
  }

  public void reloadMapping(String id) {
    send("POST", url("mappings", id, "actions", "reload"), null, "POST /mappings/{id}/actions/reload");
  }

  public void abortMapping(String id) {
    send("POST", url("mappings", id, "actions", "abort"), null, "POST /mappings/{id}/actions/abort");
  }

  /** GET /mappings/{id}/errors: the mapping's write errors of the last 24 hours, newest first, every page. */
  @Override
  public List<SyncError> mappingErrors(String id) {
    return errors(url("mappings", id, "errors"), "GET /mappings/{id}/errors");
  }

  // ---- plumbing ------------------------------------------------------------------

  @Override
  public List<SyncError> recentMappingErrors(String id) {
    Page<SyncError> p = http.send(call("GET", url("mappings", id, "errors"), null, "GET /mappings/{id}/errors"), ERROR_PAGE);
    return p == null || p.results() == null ? List.of() : p.results();
  }

  private List<SyncError> errors(HttpUrl first, String endpoint) {
    List<SyncError> all = new ArrayList<>();
    HttpUrl next = first;
    for (int page = 0; next != null && page < 1000; page++) {
      Page<SyncError> p = http.send(call("GET", next, null, endpoint), ERROR_PAGE);
      if (p == null) break;
      if (p.results() != null) all.addAll(p.results());
      next = p.next() == null || p.next().isBlank() ? null : resolve(p.next(), "next of " + endpoint);
    }
    return all;
  }

  private JsonNode send(String method, HttpUrl url, Object body, String endpoint) {
    return http.send(call(method, url, body, endpoint));
  }

  private Call call(String method, HttpUrl url, Object body, String endpoint) {
    return new Call(method, url, body, endpoint, budgetKey, priority);
  }

  private HttpUrl url(String... segments) {
    HttpUrl.Builder b = root.newBuilder();
    for (String s : segments) b.addPathSegment(s);
    return b.build();
  }

  /**
   * {@code next} and {@code result_url} may be absolute or relative to the host; an absolute one
   * is the API's word only, so it must pass the host allowlist like any URL the token goes to.
   */
  private HttpUrl resolve(String link, String what) {
    HttpUrl u = root.resolve(link);
    if (u == null) {
      throw new ConnectApiException.UnexpectedResponse("link", 200, "the API gave an unusable link: " + ConnectHttp.excerpt(link));
    }
    return http.hosts().require(ApiUrls.requireSafe(u.toString(), "link from the API"), HostAllowlist.Source.answer(what));
  }

  private static <T> T convert(JsonNode node, Class<T> type, String endpoint) {
    try {
      return ConnectHttp.MAPPER.convertValue(node, type);
    } catch (IllegalArgumentException e) {
      throw new ConnectApiException.UnexpectedResponse(endpoint, 200, endpoint + ": the answer does not have the expected shape ("
          + ConnectHttp.excerpt(String.valueOf(e.getMessage())) + ")");
    }
  }

  private static <T> T required(T value, String what) {
    if (value == null) {
      throw new ConnectApiException.UnexpectedResponse(what, 200, what + ": the API answered with an empty body");
    }
    return value;
  }
}
