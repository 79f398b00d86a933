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
