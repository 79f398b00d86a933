package dev.herokuconnect.operator.connect;

import java.net.InetAddress;
import java.net.UnknownHostException;
import okhttp3.HttpUrl;

/** Checks the addresses the operator sends its token to. */
public final class ApiUrls {
  private ApiUrls() {}

  /**
   * Parses {@code url} and refuses plain http unless the host is a loopback address: the
   * token is a bearer credential, so it only travels over verified TLS (or stays on this host).
   */
  public static HttpUrl requireSafe(String url, String what) {
    HttpUrl parsed = url == null ? null : HttpUrl.parse(url.strip());
    if (parsed == null) {
      throw new RefusedUrl(what + " '" + url + "' is not an http(s) URL");
    }
    if (!parsed.isHttps() && !isLoopback(parsed.host())) {
      throw new RefusedUrl(
          what + " '" + url + "' uses plain http; use https (plain http is allowed only for "
              + "loopback addresses such as 127.0.0.1, for tests and the demo)");
    }
    return parsed;
  }

  static boolean isLoopback(String host) {
    if (host.equals("localhost")) return true;
    if (!host.matches("[0-9.]+") && !host.contains(":")) return false; // never resolve names
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The API root of a region URL from discovery: region_url + /api/v3. */
  public static String apiRootOf(String regionUrl) {
    String base = regionUrl.endsWith("/") ? regionUrl.substring(0, regionUrl.length() - 1) : regionUrl;
    return base.endsWith("/api/v3") ? base : base + "/api/v3";
  }
}
