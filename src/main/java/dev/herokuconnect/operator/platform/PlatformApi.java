package dev.herokuconnect.operator.platform;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectHttp;
import dev.herokuconnect.operator.connect.ConnectHttp.Call;
import dev.herokuconnect.operator.connect.HostAllowlist;
import dev.herokuconnect.operator.connect.RequestGate;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * The Heroku Platform API's add-on endpoints (v3), for one token. Shapes from
 * github:heroku/platform-api schema.json, {@code definitions.add-on}: its links "Create"
 * (POST /apps/{app}/addons, {@code plan} required, {@code name} optional), "List By App",
 * "Info By App", "Update" (PATCH, {@code plan} required) and "Delete"; every request carries
 * {@code Accept: application/vnd.heroku+json; version=3} and the token as Bearer.
 *
 * <p>Obtained as the Connect clients are: {@link PlatformApis#forToken} (one HTTP client per
 * token, as reconciler.cluster.HttpClients), or {@code new PlatformApi(http, baseUrl, budget)}
 * with a {@link ConnectHttp} whose gate is {@link RequestGate#OPEN}: the Platform API is paid
 * from {@link PlatformBudget} (per account, the token's fingerprint), never from the Connect
 * budget. The base URL ({@code HEROKU_PLATFORM_API_URL}, default https://api.heroku.com) must
 * pass the token's host allowlist, checked here before any request and again on every request.
 *
 * <p>Failures: {@link PlatformThrottled} when the budget refuses (nothing sent),
 * {@link PlatformApiException} for an error answer (the API's id and message) or no usable answer,
 * {@link dev.herokuconnect.operator.connect.RefusedUrl} for a base URL the allowlist refuses.
 */
public final class PlatformApi {
  /** The setting naming the Platform API's root (tests point it at the fake). */
  public static final String URL_SETTING = "HEROKU_PLATFORM_API_URL";
  public static final String DEFAULT_URL = "https://api.heroku.com";
  /** The Platform API's version 3 (devcenter "Platform API Reference", Clients: the Accept header). */
  static final String ACCEPT = "application/vnd.heroku+json; version=3";
  /** Most pages a list follows: 1000 × 200 add-ons on one app is beyond any real app. */
  private static final int MAX_PAGES = 1000;

  private final ConnectHttp http;
  private final HttpUrl root;
  private final PlatformBudget budget;
  private final String account;

  public PlatformApi(ConnectHttp http, String baseUrl, PlatformBudget budget) {
    this.http = http;
    this.root = http.hosts().require(baseUrl, HostAllowlist.Source.setting(URL_SETTING));
    this.budget = budget;
    this.account = http.tokenFingerprint();
  }

  /** The account this client pays from: the token's fingerprint. */
  public String account() { return account; }

  /** The account's budget now. */
  public PlatformBudgetUsage usage() { return budget.usage(account); }

  /** GET /apps/{app}/addons: every add-on of the app, following 206 + Next-Range. */
  public List<Addon> list(String app) {
    String endpoint = "GET /apps/{app}/addons";
    List<Addon> all = new ArrayList<>();
    String range = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      Answer a = send("GET", url("apps", app, "addons"), null, endpoint, range);
      if (!a.body().isArray()) throw unexpected(endpoint, a.status(), "the answer is not a list of add-ons");
      for (JsonNode item : a.body()) all.add(addon(endpoint, a.status(), item));
      range = a.status() == 206 ? a.nextRange() : null;
      if (range == null) return all;
    }
    throw unexpected(endpoint, 206, "more than " + MAX_PAGES + " pages of add-ons");
  }

  /** GET /apps/{app}/addons/{id_or_name}; empty when the API has no such add-on (404 not_found of the add-on, not of the app). */
  public Optional<Addon> find(String app, String idOrName) {
    String endpoint = "GET /apps/{app}/addons/{addon}";
    try {
      Answer a = send("GET", url("apps", app, "addons", idOrName), null, endpoint, null);
      return Optional.of(addon(endpoint, a.status(), a.body()));
    } catch (PlatformApiException e) {
      if (e.addonNotFound()) return Optional.empty();
      throw e;
    }
  }

  /** POST /apps/{app}/addons {"plan": plan, "name": name}; {@code name} null lets the API choose one. */
  public Addon create(String app, String plan, String name) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("plan", plan);
    if (name != null) body.put("name", name);
    String endpoint = "POST /apps/{app}/addons";
    Answer a = send("POST", url("apps", app, "addons"), body, endpoint, null);
    return addon(endpoint, a.status(), a.body());
  }

  /** PATCH /apps/{app}/addons/{id_or_name} {"plan": plan}: the plan changes in place. */
  public Addon changePlan(String app, String idOrName, String plan) {
    String endpoint = "PATCH /apps/{app}/addons/{addon}";
    Answer a = send("PATCH", url("apps", app, "addons", idOrName), Map.of("plan", plan), endpoint, null);
    return addon(endpoint, a.status(), a.body());
  }

  /** DELETE /apps/{app}/addons/{id_or_name}: the add-on as deprovisioned. */
  public Addon delete(String app, String idOrName) {
    String endpoint = "DELETE /apps/{app}/addons/{addon}";
    Answer a = send("DELETE", url("apps", app, "addons", idOrName), null, endpoint, null);
    return addon(endpoint, a.status(), a.body());
  }

  // ---- HTTP ---------------------------------------------------------------------------

  /** A 2xx answer: status, JSON body, the Next-Range header of a 206. */
  private record Answer(int status, JsonNode body, String nextRange) {}

  private Answer send(String method, HttpUrl url, Object body, String endpoint, String range) {
    // the allowlist first (a refused URL costs nothing), then the budget, then the request
    http.hosts().require(url, HostAllowlist.Source.setting(URL_SETTING));
    budget.admit(account, endpoint);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", ACCEPT);
    if (range != null) headers.put("Range", range);
    ConnectHttp.RawReply reply;
    try {
      reply = http.exchangeRaw(new Call(method, url, body, endpoint, account, RequestGate.Priority.USER), headers);
    } catch (ConnectApiException noAnswer) { // no answer, or one too large to read
      budget.observe(account, endpoint, noAnswer.status(), null, Duration.ZERO);
      throw new PlatformApiException(endpoint, noAnswer.status(), null, noAnswer.getMessage(), noAnswer);
    }
    int status = reply.status();
    long retryAfter = status == 429 ? ConnectHttp.retryAfterSeconds(reply.headers().get("Retry-After"), http.clock().instant()) : 0;
    budget.observe(account, endpoint, status, remaining(reply.headers().get("RateLimit-Remaining")), Duration.ofSeconds(retryAfter));
    JsonNode json = json(reply.text());
    if (status < 200 || status >= 300) throw error(endpoint, status, json, reply.text());
    if (json == null) throw unexpected(endpoint, status, "answered " + status + " with a body that is not JSON: " + ConnectHttp.excerpt(reply.text()));
    return new Answer(status, json, reply.headers().get("Next-Range"));
  }

  private HttpUrl url(String... segments) {
    HttpUrl.Builder b = root.newBuilder();
    for (String s : segments) b.addPathSegment(s);
    return b.build();
  }

  /** The header's value, or null when absent or not a whole number (then the estimate goes on). */
  static Integer remaining(String header) {
    if (header == null) return null;
    try {
      return Math.max(0, Integer.parseInt(header.strip()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static JsonNode json(String text) {
    if (text == null || text.isBlank()) return null;
    try {
      return ConnectHttp.MAPPER.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  /** The API's error body {"id", "message", "url"}; anything else quoted as the message. */
  private static PlatformApiException error(String endpoint, int status, JsonNode body, String text) {
    String id = body != null && body.path("id").isTextual() ? body.path("id").asText() : null;
    String message = body != null && body.path("message").isTextual() ? body.path("message").asText()
        : text == null || text.isBlank() ? "(empty answer)" : ConnectHttp.excerpt(text);
    String resource = body != null && body.path("resource").isTextual() ? body.path("resource").asText() : null;
    return new PlatformApiException(endpoint, status, id, message, resource, null);
  }

  private static PlatformApiException unexpected(String endpoint, int status, String what) {
    return new PlatformApiException(endpoint, status, null, what, null);
  }

  private static Addon addon(String endpoint, int status, JsonNode n) {
    String stateName = n.path("state").asText(null);
    AddonState state = AddonState.ofApi(stateName);
    String id = n.path("id").asText(null);
    if (id == null || state == null) {
      throw unexpected(endpoint, status, "the answer is not an add-on (id " + id + ", state " + stateName + "): "
          + ConnectHttp.excerpt(n.toString()));
    }
    return new Addon(id, n.path("name").asText(null), state, n.path("plan").path("name").asText(null),
        n.path("addon_service").path("name").asText(null), n.path("app").path("name").asText(null));
  }
}
