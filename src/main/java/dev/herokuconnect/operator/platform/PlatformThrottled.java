package dev.herokuconnect.operator.platform;

import java.time.Instant;

/**
 * Not sent: the account's Platform API budget is spent, because RateLimit-Remaining reached the
 * reserve or the API answered 429 ({@link PlatformBudget} says how long each stops sending).
 * Nothing goes to the Platform API for that account before {@link #until()}.
 */
public final class PlatformThrottled extends RuntimeException {
  private final String endpoint;
  private final Instant until;

  public PlatformThrottled(String endpoint, String message, Instant until) {
    super(endpoint + ": not sent: " + message);
    this.endpoint = endpoint;
    this.until = until;
  }

  public String endpoint() { return endpoint; }

  /** When the account may send again. */
  public Instant until() { return until; }
}
