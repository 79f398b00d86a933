package dev.herokuconnect.operator.health;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import dev.herokuconnect.operator.config.MetricsAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * /metrics only for requests carrying {@code Authorization: Bearer <token>}, the token being the
 * content of {@value MetricsAccess#BEARER_TOKEN_FILE} (surrounding whitespace ignored: a Secret
 * made with {@code --from-file} often ends in a newline).
 *
 * <p>Rotation: the file is read again at every request. That is the simplest rule that is always
 * right (a Secret's new content, swapped in by the kubelet, counts from the next scrape; no cache
 * to invalidate), and it costs one read of a small file per scrape. The token is never logged.
 */
final class BearerTokenCheck extends Authenticator {
  private static final Logger log = LoggerFactory.getLogger(BearerTokenCheck.class);

  enum Verdict { ALLOWED, NO_BEARER_TOKEN, WRONG_TOKEN, TOKEN_FILE_UNREADABLE }

  private final Path file;

  private BearerTokenCheck(Path file) {
    this.file = file;
  }

  /** Reads the file once, so that a missing, unreadable or empty one stops the start. */
  static BearerTokenCheck of(Path file) {
    try {
      read(file);
    } catch (IOException e) {
      throw new StartupFailure(MetricsAccess.BEARER_TOKEN_FILE + "=" + file + " cannot be read: " + StartupFailure.reason(e)
          + "; mount the Secret key holding the scrapers' token there, or unset " + MetricsAccess.BEARER_TOKEN_FILE, e);
    }
    return new BearerTokenCheck(file);
  }

  /** The token in the file; an empty file is an error (it would let "Bearer " through). */
  static byte[] read(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) throw new IOException("the file is empty");
    return token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * What to do with a request's {@code Authorization} header (null when absent). The tokens are
   * compared through their SHA-256 digests with {@link MessageDigest#isEqual}, in constant time
   * and without revealing the expected token's length.
   */
  static Verdict decide(String authorization, byte[] expected) {
    if (authorization == null) return Verdict.NO_BEARER_TOKEN;
    String a = authorization.strip();
    int space = a.indexOf(' ');
    if (space < 0 || !a.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) return Verdict.NO_BEARER_TOKEN;
    byte[] given = a.substring(space + 1).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(sha256(given), sha256(expected)) ? Verdict.ALLOWED : Verdict.WRONG_TOKEN;
  }

  @Override
  public Result authenticate(HttpExchange ex) {
    Verdict verdict;
    try {
      verdict = decide(ex.getRequestHeaders().getFirst("Authorization"), read(file));
    } catch (IOException e) {
      log.warn("{}={} cannot be read ({}): /metrics answers 503 until it can", MetricsAccess.BEARER_TOKEN_FILE, file, StartupFailure.reason(e));
      verdict = Verdict.TOKEN_FILE_UNREADABLE;
    }
    return switch (verdict) {
      case ALLOWED -> new Success(new HttpPrincipal("scraper", "metrics"));
      case NO_BEARER_TOKEN, WRONG_TOKEN -> {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"metrics\"");
        yield new Failure(401);
      }
      case TOKEN_FILE_UNREADABLE -> new Failure(503); // fail closed: no token to compare with
    };
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
