package dev.herokuconnect.operator.connect;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A failed call to the Heroku Connect API, one subclass per kind of failure so that callers
 * decide (the client never retries). Messages name the endpoint, never the token.
 */
public abstract class ConnectApiException extends RuntimeException {
  private final String endpoint;
  private final int status;

  protected ConnectApiException(String endpoint, int status, String message, Throwable cause) {
    super(message, cause);
    this.endpoint = endpoint;
    this.status = status;
  }

  /** The endpoint template, e.g. "PUT /mappings/{id}". */
  public String endpoint() { return endpoint; }

  /** HTTP status, or 0 when no answer came. */
  public int status() { return status; }

  /** True when trying again later may succeed without anyone changing anything. */
  public abstract boolean isTransient();

  /** 400: the API refused the input; field errors keyed by dotted path. */
  public static final class BadRequest extends ConnectApiException {
    private final Map<String, List<String>> fieldErrors;

    public BadRequest(String endpoint, String message, Map<String, List<String>> fieldErrors) {
      super(endpoint, 400, message, null);
      this.fieldErrors = Map.copyOf(fieldErrors);
    }

    public Map<String, List<String>> fieldErrors() { return fieldErrors; }

    /** "config.fields: Id is required; object_name: ..." or the plain message. */
    public String describe() {
      if (fieldErrors.isEmpty()) return getMessage();
      return fieldErrors.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .map(e -> e.getKey() + ": " + String.join(" ", e.getValue()))
          .collect(Collectors.joining("; "));
    }

    @Override public boolean isTransient() { return false; }
  }

  /** 401: the token is missing, wrong or revoked. */
  public static final class Unauthorized extends ConnectApiException {
    public Unauthorized(String endpoint, String message) { super(endpoint, 401, message, null); }
    @Override public boolean isTransient() { return false; }
  }

  /** 403: the token's user may not use this add-on. */
  public static final class Forbidden extends ConnectApiException {
    public Forbidden(String endpoint, String message) { super(endpoint, 403, message, null); }
    @Override public boolean isTransient() { return false; }
  }

  /** 404: no such app, connection or mapping (or not visible to this user). */
  public static final class NotFound extends ConnectApiException {
    public NotFound(String endpoint, String message) { super(endpoint, 404, message, null); }
    @Override public boolean isTransient() { return false; }
  }

  /** 409: a mapping edit carried a stale revision. Re-read, then try again. */
  public static final class Conflict extends ConnectApiException {
    public Conflict(String endpoint, String message) { super(endpoint, 409, message, null); }
    @Override public boolean isTransient() { return true; }
  }

  /** 429: the connection's daily limit is spent; nothing may be sent before {@link #until()}. */
  public static final class Throttled extends ConnectApiException {
    private final Duration wait;
    private final Instant until;

    public Throttled(String endpoint, String message, Duration wait, Instant until) {
      super(endpoint, 429, message, null);
      this.wait = wait;
      this.until = until;
    }

    public Duration waitTime() { return wait; }
    public Instant until() { return until; }
    @Override public boolean isTransient() { return true; }
  }

  /** 5xx. */
  public static final class ServerError extends ConnectApiException {
    public ServerError(String endpoint, int status, String message) { super(endpoint, status, message, null); }
    @Override public boolean isTransient() { return true; }
  }

  /** No usable answer: connection refused or dropped, timeout. */
  public static final class Transport extends ConnectApiException {
    public Transport(String endpoint, String message, Throwable cause) { super(endpoint, 0, message, cause); }
    @Override public boolean isTransient() { return true; }
  }

  /** An answer we cannot use: not JSON, too large, missing fields, an unexpected status. */
  public static final class UnexpectedResponse extends ConnectApiException {
    public UnexpectedResponse(String endpoint, int status, String message) { super(endpoint, status, message, null); }
    @Override public boolean isTransient() { return true; }
  }

