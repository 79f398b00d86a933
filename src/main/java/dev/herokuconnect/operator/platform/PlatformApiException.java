package dev.herokuconnect.operator.platform;

/**
 * A Platform API error answer, or no usable answer. The API's error bodies are
 * {@code {"id": "not_found", "message": "Couldn't find that app.", "url": "..."}}
 * (devcenter "Platform API Reference", Errors): {@link #errorId()} is that id ("not_found",
 * "invalid_params", "forbidden", "unauthorized", "rate_limit", ...), {@link #apiMessage()} its
 * message. A not_found also names what was not found: {@code "resource": "app"} ("Couldn't find
 * that app.") or {@code "add_on"} (as github:heroku/cli's tests of data:pg:attachments:create and
 * apps show), {@link #resource()}. Status 0 and no id when no answer came (timeout, connection refused) or it could not
 * be read. The message names the endpoint, never the token.
 */
public final class PlatformApiException extends RuntimeException {
  private final String endpoint;
  private final int status;
  private final String errorId;
  private final String apiMessage;
  private final String resource;

  public PlatformApiException(String endpoint, int status, String errorId, String apiMessage, Throwable cause) {
    this(endpoint, status, errorId, apiMessage, null, cause);
  }

  public PlatformApiException(String endpoint, int status, String errorId, String apiMessage, String resource, Throwable cause) {
    // one line: the API's rate_limit message has a line break, and this text goes to status and Events
    super(endpoint + ": " + (status == 0 ? "no answer" : status + (errorId == null ? "" : " " + errorId)) + ": "
        + String.valueOf(apiMessage).replaceAll("\\s+", " ").strip(), cause);
    this.endpoint = endpoint;
    this.status = status;
    this.errorId = errorId;
    this.apiMessage = apiMessage;
    this.resource = resource;
  }

  /** The endpoint template, e.g. "POST /apps/{app}/addons". */
  public String endpoint() { return endpoint; }

  /** The HTTP status, or 0 when no answer came. */
  public int status() { return status; }

  /** The API's error id ("not_found", "invalid_params", ...), or null when the answer had none. */
  public String errorId() { return errorId; }

  /** The API's own words (or what went wrong when no answer could be read). */
  public String apiMessage() { return apiMessage; }

  /** What a not_found was about ("app", "add_on"), or null when the answer did not say. */
  public String resource() { return resource; }

  /**
   * The API has no such add-on: a 404 not_found about the add-on, not about the app ({@code
   * "resource": "app"}, "Couldn't find that app.": the app renamed, gone or out of the token's
   * sight, where the add-on may well live on). Without a resource, the message decides.
   */
  public boolean addonNotFound() {
    if (status != 404 || !"not_found".equals(errorId)) return false;
    return resource != null ? !resource.equals("app") : !String.valueOf(apiMessage).contains("that app");
  }

  /**
   * True when the API answered and refused the request (a 4xx other than 408): it did nothing, so a
   * create refused so created nothing. No answer, a 408 or a 5xx may have come after the work was done.
   */
  public boolean refusedOutright() {
    return status >= 400 && status < 500 && status != 408;
  }

  /** True when trying again later may succeed without anyone changing anything (no answer, 5xx, 429). */
  public boolean isTransient() {
    return status == 0 || status == 429 || status >= 500;
  }
}
