package dev.herokuconnect.operator.connect;

/**
 * Decides whether a request may go out now, and hears how it ended. The rate limiter
 * implements it; {@link #OPEN} lets everything through (tests of the client itself, export).
 */
public interface RequestGate {
  /** Why a request is sent; the gate serves higher priorities first when tokens are short. */
  enum Priority { BACKGROUND, USER }

  /**
   * Takes a token for {@code budgetKey} or throws {@link ConnectApiException.RateLimited}
   * (or {@link ConnectApiException.Throttled} while a 429's wait lasts). Never blocks.
   */
  void admit(String budgetKey, String endpoint, Priority priority);

  /** Called once per request that went out, with its HTTP status (0 when none came back). */
  default void completed(String budgetKey, String endpoint, int status) {}

  /** Called when the API answered 429. */
  default void throttled(String budgetKey, ConnectApiException.Throttled throttled) {}

  RequestGate OPEN = (key, endpoint, priority) -> {};
}
