package dev.herokuconnect.operator.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Optional protection of /metrics, each part off while its files are not set: a bearer token
 * (a file, typically a mounted Secret key) and TLS (a PEM certificate chain and a PKCS#8 key).
 * Only the paths are held here; the files are read when the metrics server starts (a bad file
 * stops the start) and, for the token, at every request (rotation).
 */
public record MetricsAccess(Path bearerTokenFile, Path tlsCertFile, Path tlsKeyFile) {
  public static final String BEARER_TOKEN_FILE = "METRICS_BEARER_TOKEN_FILE";
  public static final String TLS_CERT_FILE = "METRICS_TLS_CERT_FILE";
  public static final String TLS_KEY_FILE = "METRICS_TLS_KEY_FILE";

  /** Plain HTTP, no token: the default. */
  public static final MetricsAccess OPEN = new MetricsAccess(null, null, null);

  /** A certificate without its key (or the reverse) is a half-made setting, refused rather than served in plain HTTP. */
  public MetricsAccess {
    if ((tlsCertFile == null) != (tlsKeyFile == null)) {
      throw new IllegalArgumentException(TLS_CERT_FILE + " and " + TLS_KEY_FILE + " go together: "
          + (tlsCertFile == null ? TLS_KEY_FILE + "=" + tlsKeyFile : TLS_CERT_FILE + "=" + tlsCertFile)
          + " is set but not the other; set both for HTTPS on the metrics port, or neither");
    }
  }

  public static MetricsAccess fromEnv(Map<String, String> env) {
    return new MetricsAccess(path(env, BEARER_TOKEN_FILE), path(env, TLS_CERT_FILE), path(env, TLS_KEY_FILE));
  }

  public boolean bearer() {
    return bearerTokenFile != null;
  }

  public boolean tls() {
    return tlsCertFile != null;
  }

  private static Path path(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) return null;
    try {
      return Path.of(v.strip());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(name + "=" + v.strip().replaceAll("\\p{Cntrl}", "?") + " is not a file path: " + e.getReason());
    }
  }
}
