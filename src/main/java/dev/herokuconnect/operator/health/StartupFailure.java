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

  /** A server's port is taken: names the port and the setting that chose it. */
  static StartupFailure portInUse(String setting, int port, java.net.BindException e) {
    return new StartupFailure(setting + " " + port + " is already in use (" + e.getMessage()
        + "): stop what listens there or set " + setting + " to a free port", e);
  }

  /** Why a file could not be read, in a few words and without its path (the message names it already). */
  static String reason(java.io.IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
    if (e instanceof java.nio.file.AccessDeniedException) return "permission denied (the operator runs as user 65532)";
    if (e instanceof java.nio.charset.CharacterCodingException) return "it is not UTF-8 text";
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
