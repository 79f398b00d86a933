package dev.herokuconnect.operator.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import okhttp3.HttpUrl;

/**
 * The hosts the Heroku API token may be sent to (setting {@value #SETTING}, default
 * {@value #DEFAULT}). Whoever may create a HerokuConnection names a Secret they may not be able
 * to read and a URL; without this list the operator would carry that Secret's token to any
 * host they like. Every request the operator, plan and export send is checked here first.
 *
 * <p>Entries are host names or IP addresses, separated by commas; {@code *.example.com}
 * matches every subdomain of example.com at any depth, not example.com itself. Ports are not
 * part of the rule (a host's ports are its owner's). Entries and URL hosts are canonicalised by
 * the same code, OkHttp's URL parser, which is also what decides where a request goes: lower
 * case, IDN as punycode, userinfo and backslash tricks resolved (https://heroku.com@evil.io/
 * has host evil.io). One trailing dot is dropped (a.heroku.com. is the same DNS name).
 */
public final class HostAllowlist {
  public static final String SETTING = "HEROKU_CONNECT_API_HOSTS";
  public static final String DEFAULT = "*.heroku.com";
  public static final HostAllowlist HEROKU = parse(DEFAULT);

  /** Where a URL came from, and what a person can do when its host is refused. */
  public record Source(String what, String remedy) {
    /** A field a user sets, e.g. spec.apiUrl or --discovery-url. */
    public static Source field(String name) {
      return new Source(name, "fix " + name + " or ask the operator's admin to add the host");
    }

    /** A setting of the operator (or CLI) process, e.g. HEROKU_CONNECT_DISCOVERY_URL. */
    public static Source setting(String name) {
      return new Source(name, "fix " + name + " or add the host to " + SETTING);
    }

    /** A URL nobody but the admin can allow, such as one the API handed back (region_url, next, result_url). */
    public static Source answer(String what) {
      return new Source(what, "ask the operator's admin to add the host if it is Heroku's");
    }
  }

  private record Entry(String host, boolean subdomains) {
    boolean matches(String h) {
      return subdomains ? h.endsWith("." + host) : h.equals(host);
    }

    @Override
    public String toString() {
      return subdomains ? "*." + host : host;
    }
  }

  private final List<Entry> entries;

  private HostAllowlist(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses the setting's value; blank means {@value #DEFAULT}.
   *
   * @throws IllegalArgumentException naming the setting and the entry that is not a host
   */
  public static HostAllowlist parse(String value) {
    if (value == null || value.isBlank()) value = DEFAULT;
    List<Entry> out = new ArrayList<>();
    for (String raw : value.split(",")) {
      String e = raw.strip();
      if (e.isEmpty()) continue;
      boolean wildcard = e.startsWith("*.");
      String host = canonical(wildcard ? e.substring(2) : e);
      if (host == null || (wildcard && !host.matches(".*[a-z].*"))) {
        throw new IllegalArgumentException(SETTING + "=" + value + ": '" + e + "' is not a host name, an IP address or *.DOMAIN "
            + "(no scheme, port, path or other wildcard)");
      }
      out.add(new Entry(host, wildcard));
    }
    if (out.isEmpty()) throw new IllegalArgumentException(SETTING + "=" + value + " names no host");
    return new HostAllowlist(out);
  }

  /** The host as OkHttp canonicalises it, or null if {@code s} is not a bare host. */
  private static String canonical(String s) {
    // '*' anywhere else, and anything that would make the text more than a host, is refused
    if (s.isEmpty() || !s.matches("[^/:@?#\\\\*\\s\\[\\]]+|\\[[0-9A-Fa-f:.]+\\]")) return null;
    HttpUrl u = HttpUrl.parse("https://" + s + "/");
    return u == null ? null : dropTrailingDot(u.host());
  }

  private static String dropTrailingDot(String host) {
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }

  public boolean allows(HttpUrl url) {
    String host = dropTrailingDot(url.host().toLowerCase(Locale.ROOT));
    return !host.isEmpty() && entries.stream().anyMatch(e -> e.matches(host));
  }

  /** {@code url} if its host is allowed, else {@link DisallowedHost} saying so; never a request. */
  public HttpUrl require(HttpUrl url, Source source) {
    if (allows(url)) return url;
    throw new DisallowedHost(url.host(), source.what() + ": host " + url.host() + " is not in " + SETTING + " (" + this
        + "); the token is sent only to allowed hosts: " + source.remedy());
  }

  /** As {@link #require(HttpUrl, Source)} for a URL still to be parsed (and refused if plain http off this host). */
  public HttpUrl require(String url, Source source) {
    return require(ApiUrls.requireSafe(url, source.what()), source);
  }

  @Override
  public String toString() {
    return String.join(",", entries.stream().map(Entry::toString).toList());
  }
}
