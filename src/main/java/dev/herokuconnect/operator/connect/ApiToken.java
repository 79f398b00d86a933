package dev.herokuconnect.operator.connect;

import java.util.Objects;

/** A Heroku API token. Holds the secret so that nothing prints it by accident. */
public final class ApiToken {
  private final String value;

  public ApiToken(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the Heroku API token is empty");
    }
    this.value = value.strip();
  }

  /** The secret itself, for the Authorization header only. */
  String reveal() {
    return value;
  }

  /**
   * Names the token's account in budgets, metrics and status without revealing the token: the
   * first 12 hex digits of its SHA-256. Not reversible (a token is a long random secret, and 48
   * bits of its hash cannot be turned back into it); stable across restarts, so a status written
   * by one process is read by the next.
   */
  public String fingerprint() {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(hash, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiToken other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value);
  }

  @Override
  public String toString() {
    return "ApiToken[redacted]";
  }
}