  /**
   * POST /connections/{id}/actions/change-sf-api-version refused (a 400 or 409), as the CLI plugin
   * reads a refusal (src/commands/connect/manage-sf-api-version.ts, fetchResult: the message is
   * {@code message}, else {@code error}; a body with mappings is the diff). Its test shows the two
   * kinds it knows: 409 "Some mappings have unsafe changes. Edit them and retry." with the diff, and
   * 409 {@code {"error": "Mapping Contact is still syncing. …", "syncing_mappings": ["Contact"]}}.
   * Anything else (not paused, a version the API does not support) is {@link Reason#REFUSED} with
   * the API's message. Only a mapping still syncing clears by itself.
   */
  public static final class ApiVersionChangeRefused extends ConnectApiException {
    public enum Reason { UNSAFE_CHANGES, STILL_SYNCING, REFUSED }

    private final Reason reason;
    private final String apiMessage;
    private final List<String> syncingMappings;
    private final Model.SchemaDiff diff;
    private final Map<String, List<String>> fieldErrors;

    public ApiVersionChangeRefused(String endpoint, int status, String apiMessage, List<String> syncingMappings,
                                   Model.SchemaDiff diff, Map<String, List<String>> fieldErrors) {
      super(endpoint, status, endpoint + ": " + status + " the Salesforce API version was not changed: " + apiMessage
          + (fieldErrors.isEmpty() ? "" : " (" + fieldErrors.entrySet().stream().sorted(Map.Entry.comparingByKey())
              .map(e -> e.getKey() + ": " + String.join(" ", e.getValue())).collect(Collectors.joining("; ")) + ")"), null);
      this.apiMessage = apiMessage;
      this.syncingMappings = List.copyOf(syncingMappings);
      this.diff = diff;
      this.fieldErrors = Map.copyOf(fieldErrors);
      this.reason = !this.syncingMappings.isEmpty() ? Reason.STILL_SYNCING
          : diff != null && !diff.unsafeMappings().isEmpty() ? Reason.UNSAFE_CHANGES : Reason.REFUSED;
    }

    public Reason reason() { return reason; }

    /** The API's own words ({@code message}, else {@code error}). */
    public String apiMessage() { return apiMessage; }

    /** The mappings still syncing ({@code syncing_mappings}); empty otherwise. */
    public List<String> syncingMappings() { return syncingMappings; }

    /** The diff the refusal carried (null when none): which mappings, and how, would change. */
    public Model.SchemaDiff diff() { return diff; }

    /** The mappings with unsafe changes, from the diff (a removed field is one: its result line names it). */
    public List<String> unsafeMappings() { return diff == null ? List.of() : diff.unsafeMappings(); }

    /** Field errors of a 400 (e.g. target_version), keyed by dotted path. */
    public Map<String, List<String>> fieldErrors() { return fieldErrors; }

    @Override public boolean isTransient() { return reason == Reason.STILL_SYNCING; }
  }

  /** Not sent: this operator's own budget for the connection is spent until {@link #retryAt()}. */
  public static final class RateLimited extends ConnectApiException {
    private final Instant retryAt;

    public RateLimited(String endpoint, String message, Instant retryAt) {
      super(endpoint, 0, message, null);
      this.retryAt = retryAt;
    }

    public Instant retryAt() { return retryAt; }
    @Override public boolean isTransient() { return true; }
  }

  /** Not sent: another reconcile's deep GET of the connection is still running, past {@link #WAIT_FOR_FETCH}. */
  public static final class StillFetching extends ConnectApiException {
    public StillFetching(String connectionId, Duration running) {
      super("GET /connections/{id}?deep", 0, "waiting for the snapshot of connection " + connectionId
          + ": its deep GET has been running for " + running.toMillis() / 100 / 10.0 + " s; nothing else is sent meanwhile", null);
    }

    @Override public boolean isTransient() { return true; }
  }
}
