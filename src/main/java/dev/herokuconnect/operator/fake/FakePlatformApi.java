package dev.herokuconnect.operator.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Heroku Platform API's add-on endpoints (v3), served by the same process as
 * {@link FakeConnectApi} (its routes under {@code /apps/{app}/addons}), so one base URL plays
 * api.heroku.com and the Connect hosts. Shapes from github:heroku/platform-api schema.json
 * ({@code definitions.add-on}: create, list by app, info by app, update, delete); errors as the
 * API writes them, {@code {"id", "message", "url"}} (and {@code resource} on a not_found, as
 * github:heroku/cli's tests show).
 *
 * <p>The add-on and the connection are one thing, as on Heroku (Connect API tutorial, step 4:
 * the add-on's UUID is the connection id): a herokuconnect add-on that finishes provisioning
 * becomes a NEW connection of the fake Connect API with the add-on's id and name (its
 * resource_name), found by discovery ({@code /auth/{app}}, {@code /connections?app=}) as any;
 * every connection the fake holds is listed here as a provisioned add-on; deleting the add-on
 * deletes the connection and its mappings.
 *
 * <p>Knobs (all on the fake's clock, under the fake's lock): {@link #setProvisioning} (how many
 * info reads, or how long, until provisioned), {@link #forbid} (a token without permission on
 * add-ons: 403), {@link #setHourlyLimit} and {@link #setRemaining} (the account's request pool:
 * 429 when empty), {@link #setPageSize} (206 + Next-Range), {@link #setSendRetryAfter}.
 */
public final class FakePlatformApi {
  /** The plans the fake accepts: herokuconnect:demo (the example), danketsu (Connect API tutorial 2017, `heroku info`), enterprise (Connect API reference 2022, `heroku info`). */
  public static final Set<String> PLANS = Set.of("herokuconnect:demo", "herokuconnect:danketsu", "herokuconnect:enterprise");
  /** The plan {@code heroku addons:create herokuconnect} (no plan) gets, and existing connections are on. */
  public static final String DEFAULT_PLAN = "herokuconnect:demo";
  /** Heroku's documented pool per account: 4,500 requests, refilled at 4,500 an hour (devcenter "Platform API Reference", Rate Limits). */
  public static final int HOURLY_LIMIT = 4500;
  /** Heroku's default and largest page (devcenter "Platform API Reference", Ranges: max=200). */
  public static final int MAX_PAGE = 200;
  private static final String SERVICE = "herokuconnect";
  private static final String RATE_LIMIT_DOC = "https://devcenter.heroku.com/articles/platform-api-reference#rate-limits";
  // schema.json add-on.definitions.name.pattern
  private static final Pattern NAME = Pattern.compile("^[a-zA-Z][A-Za-z0-9_-]+$");
  private static final Pattern ADDONS = Pattern.compile("^/apps/([^/]+)/addons(?:/([^/]+))?/?$");
  private static final Pattern RANGE = Pattern.compile("^\\s*id\\s+(\\]?)([^.;\\s]*)\\.\\.([^;\\s]*)\\s*(?:;\\s*max=(\\d+))?.*$");

  /** An answer: status, JSON body, headers. */
  record Reply(int status, JsonNode body, Map<String, String> headers) {
    /** The add-on the answer is about (its id is the connection id), or null (a list, an error). */
    String addonId() {
      return body != null && body.isObject() && status < 300 && body.path("id").isTextual() ? body.path("id").asText() : null;
    }
  }

  /** An add-on not provisioned yet (no connection exists for it), and how often its info was read. */
  private record Pending(String id, String name, String app, String plan, Instant createdAt, int reads) {
    Pending withPlan(String p) { return new Pending(id, name, app, p, createdAt, reads); }
    Pending read() { return new Pending(id, name, app, plan, createdAt, reads + 1); }
  }

  /** An account's request pool, refilled at {@code hourlyLimit} an hour up to {@code hourlyLimit}. */
  private static final class Pool {
    double tokens;
    Instant at;

    Pool(double tokens, Instant at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  private final Object lock;
  private final Clock clock;
  private final FakeStore store;
  private final Function<String, String> userOfToken;
  private final Set<String> apps = new HashSet<>();
  private final Set<String> hidden = new HashSet<>(); // apps the token's user no longer sees
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, String> plans = new HashMap<>(); // connection id -> plan; absent: DEFAULT_PLAN
  private final Set<String> forbidden = new HashSet<>();
  private final Map<String, Pool> pools = new HashMap<>(); // user -> pool
  private int provisioningReads = 1;
  private Duration provisioningTime;
  private int hourlyLimit = HOURLY_LIMIT;
  private int pageSize = MAX_PAGE;
  private boolean sendRetryAfter;
  private int generated;

  FakePlatformApi(Object lock, Clock clock, FakeStore store, Function<String, String> userOfToken) {
    this.lock = lock;
    this.clock = clock;
    this.store = store;
    this.userOfToken = userOfToken;
  }

  // ---- test hooks --------------------------------------------------------------------

  /** An app the token's user can see, with no add-on yet (apps of existing connections exist already). */
  public FakePlatformApi addApp(String app) {
    synchronized (lock) {
      apps.add(app);
    }
    return this;
  }

  /**
   * The token's user no longer sees {@code app} (renamed with heroku apps:rename, access removed):
   * its routes answer 404 Couldn't find that app, its add-ons live on.
   */
  public void hideApp(String app) {
    synchronized (lock) {
      hidden.add(app);
    }
  }

  /**
   * A new add-on is provisioned once its info has been read {@code reads} times while provisioning
   * (0: its create answers provisioned already), or once {@code time} has passed on the fake's
   * clock (null: never by time), whichever comes first. Default: 1 read, no time.
   */
  public void setProvisioning(int reads, Duration time) {
    synchronized (lock) {
      provisioningReads = reads;
      provisioningTime = time;
    }
  }

  /** The token stays valid, but its user may not create, change or delete add-ons (403 forbidden). */
  public void forbid(String token) {
    synchronized (lock) {
      forbidden.add(token);
    }
  }

  /** The pool size and hourly refill of every account (default {@value #HOURLY_LIMIT}). */
  public void setHourlyLimit(int limit) {
    synchronized (lock) {
      hourlyLimit = limit;
    }
  }

  /** Sets {@code user}'s pool to {@code remaining} requests now (as if spent elsewhere: the dashboard, the CLI). */
  public void setRemaining(String user, int remaining) {
    synchronized (lock) {
      pools.put(user, new Pool(remaining, clock.instant()));
    }
  }

  /** The requests {@code user}'s pool holds now (what RateLimit-Remaining would say). */
  public int remaining(String user) {
    synchronized (lock) {
      return (int) Math.floor(pool(user).tokens);
    }
  }

  /** Add-ons per page of a list (at most {@value #MAX_PAGE}); more answer 206 with Next-Range. */
  public void setPageSize(int size) {
    synchronized (lock) {
      pageSize = Math.max(1, Math.min(MAX_PAGE, size));
    }
  }

  /** A 429 also carries Retry-After (the seconds until one request is back); Heroku does not document one, so off by default. */
  public void setSendRetryAfter(boolean on) {
    synchronized (lock) {
      sendRetryAfter = on;
    }
  }

  /** The add-on's state now, as info would answer it without counting as a read; null when there is none. */
  public String state(String addonId) {
    synchronized (lock) {
      advance();
      return pending.containsKey(addonId) ? "provisioning" : store.connections.containsKey(addonId) ? "provisioned" : null;
    }
  }

  /** The plan of a provisioned or provisioning add-on. */
  public String plan(String addonId) {
    synchronized (lock) {
      Pending p = pending.get(addonId);
      return p != null ? p.plan() : plans.getOrDefault(addonId, DEFAULT_PLAN);
    }
  }

  // ---- HTTP (called by FakeConnectApi under its lock) -----------------------------------

  static boolean handles(String path) {
    return path.startsWith("/apps/");
  }

  /** Provisions what is due by time, so discovery finds it without a Platform API read. Called on every request. */
  void advance() {
    if (provisioningTime == null) return;
    Instant now = clock.instant();
    for (Pending p : List.copyOf(pending.values())) {
      if (!now.isBefore(p.createdAt().plus(provisioningTime))) provision(p);
    }
  }

  Reply answer(String method, String path, String accept, String auth, String range, byte[] raw) {
    if (accept == null || !accept.contains("application/vnd.heroku+json") || !accept.contains("version=3")) {
      // the API's answer to a request without its versioned MIME type
      return error(400, "bad_request", "Please specify a version along with Heroku's API MIME type. "
          + "For example, `Accept: application/vnd.heroku+json; version=3`.", null, Map.of());
    }
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).strip() : null;
    String user = token == null ? null : userOfToken.apply(token);
    if (user == null) return error(401, "unauthorized", "Invalid credentials provided.", null, Map.of());
    Pool pool = pool(user);
    if (pool.tokens < 1) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("RateLimit-Remaining", "0");
      if (sendRetryAfter) headers.put("Retry-After", Long.toString(secondsUntilOne(pool)));
      return error(429, "rate_limit", "Your account reached the API rate limit\nPlease wait a few minutes before making new requests",
          null, headers);
    }
    pool.tokens -= 1;
    Map<String, String> headers = Map.of("RateLimit-Remaining", Long.toString((long) Math.floor(pool.tokens)));
    try {
      return route(method, path, token, range, raw, headers);
    } catch (FakeError e) {
      return new Reply(e.status, e.body, headers);
    }
  }

  private Reply route(String method, String path, String token, String range, byte[] raw, Map<String, String> headers) {
    Matcher m = ADDONS.matcher(path);
    if (!m.matches()) throw notFound("Couldn't find that route.", null);
    String app = decode(m.group(1));
    String addon = m.group(2) == null ? null : decode(m.group(2));
    boolean write = !method.equals("GET");
    requireApp(app);
    if (write && forbidden.contains(token)) {
      // id from the Platform API reference's error ids; heroku/cli shows only the message: wording ours (no public source gives it)
      throw fail(403, "forbidden", "You do not have access to provision or change add-ons on the app " + app + ".", null);
    }
    String route = method + (addon == null ? " addons" : " addons/*");
    return switch (route) {
      case "GET addons" -> list(app, range, headers);
      case "POST addons" -> new Reply(201, create(app, body(raw)), headers);
      case "GET addons/*" -> new Reply(200, info(app, addon), headers);
      case "PATCH addons/*" -> new Reply(200, changePlan(app, addon, body(raw)), headers);
      case "DELETE addons/*" -> new Reply(200, delete(app, addon), headers);
      default -> throw fail(405, "method_not_allowed", "Method not allowed: " + method + " " + path, null);
    };
  }

  private ObjectNode create(String app, JsonNode body) {
    String plan = plan(body);
    String name = body.path("name").isTextual() ? body.path("name").asText() : null;
    if (name != null && !NAME.matcher(name).matches()) {
      // the pattern is schema.json's add-on name; the message is ours (clients read the id and show the message)
      throw fail(422, "invalid_params", "Name must start with a letter and contain only letters, digits, dashes and underscores.", null);
    }
    // add-on names are global (schema.json: "globally unique name"); the words are ours, the id the API's
    if (name != null && nameTaken(name)) throw fail(422, "invalid_params", "Name is already taken", null);
    if (name == null) name = generatedName();
    Pending p = new Pending(store.newId(), name, app, plan, clock.instant(), 0);
    if (provisioningReads <= 0) return json(provision(p));
    pending.put(p.id(), p);
    return json(p);
  }

  private ObjectNode info(String app, String idOrName) {
    advance();
    Pending p = pendingOf(app, idOrName);
    if (p != null) {
      p = p.read();
      pending.put(p.id(), p);
      if (p.reads() <= provisioningReads) return json(p);
      return json(provision(p)); // this read sees it done
    }
    return json(connectionOf(app, idOrName));
  }

  private ObjectNode changePlan(String app, String idOrName, JsonNode body) {
    String plan = plan(body);
    Pending p = pendingOf(app, idOrName);
    if (p != null) {
      p = p.withPlan(plan);
      pending.put(p.id(), p);
      return json(p);
    }
    FakeStore.Conn c = connectionOf(app, idOrName);
    plans.put(c.id, plan);
    return json(c);
  }

  private ObjectNode delete(String app, String idOrName) {
    Pending p = pendingOf(app, idOrName);
    ObjectNode out;
    if (p != null) {
      pending.remove(p.id());
      out = json(p);
    } else {
      FakeStore.Conn c = connectionOf(app, idOrName);
      out = json(c);
      store.destroy(c.id);
      plans.remove(c.id);
    }
    return out.put("state", "deprovisioned");
  }

  /** Every add-on of the app, sorted by id, one page as the Range header asks. */
  private Reply list(String app, String range, Map<String, String> headers) {
    advance();
    List<ObjectNode> all = new ArrayList<>();
    pending.values().stream().filter(p -> p.app().equals(app)).forEach(p -> all.add(json(p)));
    store.connectionsOfApp(app).forEach(c -> all.add(json(c)));
    all.sort(Comparator.comparing(n -> n.path("id").asText()));
    String after = null;
    boolean exclusive = false;
    int max = pageSize;
    if (range != null) {
      Matcher r = RANGE.matcher(range);
      if (!r.matches()) throw fail(400, "bad_request", "Invalid Range header: " + range, null);
      exclusive = !r.group(1).isEmpty();
      after = r.group(2).isEmpty() ? null : r.group(2);
      if (r.group(4) != null) max = Math.max(1, Math.min(MAX_PAGE, Integer.parseInt(r.group(4))));
    }
    List<ObjectNode> selected = new ArrayList<>();
    for (ObjectNode n : all) {
      String id = n.path("id").asText();
      if (after != null && (exclusive ? id.compareTo(after) <= 0 : id.compareTo(after) < 0)) continue;
      selected.add(n);
    }
    ArrayNode page = Json.MAPPER.createArrayNode();
    selected.stream().limit(max).forEach(page::add);
    if (selected.size() <= max) return new Reply(200, page, headers);
    Map<String, String> partial = new LinkedHashMap<>(headers);
    partial.put("Next-Range", "id ]" + page.get(page.size() - 1).path("id").asText() + "..; max=" + max);
    return new Reply(206, page, partial);
  }

  // ---- the add-on and the connection ---------------------------------------------------

  /** Provisioning done: the connection exists from now on (NEW: not linked, not configured). */
  private FakeStore.Conn provision(Pending p) {
    pending.remove(p.id());
    FakeStore.Conn c = store.addConnection(p.id(), p.app(), p.name());
    if (!p.plan().equals(DEFAULT_PLAN)) plans.put(c.id, p.plan());
    return c;
  }

  private void requireApp(String app) {
    if (!hidden.contains(app) && (apps.contains(app) || !store.connectionsOfApp(app).isEmpty())) return;
    throw notFound("Couldn't find that app.", "app");
  }

  private Pending pendingOf(String app, String idOrName) {
    return pending.values().stream()
        .filter(p -> p.app().equals(app) && (p.id().equals(idOrName) || p.name().equals(idOrName)))
        .findFirst().orElse(null);
  }

  private FakeStore.Conn connectionOf(String app, String idOrName) {
    return store.connectionsOfApp(app).stream()
        .filter(c -> c.id.equals(idOrName) || c.resourceName.equals(idOrName))
        .findFirst().orElseThrow(() -> notFound("Couldn't find that add on.", "add_on"));
  }

  private boolean nameTaken(String name) {
    return pending.values().stream().anyMatch(p -> p.name().equals(name))
        || store.connections.values().stream().anyMatch(c -> c.resourceName.equals(name));
  }

  private String generatedName() {
    String name;
    do {
      name = SERVICE + "-fake-" + (++generated);
    } while (nameTaken(name));
    return name;
  }

  /** plan as the schema has it (a plan identity: a name) or as the CLI sends it ({"name": ...}). */
  private static String plan(JsonNode body) {
    JsonNode p = body.path("plan");
    String plan = p.isTextual() ? p.asText() : p.path("name").isTextual() ? p.path("name").asText() : null;
    // plan is the create's one required param (schema.json); the words are ours
    if (plan == null) throw fail(422, "invalid_params", "Missing required params: plan", null);
    if (plan.equals(SERVICE)) return DEFAULT_PLAN;
    if (!PLANS.contains(plan)) {
      // the API's words: github:heroku/cli addons/upgrade.ts matches a 422 starting "Couldn't find either the add-on"
      throw fail(422, "invalid_params", "Couldn't find either the add-on service or the add-on plan of \"" + plan + "\".", null);
    }
    return plan;
  }

  private ObjectNode json(Pending p) {
    return addonJson(p.id(), p.name(), p.app(), p.plan(), "provisioning");
  }

  private ObjectNode json(FakeStore.Conn c) {
    return addonJson(c.id, c.resourceName, c.app, plans.getOrDefault(c.id, DEFAULT_PLAN), "provisioned");
  }

  /** The add-on as schema.json's definitions.add-on has it (the fields a client reads). */
  private ObjectNode addonJson(String id, String name, String app, String plan, String state) {
    ObjectNode n = Json.object().put("id", id).put("name", name).put("state", state);
    n.putObject("addon_service").put("id", FakeStore.uuidOf(SERVICE)).put("name", SERVICE);
    n.putObject("plan").put("id", FakeStore.uuidOf(plan)).put("name", plan);
    n.putObject("app").put("id", FakeStore.uuidOf(app)).put("name", app);
    n.putArray("config_vars");
    n.put("web_url", "https://connect.heroku.com/sync/" + id);
    return n;
  }

  private Pool pool(String user) {
    Instant now = clock.instant();
    Pool p = pools.computeIfAbsent(user, u -> new Pool(hourlyLimit, now));
    if (now.isAfter(p.at)) {
      p.tokens = Math.min(hourlyLimit, p.tokens + Duration.between(p.at, now).toMillis() / 3_600_000.0 * hourlyLimit);
      p.at = now;
    }
    return p;
  }

  private long secondsUntilOne(Pool p) {
    return Math.max(1, (long) Math.ceil((1 - p.tokens) * 3600.0 / hourlyLimit));
  }

  private static JsonNode body(byte[] raw) {
    if (raw.length == 0) return Json.object();
    try {
      JsonNode n = Json.MAPPER.readTree(raw);
      if (n != null && n.isObject()) return n;
    } catch (IOException notJson) {
      // answered below
    }
    throw fail(400, "bad_request", "Request body must be a JSON object.", null);
  }

  private static FakeError notFound(String message, String resource) {
    return fail(404, "not_found", message, resource);
  }

  private static FakeError fail(int status, String id, String message, String resource) {
    ObjectNode body = Json.object();
    if (resource != null) body.put("resource", resource);
    body.put("id", id).put("message", message);
    return new FakeError(status, body);
  }

  private static Reply error(int status, String id, String message, String resource, Map<String, String> headers) {
    FakeError e = fail(status, id, message, resource);
    ObjectNode body = (ObjectNode) e.body;
    if (status == 429) body.put("url", RATE_LIMIT_DOC);
    return new Reply(status, body, headers);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
