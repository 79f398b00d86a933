package dev.herokuconnect.operator.connect;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The HTTP layer under every Connect API call: bearer auth, JSON, timeouts, the request gate
 * (rate limiter), and one typed exception per kind of failure. It never retries.
 */
public final class ConnectHttp {
  public static final MediaType JSON = MediaType.get("application/json");
  private static final Set<String> OVERRIDABLE = Set.of("PATCH", "PUT", "DELETE");
  private static final Pattern THROTTLE_WAIT = Pattern.compile("available in (\\d+) seconds?");
  /**
   * One connection pool for the whole process; each instance derives its own settings. Redirects
   * are not followed: a request goes only where the allowlist said yes (HostAllowlist), and a 3xx
   * from the API is an unexpected answer, not a hop to a host nobody checked.
   */
  private static final OkHttpClient SHARED = new OkHttpClient.Builder().retryOnConnectionFailure(false)
      .followRedirects(false).followSslRedirects(false).build();
  /** The longest wait a 429 is taken to mean: the API's budget is per day, so no wait is longer. */
  private static final long MAX_THROTTLE_SECONDS = Duration.ofDays(1).toSeconds();

  public static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /**
   * Client settings; {@code methodOverride} sends PATCH/PUT/DELETE as POST + X-HTTP-Method-Override;
   * {@code hosts} are where the token may go (Heroku's hosts unless the caller says otherwise).
   */
  public record Options(Duration connectTimeout, Duration readTimeout, boolean methodOverride, long maxBodyBytes,
                        HostAllowlist hosts) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(10), Duration.ofSeconds(30), false, 32L << 20, HostAllowlist.HEROKU);
    }
    public Options withMethodOverride(boolean on) { return new Options(connectTimeout, readTimeout, on, maxBodyBytes, hosts); }
    public Options withReadTimeout(Duration d) { return new Options(connectTimeout, d, methodOverride, maxBodyBytes, hosts); }
    public Options withHosts(HostAllowlist h) { return new Options(connectTimeout, readTimeout, methodOverride, maxBodyBytes, h); }
  }

  /** One request: what to send, how it is named in metrics, whose budget pays for it. */
  public record Call(String method, HttpUrl url, Object body, String endpoint, String budgetKey,
                     RequestGate.Priority priority) {}

  private final OkHttpClient http;
  private final ApiToken token;
  private final RequestGate gate;
  private final Options options;
  private final Clock clock;

  public ConnectHttp(ApiToken token, RequestGate gate, Options options, Clock clock) {
    this.token = token;
    this.gate = gate;
    this.options = options;
    this.clock = clock;
    this.http = SHARED.newBuilder()
        .connectTimeout(options.connectTimeout())
        .readTimeout(options.readTimeout())
        .writeTimeout(options.readTimeout())
        .callTimeout(options.connectTimeout().plus(options.readTimeout()).multipliedBy(2))
        .build();
  }

  public ConnectHttp(ApiToken token, RequestGate gate) {
    this(token, gate, Options.defaults(), Clock.systemUTC());
  }

  public Clock clock() { return clock; }

  /** Names the token's account without revealing it (see {@link ApiToken#fingerprint()}). */
  public String tokenFingerprint() { return token.fingerprint(); }

  /** Where this client may send its token; callers check URLs here early to name where they came from. */
  public HostAllowlist hosts() { return options.hosts(); }

  /** Sends the call and maps a 2xx body to {@code type}; a 204 or empty body gives null. */
  public <T> T send(Call call, JavaType type) {
    JsonNode node = send(call);
    if (node == null || node.isNull() || node.isMissingNode()) return null;
    try {
      return MAPPER.convertValue(node, type);
    } catch (IllegalArgumentException e) {
      throw new ConnectApiException.UnexpectedResponse(call.endpoint(), 200,
          call.endpoint() + ": the answer does not have the expected shape (" + rootCause(e) + ")");
    }
  }

  public <T> T send(Call call, Class<T> type) {
    return send(call, MAPPER.constructType(type));
  }

  /** Sends the call; returns the JSON body of a 2xx answer (null when empty). */
  public JsonNode send(Call call) {
    return execute(call, buildRequest(call, jsonBody(call)), Set.of()).body();
  }

  /** An answer with its status: a 2xx, or a refusal the caller asked to read itself. Body null when empty. */
  public record Reply(int status, JsonNode body) {
    public boolean isSuccess() { return status >= 200 && status < 300; }
  }

  /**
   * Sends the call and returns a 2xx answer with its status (where the status itself says
   * something: 202 "still running" against 200 "done"), and also an answer whose status is in
   * {@code refusalsRead} (its JSON body, when it has one, for the caller to read). Every other
   * status throws as {@link #send(Call)} does. Paid from the gate like every request.
   */
  public Reply exchange(Call call, Set<Integer> refusalsRead) {
    return execute(call, buildRequest(call, jsonBody(call)), refusalsRead);
  }

  /** Sends a multipart upload (import's {@code config=@file}). */
  public JsonNode sendMultipart(Call call, String part, String filename, byte[] content) {
    RequestBody body = new okhttp3.MultipartBody.Builder()
        .setType(okhttp3.MultipartBody.FORM)
        .addFormDataPart(part, filename, RequestBody.create(content, JSON))
        .build();
    return execute(call, buildRequest(call, body), Set.of()).body();
  }

  private RequestBody jsonBody(Call call) {
    if (call.body() == null) {
      return call.method().equals("GET") || call.method().equals("DELETE") ? null : RequestBody.create(new byte[0], null);
    }
    try {
      return RequestBody.create(MAPPER.writeValueAsBytes(call.body()), JSON);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode the body of " + call.endpoint(), e);
    }
  }

  private Request buildRequest(Call call, RequestBody body) {
    Request.Builder rb = new Request.Builder()
        .url(call.url())
        .header("Authorization", "Bearer " + token.reveal())
        .header("Accept", "application/json")
        .header("User-Agent", "heroku-connect-operator");
    String method = call.method();
    if (options.methodOverride() && OVERRIDABLE.contains(method)) {
      rb.header("X-HTTP-Method-Override", method);
      method = "POST";
      if (body == null) body = RequestBody.create(new byte[0], null);
    }
    return rb.method(method, body).build();
  }

  /**
   * An answer as it came: status, headers and body text (empty when none), for a client that
   * reads statuses, headers and error bodies in its own API's terms (the Platform API).
   */
  public record RawReply(int status, okhttp3.Headers headers, String text) {}

  /**
   * Sends the call with {@code headers} set over the usual ones (e.g. another Accept) and returns
   * whatever came back, any status, without reading it; only the checks and failures before an
   * answer (host allowlist, gate, no answer, too large) throw, as for {@link #send(Call)}.
   */
  public RawReply exchangeRaw(Call call, Map<String, String> headers) {
    Request.Builder request = buildRequest(call, jsonBody(call)).newBuilder();
    headers.forEach(request::header);
    return roundTrip(call, request.build());
  }

  private Reply execute(Call call, Request request, Set<Integer> refusalsRead) {
    RawReply raw = roundTrip(call, request);
    int status = raw.status();
    String text = raw.text();
    if (status == 429) {
      ConnectApiException.Throttled t = throttled(call, raw.headers().get("Retry-After"), text);
      gate.throttled(call.budgetKey(), t);
      throw t;
    }
    if (status >= 200 && status < 300) {
      return new Reply(status, parseJson(call, status, text));
    }
    if (refusalsRead.contains(status)) return new Reply(status, tryJson(text));
    throw failure(call, status, text);
  }

  /**
   * The request, and for a GET that got no answer at all, once more on a new connection. Retries
   * are off in the client (a POST must never go twice), but a pooled keep-alive connection the
   * server has closed meanwhile fails a request before it is sent ("unexpected end of stream"),
   * and a GET may safely go again: without this a refresh after an idle spell ended in RemoteError.
   * A timeout is not retried (the request may be under way; the next pass reads again).
   */
  private Response send(Request request) throws IOException {
    try {
      return http.newCall(request).execute();
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      if (!"GET".equals(request.method())) throw e;
      http.connectionPool().evictAll(); // the other idle connections are as likely closed: the retry opens a new one
      return http.newCall(request).execute();
    }
  }

  /** The allowlist, the gate, the request and its answer read (bounded); the gate hears how it ended. */
  private RawReply roundTrip(Call call, Request request) {
    // The last line of defence: callers check earlier with a better message, but no path may skip it.
    // Before the gate, so a refused URL costs no budget either.
    options.hosts().require(call.url(), HostAllowlist.Source.answer(call.endpoint()));
    gate.admit(call.budgetKey(), call.endpoint(), call.priority());
    int status = 0;
    try (Response response = send(request)) {
      status = response.code();
      return new RawReply(status, response.headers(), readLimited(call, response.body()));
    } catch (SocketTimeoutException e) {
      throw new ConnectApiException.Transport(call.endpoint(), call.endpoint() + ": timed out", e);
    } catch (IOException e) {
      System.err.println("ROUNDTRIP IOE " + call.endpoint() + " at " + java.time.Instant.now()); e.printStackTrace();
      throw new ConnectApiException.Transport(call.endpoint(),
          call.endpoint() + ": no answer (" + e.getClass().getSimpleName() + ")", e);
    } finally {
      gate.completed(call.budgetKey(), call.endpoint(), status);
    }
  }

  private String readLimited(Call call, ResponseBody body) throws IOException {
    if (body == null) return "";
    try (InputStream in = body.byteStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBodyBytes() + 1));
      if (bytes.length > options.maxBodyBytes()) {
        throw new ConnectApiException.UnexpectedResponse(call.endpoint(), 0,
            call.endpoint() + ": the answer is larger than " + (options.maxBodyBytes() >> 20) + " MiB");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static JsonNode parseJson(Call call, int status, String text) {
    if (text.isBlank()) return null;
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new ConnectApiException.UnexpectedResponse(call.endpoint(), status,
          call.endpoint() + ": answered " + status + " with a body that is not JSON: " + excerpt(text));
    }
  }

  private ConnectApiException failure(Call call, int status, String text) {
    JsonNode body = tryJson(text);
    String message = messageOf(body, text);
    String prefix = call.endpoint() + ": " + status + " ";
    return switch (status) {
      case 400, 422 -> new ConnectApiException.BadRequest(call.endpoint(), prefix + message, fieldErrors(body));
      case 401 -> new ConnectApiException.Unauthorized(call.endpoint(), prefix + "the Heroku API token was refused: " + message);
      case 403 -> new ConnectApiException.Forbidden(call.endpoint(), prefix + "the token's user may not do this: " + message);
      case 404 -> new ConnectApiException.NotFound(call.endpoint(), prefix + "not found: " + message);
      case 409 -> new ConnectApiException.Conflict(call.endpoint(), prefix + "conflict: " + message);
      default -> status >= 500
          ? new ConnectApiException.ServerError(call.endpoint(), status, prefix + message)
          : new ConnectApiException.UnexpectedResponse(call.endpoint(), status, prefix + message);
    };
  }

  private ConnectApiException.Throttled throttled(Call call, String retryAfter, String text) {
    long seconds = 0;
    Matcher m = THROTTLE_WAIT.matcher(text);
    if (m.find()) seconds = m.group(1).length() > 12 ? MAX_THROTTLE_SECONDS : Long.parseLong(m.group(1));
    seconds = Math.min(MAX_THROTTLE_SECONDS, Math.max(seconds, retryAfterSeconds(retryAfter, Instant.now(clock))));
    if (seconds <= 0) seconds = 60; // a 429 with no wait at all: back off a minute rather than hammer
    Duration wait = Duration.ofSeconds(seconds);
    return new ConnectApiException.Throttled(call.endpoint(),
        call.endpoint() + ": 429 throttled by the API for " + seconds + " s: " + messageOf(tryJson(text), text),
        wait, Instant.now(clock).plus(wait));
  }

  /**
   * The wait a Retry-After header names, in seconds (delta-seconds or an HTTP date, RFC 9110
   * 10.2.3), at most a day; 0 when absent or unreadable.
   */
  public static long retryAfterSeconds(String header, Instant now) {
    if (header == null || header.isBlank()) return 0;
    try {
      return header.strip().length() > 12 ? MAX_THROTTLE_SECONDS : Long.parseLong(header.strip());
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.min(MAX_THROTTLE_SECONDS, Math.max(0, Duration.between(now, at.toInstant()).toSeconds()));
      } catch (RuntimeException notADate) {
        return 0;
      }
    }
  }

  private static JsonNode tryJson(String text) {
    try {
      return text.isBlank() ? null : MAPPER.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  static String messageOf(JsonNode body, String text) {
    if (body != null) {
      for (String key : List.of("message", "detail", "error")) {
        if (body.path(key).isTextual()) return body.path(key).asText();
      }
      if (body.isObject() || body.isArray()) return excerpt(body.toString());
    }
    return text.isBlank() ? "(empty answer)" : excerpt(text);
  }

  /**
   * Field errors from either {@code {"errors": {...}}} or Django REST framework style
   * {@code {"config": {"fields": ["..."]}}}, flattened to dotted paths.
   */
  static Map<String, List<String>> fieldErrors(JsonNode body) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (body == null || !body.isObject()) return out;
    JsonNode root = body.path("errors").isObject() ? body.path("errors") : body;
    collect("", root, out);
    out.remove("message");
    out.remove("detail");
    return out;
  }

  private static void collect(String path, JsonNode node, Map<String, List<String>> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> collect(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out));
    } else if (node.isArray()) {
      List<String> texts = new ArrayList<>();
      for (JsonNode item : node) {
        if (item.isValueNode()) texts.add(item.asText());
        else collect(path, item, out);
      }
      if (!texts.isEmpty()) out.computeIfAbsent(path, k -> new ArrayList<>()).addAll(texts);
    } else if (node.isTextual() && !path.isEmpty()) {
      out.computeIfAbsent(path, k -> new ArrayList<>()).add(node.asText());
    }
  }

  /** The text on one line, at most 200 characters: what a message may quote of an answer. */
  public static String excerpt(String text) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }

  private static String rootCause(Throwable t) {
    while (t.getCause() != null) t = t.getCause();
    return excerpt(String.valueOf(t.getMessage()));
  }
}
