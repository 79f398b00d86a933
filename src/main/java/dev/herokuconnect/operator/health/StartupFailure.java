package dev.herokuconnect.operator.health;

/**
 * The operator cannot start, for a reason a person must fix. The message is one line that says
 * what failed and what to do; it never carries a credential. {@code run} prints it and exits 1.
 */
public final class StartupFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StartupFailure(String message) {
    super(message, null, false, false);
  }

  public StartupFailure(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
