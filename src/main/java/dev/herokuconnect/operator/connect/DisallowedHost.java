package dev.herokuconnect.operator.connect;

/**
 * A URL the token would have gone to names a host outside {@link HostAllowlist#SETTING}. An
 * IllegalArgumentException, so the loop reports it as InvalidSpec (a person must act), as it
 * does other unusable URLs. The message names the host and never the rest of the URL: a URL
 * may carry userinfo.
 */
public final class DisallowedHost extends RefusedUrl {
  private final String host;

  DisallowedHost(String host, String message) {
    super(message);
    this.host = host;
  }

  /** The refused host, as OkHttp would have connected to it (lower case, punycode). */
  public String host() { return host; }
}
