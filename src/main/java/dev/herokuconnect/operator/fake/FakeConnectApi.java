package dev.herokuconnect.operator.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful fake of the Heroku Connect API (discovery host and region API in one server) on a
 * loopback port, faithful to the 2022 reference and the notes in shared/reference, quirks
 * included: method override, the 429 message, revisions and 409, pause only from IDLE.
 * Tests and the demo drive it through the hooks below; it records every request it answers.
 */
public final class FakeConnectApi implements AutoCloseable {
  /** One answered request, of either API; the Authorization header is never kept. */
  public record RecordedRequest(Instant at, String method, String path, String query, String body, int status,
                                String connectionId) {
    public boolean isWrite() { return !method.equals("GET"); }
    /** Which API answered: "platform" (the add-on endpoints, {@link FakePlatformApi}) or "connect". */
    public String api() { return FakePlatformApi.handles(path) ? "platform" : "connect"; }
    @Override public String toString() { return method + " " + path + (query == null ? "" : "?" + query) + " -> " + status; }
  }

  /** A mapping as the fake holds it, for assertions. */
  public record MappingView(String id, String connectionId, String objectName, String state, long revision, JsonNode config) {}

  private static final Pattern CONN = Pattern.compile("^/api/v3/connections/([^/]+)(/.*)?$");
  private static final Pattern MAPPING = Pattern.compile("^/api/v3/mappings/([^/]+)(/.*)?$");

  private final Clock clock;
  private final HttpServer server;
  private final ExecutorService executor;
  private final String baseUrl;
  private final FakeStore store;
  private final FakePlatformApi platform;
  private final Map<String, String> tokens = new HashMap<>(); // token -> user
  private final Set<String> forbiddenTokens = new HashSet<>();
  private final Map<String, Deque<Instant>> window = new HashMap<>(); // connection -> request times, 24 h
  private final List<RecordedRequest> log = new ArrayList<>();
  private final Random random = new Random(42);
  private int dailyLimit = 5000;
  private int pageSize = 20;
  private double failureRate;
  private Duration latency = Duration.ZERO;
  private boolean sendRetryAfter = true;
  private final Map<String, Integer> limitOverrides = new HashMap<>();
  private boolean conflictOnFirstPut;
  private final Set<String> putSeen = new HashSet<>();
  private Garbage garbage = Garbage.NONE;
  private int faultsInjected;
  private Outage outage;

  /** Requests with {@code method} whose path contains {@code pathPart} are answered {@code status}, {@code left} more times. */
  private record Outage(String method, String pathPart, int status, int left) {}

  /** Broken answers to the deep GET, as a misbehaving proxy or a newer API might give. */
  public enum Garbage { NONE, HTML_PAGE, INVALID_JSON, MISSING_FIELDS, UNKNOWN_STATE, HUGE_BODY }

  public FakeConnectApi(Clock clock) throws IOException {
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    this.executor = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "fake-connect-api");
      t.setDaemon(true);
      return t;
    });
    this.server.setExecutor(executor);
    this.baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
    this.store = new FakeStore(clock, baseUrl);
    this.platform = new FakePlatformApi(this, clock, store, token -> tokens.get(token));
    server.createContext("/", this::handle);
    server.start();
  }

  public FakeConnectApi() throws IOException {
    this(Clock.systemUTC());
  }

  /** The discovery URL (also the region URL: one server plays both). */
  public String baseUrl() { return baseUrl; }

  /** The host in {@link #baseUrl()}: what HEROKU_CONNECT_API_HOSTS must allow for the token to reach the fake. */
  public String host() { return java.net.URI.create(baseUrl).getHost(); }

  public String apiRoot() { return baseUrl + "/api/v3"; }

  /** The Platform API's add-on endpoints on the same server ({@link #baseUrl()} is also HEROKU_PLATFORM_API_URL), and their knobs. */
  public FakePlatformApi platform() { return platform; }

  @Override
  public void close() {
    releaseHang();
    server.stop(0);
    executor.shutdownNow();
  }

  // ---- test hooks --------------------------------------------------------------------

  /** A token that the fake accepts, belonging to {@code user}. */
  public synchronized FakeConnectApi addToken(String token, String user) {
    tokens.put(token, user);
    return this;
  }

  /** Revokes a token: every later request with it gets 401. */
  public synchronized void revokeToken(String token) { tokens.remove(token); }

  /** The token stays valid but its user may not touch connections (403). */
  public synchronized void forbidToken(String token) { forbiddenTokens.add(token); }

  /** Adds a Heroku Connect add-on to {@code app}; returns its connection id. Invisible until linked. */
  public synchronized String addConnection(String app, String resourceName) {
    return store.addConnection(store.newId(), app, resourceName).id;
  }

  /** Discovery names {@code url} as the add-on's region_url, as a compromised or confused discovery answer would. */
  public synchronized void setRegionUrl(String connectionId, String url) { conn(connectionId).regionUrl = url; }

  /** Destroys an add-on and its mappings (heroku addons:destroy): the API answers 404 for it from now on. */
  public synchronized void destroyConnection(String connectionId) {
    store.destroy(connectionId);
  }

  /** Links {@code user} to an add-on, as a person who once opened it in the dashboard. */
  public synchronized void linkUser(String connectionId, String user) {
    store.connections.get(connectionId).linkedUsers.add(user);
  }

  /** An add-on that is already set up, linked to {@code user} and authorized (an existing connection). */
  public synchronized String addReadyConnection(String app, String resourceName, String user, String dbKey, String schema) {
    String id = addConnection(app, resourceName);
    FakeStore.Conn c = store.connections.get(id);
    c.linkedUsers.add(user);
    c.dbKey = dbKey;
    c.schemaName = schema;
    store.authorize(c);
    return id;
  }

  /** What a person does by opening the authorization URL. */
  public synchronized void completeAuthorization(String connectionId) { store.authorize(conn(connectionId)); }

  public synchronized void forceConnectionState(String connectionId, String state) { conn(connectionId).forcedState = state; }

  /** The connection writes to Salesforce (POLLING_DB_CHANGES) for a while, so pause is refused. */
  public synchronized void busyFor(String connectionId, Duration d) { conn(connectionId).busyUntil = clock.instant().plus(d); }

  public synchronized void forceMappingState(String mappingId, String state) { mapping(mappingId).forcedState = state; }

  /** An edit made in the dashboard: changes the config and bumps the revision. */
  public synchronized void dashboardEdit(String mappingId, Consumer<ObjectNode> edit) {
    FakeStore.Mapping m = mapping(mappingId);
    edit.accept(m.config);
    m.revision++;
    m.startPhase("EDIT");
  }

  /** A mapping created in the dashboard; returns its id. */
  public synchronized String dashboardCreate(String connectionId, String objectName, ObjectNode config) {
    ObjectNode body = Json.object().put("object_name", objectName);
    body.set("config", config);
    FakeStore.Mapping m = store.create(conn(connectionId), body);
    m.phaseStart = Instant.EPOCH; // long settled
    return m.id;
  }

  public synchronized void dashboardDelete(String mappingId) { store.delete(mapping(mappingId)); }

  /**
   * A write of a Postgres row to Salesforce failed on this mapping (Salesforce refused it):
   * from now on {@code GET /mappings/{id}/errors} and {@code GET /connections/{id}/errors} list
   * it, newest first, paged like every list ({@code count}, {@code next}, {@code previous},
   * {@code results}; {@link #setPageSize}), each as {@code id} (the trigger log id, a number),
   * {@code table_name} (the mapping's table: the object name in lower case), {@code record_id}
   * (the row's id in that table, a number), {@code message} and {@code created_at} (the fake's
   * clock, ISO-8601) — the columns the Heroku CLI plugin's {@code connect:write-errors} shows.
   * The mapping's {@code counts.errors} (deep GET and mapping details) counts the same errors.
   * Both forget an error 24 hours after it was added (the endpoints show the last 24 hours), and
   * deleting the mapping drops its errors with its table. Returns the trigger log id.
   */
  public synchronized long addWriteError(String mappingId, long recordId, String message) {
    return store.addWriteError(mapping(mappingId), recordId, message).id();
  }

  /** As {@link #addWriteError(String, long, String)}, for row 1 of the table. */
  public synchronized long addWriteError(String mappingId, String message) {
    return addWriteError(mappingId, 1, message);
  }

  public synchronized void setDailyLimit(int limit) { dailyLimit = limit; }
  /** A daily limit for one connection only. */
  public synchronized void setDailyLimit(String connectionId, int limit) { limitOverrides.put(connectionId, limit); }
  /** Someone edits each mapping in the dashboard just before the operator's first PUT lands: 409. */
  public synchronized void setConflictOnFirstPut(boolean on) { conflictOnFirstPut = on; }
  public synchronized void setGarbage(Garbage g) { garbage = g; }
  /** Failures injected so far (5xx and dropped connections). */
  public synchronized int faultsInjected() { return faultsInjected; }
  public synchronized void setPageSize(int size) { pageSize = size; }
  /** Share of requests (0..1) answered with 500/502/503 or a dropped connection. */
  public synchronized void setFailureRate(double rate) { failureRate = rate; }

  /**
   * One endpoint fails: the next {@code times} requests with {@code method} whose path contains
   * {@code pathPart} are answered {@code status} (a 5xx) without reaching the store;
   * {@code Integer.MAX_VALUE} until {@link #endOutage()}.
   */
  public synchronized void failRequests(String method, String pathPart, int status, int times) {
    // a server's failure only: a 4xx comes from the store's own rules, with the API's own words, never from here
    if (status < 500) throw new IllegalArgumentException("an outage answers 5xx, not " + status);
    outage = new Outage(method, pathPart, status, times);
  }

  /**
   * Runs {@code change} just before the next request with {@code method} whose path contains
   * {@code pathPart} is answered, as if someone changed the connection between the operator's read
   * and its write; the request then meets the store's own rules (e.g. a pause of a BUSY connection).
   */
  public synchronized void beforeNext(String method, String pathPart, Runnable change) {
    interleave = new Interleave(method, pathPart, change);
  }

  private record Interleave(String method, String pathPart, Runnable change) {}

  /**
   * The next request with {@code method} whose path contains {@code pathPart} takes effect and its
   * answer is lost (a 5xx instead), as when the operator dies right after sending it: what a
   * restart must continue from without sending it again.
   */
  public synchronized void loseAnswerOfNext(String method, String pathPart) {
    loseAnswer = new Interleave(method, pathPart, () -> {});
  }

  private Interleave loseAnswer;

  private Interleave interleave;

  public synchronized void endOutage() { outage = null; }
  public synchronized void setLatency(Duration d) { latency = d; }
  public synchronized void setSendRetryAfter(boolean on) { sendRetryAfter = on; }

  /** Deep GETs of {@code connectionId} hang, as a slow region's do, until {@link #releaseHang()} (at most the client's timeout). */
  public void hangDeepGets(String connectionId) {
    hang = new java.util.concurrent.CountDownLatch(1);
    hangFor = connectionId;
  }

  /** Lets hanging deep GETs answer, and later ones answer at once. */
  public void releaseHang() {
    hangFor = null;
    hang.countDown();
  }

  /** How many deep GETs are hanging now. */
  public int hanging() { return hangingNow.get(); }

  private final java.util.concurrent.atomic.AtomicInteger hangingNow = new java.util.concurrent.atomic.AtomicInteger();
  private volatile String hangFor;
  private volatile java.util.concurrent.CountDownLatch hang = new java.util.concurrent.CountDownLatch(0);
  /** How long new or edited mappings settle, and how long their table loads. */
  public void setSyncTiming(Duration settle, Duration load) { store.timing = new FakeStore.Timing(settle, load); }

  // ---- Salesforce API version (issue 18) -------------------------------------------------

  /** What Salesforce changed in a field at an API version; {@link #declareFieldChange} declares it. */
  public record FieldChange(String kind, String resultLine) {
    /** The field no longer exists: an unsafe change ("Fields removed from Salesforce: F. "). */
    public static FieldChange removed() { return new FieldChange("REMOVED", null); }
    /** The field got longer: a safe change ("Length increased in Salesforce for field: F. "). */
    public static FieldChange lengthIncreased() { return new FieldChange("LENGTH_INCREASED", null); }
    /** Another unsafe change, with the line of result_message the test chooses. */
    public static FieldChange unsafe(String resultLine) { return new FieldChange("UNSAFE", resultLine); }
  }

  /**
   * From Salesforce API version {@code atVersion} on, {@code field} of {@code objectName} changes
   * as {@code change} says: a schema-diff (and a change) across that version shows it on every
   * mapping of the object that maps the field, and an unsafe one refuses the change (409).
   */
  public synchronized void declareFieldChange(String objectName, String field, String atVersion, FieldChange change) {
    int at = store.supportedVersionOrFail(atVersion);
    store.schemaChanges.add(new FakeStore.SchemaChange(objectName, field, at,
        FakeStore.SchemaChange.Kind.valueOf(change.kind()), change.resultLine()));
  }

  /** Across {@code atVersion} the API cannot tell whether {@code objectName}'s mappings need action (action_undetermined). */
  public synchronized void declareUndetermined(String objectName, String atVersion) {
    store.schemaChanges.add(new FakeStore.SchemaChange(objectName, null, store.supportedVersionOrFail(atVersion),
        FakeStore.SchemaChange.Kind.UNDETERMINED, null));
  }

  /** Sets the connection's Salesforce API version directly (a connection authorized long ago). */
  public synchronized void setApiVersion(String connectionId, String version) {
    store.supportedVersionOrFail(version);
    conn(connectionId).apiVersion = version;
  }

  public synchronized String apiVersion(String connectionId) { return conn(connectionId).apiVersion; }

  /** The newest version the fake supports (default 62.0): new connections get it, nothing above it is accepted. */
  public synchronized void setLatestApiVersion(String version) {
    store.latestApiVersion = Integer.parseInt(version.substring(0, version.indexOf('.')));
  }

  // ---- notifications (issue 18) ------------------------------------------------------------

  /**
   * A notification of the connection, unacknowledged, created at {@code createdAt}: listed by
   * {@code GET /connections/{id}/notifications} (newest first, filtered by after, before and
   * event_type) until {@code POST .../notifications/acknowledge} selects it. Returns its id.
   */
  public synchronized String addNotification(String connectionId, String eventType, String message, Instant createdAt) {
    return store.addNotification(conn(connectionId), eventType, message, createdAt).id();
  }

  /** As {@link #addNotification(String, String, String, Instant)}, created now (the fake's clock). */
  public synchronized String addNotification(String connectionId, String eventType, String message) {
    return addNotification(connectionId, eventType, message, clock.instant());
  }

  /** The ids of the connection's unacknowledged notifications, newest first. */
  public synchronized List<String> unacknowledgedNotifications(String connectionId) {
    return store.notificationsOf(conn(connectionId), Map.of()).stream().map(FakeStore.Notification::id).toList();
  }

  // ---- validations (issue 18) ----------------------------------------------------------------

  private int validationRunningPolls = 1;

  /**
   * Each validation run started from now on answers 202 (no body) to its first {@code polls} GETs
   * of its result_url, then 200 with its result; {@code Integer.MAX_VALUE}: it never finishes.
   * Default 1.
   */
  public synchronized void setValidationRunningPolls(int polls) { validationRunningPolls = polls; }

  public synchronized List<RecordedRequest> requests() { return List.copyOf(log); }

  public synchronized void clearRequests() { log.clear(); }

  public synchronized List<MappingView> mappings(String connectionId) {
    return store.mappingsOf(connectionId).stream()
        .map(m -> new MappingView(m.id, m.connectionId, m.objectName, m.state(), m.revision, m.config.deepCopy()))
        .toList();
  }

  public synchronized String connectionState(String connectionId) { return conn(connectionId).state(); }

  /** Requests this connection has had in the last 24 h (what the daily limit counts). */
  public synchronized int requestsInWindow(String connectionId) {
    Deque<Instant> times = window.get(connectionId);
    if (times == null) return 0;
    prune(times);
    return times.size();
  }

  private FakeStore.Conn conn(String id) {
    FakeStore.Conn c = store.connections.get(id);
    if (c == null) throw new IllegalArgumentException("no connection " + id);
    return c;
  }

  private FakeStore.Mapping mapping(String id) {
    FakeStore.Mapping m = store.mappings.get(id);
    if (m == null) throw new IllegalArgumentException("no mapping " + id);
    return m;
  }

  // ---- HTTP ---------------------------------------------------------------------------

  /** An answer: a JSON body, or raw text (a proxy's HTML page, broken JSON). */
  private record Answer(int status, JsonNode body, Map<String, String> headers, String raw) {
    Answer(int status, JsonNode body, Map<String, String> headers) { this(status, body, headers, null); }
    static Answer of(int status, JsonNode body) { return new Answer(status, body, Map.of()); }
    static Answer text(int status, String raw) { return new Answer(status, null, Map.of(), raw); }
  }

  private enum Fault { NONE, BEFORE, AFTER, DROP }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!latency.isZero()) sleepQuietly(latency); // simulated network latency
      String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
      String override = ex.getRequestHeaders().getFirst("X-HTTP-Method-Override");
      if (method.equals("POST") && override != null) method = override.toUpperCase(Locale.ROOT);
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      byte[] raw = ex.getRequestBody().readAllBytes();
      String contentType = ex.getRequestHeaders().getFirst("Content-Type");
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String slow = hangFor;
      if (slow != null && method.equals("GET") && path.equals("/api/v3/connections/" + slow) && query != null && query.contains("deep=true")) {
        hangingNow.incrementAndGet();
        awaitQuietly(hang, Duration.ofMinutes(2)); // released by the test; bounded so a forgotten release cannot hang forever
        hangingNow.decrementAndGet();
      }

      Answer answer;
      String connectionId = null;
      Fault fault;
      synchronized (this) {
        if (interleave != null && interleave.method().equals(method) && path.contains(interleave.pathPart())) {
          Runnable change = interleave.change();
          interleave = null;
          change.run();
        }
        boolean down = outage != null && outage.method().equals(method) && path.contains(outage.pathPart());
        fault = down ? Fault.NONE : pickFault();
        if (!down && loseAnswer != null && loseAnswer.method().equals(method) && path.contains(loseAnswer.pathPart())) {
          loseAnswer = null;
          fault = Fault.AFTER;
        }
        if (fault != Fault.NONE) faultsInjected++;
        if (down) {
          answer = Answer.of(outage.status(), Json.object().put("message", "Internal Server Error"));
          connectionId = connectionOf(path);
          outage = outage.left() == Integer.MAX_VALUE ? outage
              : outage.left() > 1 ? new Outage(outage.method(), outage.pathPart(), outage.status(), outage.left() - 1) : null;
        } else if (fault == Fault.BEFORE) {
          answer = serverError();
        } else if (FakePlatformApi.handles(path)) {
          platform.advance();
          FakePlatformApi.Reply r = platform.answer(method, path, ex.getRequestHeaders().getFirst("Accept"), auth,
              ex.getRequestHeaders().getFirst("Range"), raw);
          answer = new Answer(r.status(), r.body(), r.headers());
          connectionId = r.addonId(); // the add-on is the connection: the log shows both APIs' requests about it together
          if (fault == Fault.AFTER) answer = serverError();
        } else {
          platform.advance(); // an add-on provisioned by time is a connection discovery can find
          connectionId = connectionOf(path);
          answer = answer(method, path, query, raw, contentType, auth, connectionId);
          if (fault == Fault.AFTER) answer = serverError(); // the change happened; the answer is lost
        }
        String body = raw.length == 0 ? null : new String(raw, StandardCharsets.UTF_8);
        log.add(new RecordedRequest(clock.instant(), method, path, query, body, fault == Fault.DROP ? 0 : answer.status(), connectionId));
      }
      if (fault == Fault.DROP) {
        ex.sendResponseHeaders(200, 4096); // promise a body, send a little, hang up
        ex.getResponseBody().write("{\"id\":".getBytes(StandardCharsets.UTF_8));
        ex.getResponseBody().flush();
        throw new IOException("dropped on purpose");
      }
      respond(ex, answer);
    } catch (IOException dropped) {
      // the exchange is closed by try-with-resources; the client sees a broken answer
    }
  }

  private Fault pickFault() {
    if (failureRate <= 0 || random.nextDouble() >= failureRate) return Fault.NONE;
    return switch (random.nextInt(4)) {
      case 0 -> Fault.DROP;
      case 1 -> Fault.AFTER;
      default -> Fault.BEFORE;
    };
  }

  private Answer serverError() {
    int status = List.of(500, 502, 503).get(random.nextInt(3));
    return status == 500
        ? Answer.of(500, Json.object().put("message", "Internal Server Error"))
        : Answer.text(status, "<html><body><h1>" + status + " Bad Gateway</h1></body></html>");
  }

  private String connectionOf(String path) {
    Matcher c = CONN.matcher(path);
    if (c.matches()) return store.connections.containsKey(c.group(1)) ? c.group(1) : null;
    Matcher m = MAPPING.matcher(path);
    if (m.matches()) {
      FakeStore.Mapping mapping = store.mappings.get(m.group(1));
      return mapping == null ? null : mapping.connectionId;
    }
    return null;
  }

  private Answer answer(String method, String path, String query, byte[] raw, String contentType, String auth,
                        String connectionId) {
    if (path.startsWith("/oauth/start/")) return oauth(path.substring("/oauth/start/".length()));
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).strip() : null;
    if (token == null) return Answer.of(401, Json.object().put("message", "Authentication credentials were not provided."));
    String user = tokens.get(token);
    if (user == null) return Answer.of(401, Json.object().put("message", "Invalid token."));
    boolean hasBody = raw.length > 0;
    if (hasBody && (contentType == null
        || !(contentType.startsWith("application/json") || contentType.startsWith("multipart/form-data")))) {
      return Answer.of(415, Json.object().put("message", "Unsupported media type \"" + contentType + "\" in request."));
    }
    if (connectionId != null) {
      Answer throttled = countAgainstLimit(connectionId);
      if (throttled != null) return throttled;
      if (forbiddenTokens.contains(token)) {
        return Answer.of(403, Json.object().put("message", "You do not have permission to perform this action."));
      }
    }
    JsonNode body;
    try {
      body = !hasBody ? Json.object()
          : contentType.startsWith("multipart/form-data") ? Json.MAPPER.readTree(multipartPart(raw, contentType, "config"))
          : Json.MAPPER.readTree(raw);
    } catch (IOException | RuntimeException e) {
      return Answer.of(400, Json.object().put("message", "JSON parse error."));
    }
    try {
      return route(method, path, query == null ? Map.of() : params(query), body, user);
    } catch (FakeError e) {
      return Answer.of(e.status, e.body);
    }
  }

  /** The daily limit over a rolling 24 h window; a refused request is not counted. */
  private Answer countAgainstLimit(String connectionId) {
    Deque<Instant> times = window.computeIfAbsent(connectionId, k -> new ArrayDeque<>());
    prune(times);
    if (times.size() >= limitOverrides.getOrDefault(connectionId, dailyLimit)) {
      Instant free = times.peekFirst().plus(Duration.ofDays(1));
      long seconds = Math.max(1, (long) Math.ceil(Duration.between(clock.instant(), free).toMillis() / 1000.0));
      Map<String, String> headers = sendRetryAfter ? Map.of("Retry-After", Long.toString(seconds)) : Map.of();
      return new Answer(429, Json.object().put("message", "Request was throttled. Expected available in " + seconds + " seconds."), headers);
    }
    times.addLast(clock.instant());
    return null;
  }

  private void prune(Deque<Instant> times) {
    Instant cutoff = clock.instant().minus(Duration.ofDays(1));
    while (!times.isEmpty() && !times.peekFirst().isAfter(cutoff)) times.removeFirst();
  }

  private Answer route(String method, String path, Map<String, String> q, JsonNode body, String user) {
    String[] p = path.replaceAll("/+$", "").split("/");
    // discovery: /auth/{app}, /connections?app=
    if (p.length == 3 && p[1].equals("auth") && method.equals("POST")) return Answer.of(200, link(decode(p[2]), user));
    if (p.length == 2 && p[1].equals("connections") && method.equals("GET")) return Answer.of(200, search(q, user));
    if (p.length < 3 || !p[1].equals("api") || !p[2].equals("v3")) return Answer.of(404, Json.object().put("message", "Not found."));
    String[] r = java.util.Arrays.copyOfRange(p, 3, p.length);
    String route = method + " " + String.join("/", shape(r));
    return switch (route) {
      case "POST users/me/apps/*/auth" -> Answer.of(200, link(decode(r[3]), user));
      case "GET connections" -> Answer.of(200, list(q, user));
      case "GET connections/*" -> garbage == Garbage.NONE || !"true".equals(q.get("deep"))
          ? Answer.of(200, store.connectionJson(store.connection(r[1], user), "true".equals(q.get("deep"))))
          : garbled(store.connectionJson(store.connection(r[1], user), true));
      case "PATCH connections/*" -> {
        FakeStore.Conn c = store.connection(r[1], user);
        store.configure(c, body);
        yield Answer.of(200, store.connectionJson(c, false));
      }
      case "POST connections/*/authorize_url" -> Answer.of(200, authorizeUrl(store.connection(r[1], user), body));
      case "POST connections/*/actions/pause" -> accepted(() -> store.pause(store.connection(r[1], user)));
      case "POST connections/*/actions/resume" -> accepted(() -> store.resume(store.connection(r[1], user)));
      case "POST connections/*/actions/restart" -> accepted(() -> store.restart(store.connection(r[1], user)));
      case "GET connections/*/schema-diff" -> Answer.of(200, store.schemaDiff(store.connection(r[1], user), q.get("target_version")));
      case "POST connections/*/actions/change-sf-api-version" ->
          Answer.of(202, store.changeApiVersion(store.connection(r[1], user), body));
      case "GET connections/*/notifications" -> Answer.of(200, notifications(store.connection(r[1], user), q));
      case "POST connections/*/notifications/acknowledge" -> {
        store.acknowledge(store.connection(r[1], user), q);
        yield new Answer(204, null, Map.of());
      }
      case "GET connections/*/actions/export", "POST connections/*/actions/export" ->
          Answer.of(200, store.export(store.connection(r[1], user)));
      case "POST connections/*/actions/import" -> accepted(() -> store.importConfiguration(store.connection(r[1], user), body));
      case "POST connections/*/mappings" -> Answer.of(201, store.mappingJson(store.create(store.connection(r[1], user), body)));
      case "POST connections/*/validations" -> {
        FakeStore.Conn c = store.connection(r[1], user);
        FakeStore.ValidationRun run = store.startValidation(c, validationRunningPolls);
        yield Answer.of(202, Json.object().put("result_url", apiRoot() + "/connections/" + c.id + "/validations/" + run.id));
      }
      case "GET connections/*/validations/*" -> {
        ObjectNode result = store.poll(store.connection(r[1], user), r[3]);
        yield result == null ? new Answer(202, null, Map.of()) : Answer.of(200, result);
      }
      case "GET mappings/*/validations" -> Answer.of(200, store.mappingValidations(store.mapping(r[1], user)));
      case "GET connections/*/errors" -> {
        FakeStore.Conn c = store.connection(r[1], user);
        yield Answer.of(200, errorPage(store.recentErrors(e -> e.connectionId().equals(c.id)), q, "/connections/" + c.id + "/errors"));
      }
      case "GET mappings/*" -> Answer.of(200, store.mappingJson(store.mapping(r[1], user)));
      case "PUT mappings/*" -> {
        FakeStore.Mapping m = store.mapping(r[1], user);
        if (conflictOnFirstPut && putSeen.add(m.id)) {
          m.config.put("dashboard_note", "edited by a person at the same time");
          m.revision++;
          yield Answer.of(409, Json.object().put("message", "The mapping was changed since it was read."));
        }
        store.edit(m, body);
        yield Answer.of(200, store.mappingJson(m));
      }
      case "DELETE mappings/*" -> {
        store.delete(store.mapping(r[1], user));
        yield new Answer(204, null, Map.of());
      }
      case "POST mappings/*/actions/reload" -> accepted(() -> store.reload(store.mapping(r[1], user)));
      case "POST mappings/*/actions/abort" -> accepted(() -> store.abort(store.mapping(r[1], user)));
      case "GET mappings/*/errors" -> {
        FakeStore.Mapping m = store.mapping(r[1], user);
        yield Answer.of(200, errorPage(store.recentErrors(e -> e.mappingId().equals(m.id)), q, "/mappings/" + m.id + "/errors"));
      }
      default -> Answer.of(method.equals("GET") || method.equals("POST") ? 404 : 405,
          Json.object().put("message", "Not found: " + method + " " + path));
    };
  }

  /** Replaces ids in a split path by *, so routes read like the reference. */
  private static List<String> shape(String[] r) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < r.length; i++) {
      boolean isId = (i == 1 && (r[0].equals("connections") || r[0].equals("mappings")))
          || (i == 3 && (r[0].equals("users") || r[2].equals("validations")));
      out.add(isId ? "*" : r[i]);
    }
    return out;
  }

  private Answer garbled(ObjectNode real) {
    return switch (garbage) {
      case HTML_PAGE -> Answer.text(200, "<html><body>Service temporarily unavailable</body></html>");
      case INVALID_JSON -> Answer.text(200, "{\"id\": \"" + real.path("id").asText() + "\", \"state\": ");
      case MISSING_FIELDS -> Answer.of(200, Json.object().put("detail_url", real.path("detail_url").asText()));
      case UNKNOWN_STATE -> Answer.of(200, real.put("state", "QUANTUM_FLUX"));
      case HUGE_BODY -> {
        ArrayNode padding = real.putArray("padding");
        String chunk = "x".repeat(1024);
        for (int i = 0; i < 40 * 1024; i++) padding.add(chunk); // 40 MiB
        yield Answer.of(200, real);
      }
      case NONE -> Answer.of(200, real);
    };
  }

  private Answer accepted(Runnable action) {
    action.run();
    return Answer.of(202, Json.object());
  }

  private ObjectNode link(String app, String user) {
    List<FakeStore.Conn> conns = store.connectionsOfApp(app);
    if (conns.isEmpty()) throw FakeError.message(404, "No Heroku Connect add-on found for app '" + app + "'.");
    conns.forEach(c -> c.linkedUsers.add(user));
    ObjectNode out = Json.object().put("count", conns.size());
    ArrayNode results = out.putArray("results");
    conns.forEach(c -> results.add(store.addonJson(c)));
    return out;
  }

  private ObjectNode search(Map<String, String> q, String user) {
    String app = q.get("app");
    if (app == null) throw FakeStore.badRequest(Map.of("app", List.of("This parameter is required.")));
    List<FakeStore.Conn> visible = store.connectionsOfApp(app).stream()
        .filter(c -> c.linkedUsers.contains(user))
        .filter(c -> q.get("resource_name") == null || c.resourceName.equals(q.get("resource_name")))
        .toList();
    ObjectNode out = Json.object().put("count", visible.size());
    ArrayNode results = out.putArray("results");
    visible.forEach(c -> results.add(store.addonJson(c)));
    return out;
  }

  private ObjectNode list(Map<String, String> q, String user) {
    List<FakeStore.Conn> visible = store.connections.values().stream()
        .filter(c -> c.linkedUsers.contains(user))
        .filter(c -> q.get("app") == null || c.app.equals(q.get("app")) || c.appId.equals(q.get("app")))
        .toList();
    int offset = Integer.parseInt(q.getOrDefault("offset", "0"));
    int end = Math.min(visible.size(), offset + pageSize);
    ObjectNode out = Json.object().put("count", visible.size());
    String appParam = q.get("app") == null ? "" : "app=" + q.get("app") + "&";
    if (end < visible.size()) out.put("next", apiRoot() + "/connections?" + appParam + "offset=" + end);
    else out.putNull("next");
    if (offset > 0) out.put("previous", apiRoot() + "/connections?" + appParam + "offset=" + Math.max(0, offset - pageSize));
    else out.putNull("previous");
    ArrayNode results = out.putArray("results");
    visible.subList(Math.min(offset, end), end).forEach(c -> results.add(store.connectionJson(c, false)));
    return out;
  }

  private ObjectNode authorizeUrl(FakeStore.Conn c, JsonNode body) {
    String env = body.path("environment").asText("sandbox");
    if (!List.of("production", "sandbox", "custom").contains(env)) {
      throw FakeStore.badRequest(Map.of("environment", List.of("'" + env + "' is not a valid choice.")));
    }
    if (env.equals("custom") && body.path("domain").asText("").isBlank()) {
      throw FakeStore.badRequest(Map.of("domain", List.of("A domain is required for a custom environment.")));
    }
    // "api_version ... Defaults to the latest supported version" (the reference): the version the
    // connection uses once the person completes this authorization (the URL alone changes nothing)
    JsonNode version = body.path("api_version");
    String asked = version.isMissingNode() || version.isNull()
        ? FakeStore.apiVersionText(store.latestApiVersion)
        : FakeStore.apiVersionText(store.supportedVersion(version.asText(), "api_version"));
    if (c.state().equals("NEW")) throw FakeError.message(400, "Set the database key and schema first.");
    c.pendingApiVersion = asked;
    return Json.object().put("redirect", baseUrl + "/oauth/start/" + c.id + "?environment=" + env);
  }

  /** The page a person opens: here it authorizes at once, as if they had logged in to Salesforce. */
  private Answer oauth(String rest) {
    String id = rest.contains("?") ? rest.substring(0, rest.indexOf('?')) : rest;
    FakeStore.Conn c = store.connections.get(id);
    if (c == null) return Answer.of(404, Json.object().put("message", "Unknown authorization request."));
    store.authorize(c);
    return Answer.of(200, Json.object().put("message", "Salesforce authorized. You can close this page."));
  }

  /** {count, results}: how many the filters select, and the first page_size of them. */
  private ObjectNode notifications(FakeStore.Conn c, Map<String, String> q) {
    int size = FakeStore.pageSize(q, pageSize);
    List<FakeStore.Notification> selected = store.notificationsOf(c, q);
    ObjectNode out = Json.object().put("count", selected.size());
    ArrayNode results = out.putArray("results");
    selected.stream().limit(size).forEach(n -> results.add(n.json()));
    return out;
  }

  /** One page of write errors (newest first), {@code offset} and {@code pageSize} as in the connection list. */
  private ObjectNode errorPage(List<FakeStore.WriteError> errors, Map<String, String> q, String path) {
    int offset;
    try {
      offset = Math.max(0, Integer.parseInt(q.getOrDefault("offset", "0")));
    } catch (NumberFormatException e) {
      throw FakeStore.badRequest(Map.of("offset", List.of("A valid integer is required.")));
    }
    int end = Math.min(errors.size(), offset + pageSize);
    ObjectNode out = Json.object().put("count", errors.size());
    if (end < errors.size()) out.put("next", apiRoot() + path + "?offset=" + end);
    else out.putNull("next");
    if (offset > 0) out.put("previous", apiRoot() + path + "?offset=" + Math.max(0, offset - pageSize));
    else out.putNull("previous");
    ArrayNode results = out.putArray("results");
    errors.subList(Math.min(offset, end), end).forEach(e -> results.add(e.json()));
    return out;
  }

  private void respond(HttpExchange ex, Answer a) throws IOException {
    a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    if (a.raw() != null) {
      byte[] html = a.raw().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/html");
      ex.sendResponseHeaders(a.status(), html.length);
      ex.getResponseBody().write(html);
      return;
    }
    if (a.body() == null || a.status() == 204) {
      ex.sendResponseHeaders(a.status(), -1);
      return;
    }
    byte[] bytes = Json.MAPPER.writeValueAsBytes(a.body());
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(a.status(), bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] multipartPart(byte[] raw, String contentType, String name) {
    String boundary = contentType.replaceAll(".*boundary=\"?([^\";]+)\"?.*", "$1");
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    for (String part : text.split("--" + Pattern.quote(boundary))) {
      int headerEnd = part.indexOf("\r\n\r\n");
      if (headerEnd < 0 || !part.substring(0, headerEnd).contains("name=\"" + name + "\"")) continue;
      String content = part.substring(headerEnd + 4);
      if (content.endsWith("\r\n")) content = content.substring(0, content.length() - 2);
      return content.getBytes(StandardCharsets.ISO_8859_1);
    }
    throw new IllegalArgumentException("no part " + name);
  }

  private static Map<String, String> params(String query) {
    Map<String, String> out = new HashMap<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static void awaitQuietly(java.util.concurrent.CountDownLatch latch, Duration max) {
    try {
      latch.await(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
