package dev.herokuconnect.operator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The one rule for where the token may go: a table of hosts, each with why it is (not) allowed. */
class HostAllowlistTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        // list, URL, allowed, why
        Arguments.of("*.heroku.com", "https://hc-central.heroku.com", true, "the default discovery host"),
        Arguments.of("*.heroku.com", "https://connect-oregon.heroku.com/api/v3", true, "a region host"),
        Arguments.of("*.heroku.com", "https://api.heroku.com", true, "the Platform API (HEROKU_PLATFORM_API_URL's default)"),
        Arguments.of("*.heroku.com", "https://api.heroku.com.attacker.io/apps/x/addons", false, "the Platform API's name as a prefix"),
        Arguments.of("*.heroku.com", "https://x.y.heroku.com/", true, "subdomains at any depth"),
        Arguments.of("*.heroku.com", "https://HC-Central.Heroku.COM/", true, "host names are case-insensitive"),
        Arguments.of("*.heroku.com", "https://a.heroku.com:8443/", true, "the port is not part of the rule"),
        Arguments.of("*.heroku.com", "https://a.heroku.com./", true, "a trailing dot is the same DNS name"),
        Arguments.of("*.heroku.com", "https://ａ.heroku.com/", true, "full-width letters are normalised (IDNA) as the request would be"),
        Arguments.of("*.heroku.com", "https://heroku.com/", false, "*. matches subdomains, not the domain itself"),
        Arguments.of("*.heroku.com", "https://heroku.com.evil.io/", false, "a suffix check, not a substring one"),
        Arguments.of("*.heroku.com", "https://evilheroku.com/", false, "only whole labels match"),
        Arguments.of("*.heroku.com", "https://a.heroku.com@evil.io/", false, "userinfo: the request goes to evil.io"),
        Arguments.of("*.heroku.com", "https://evil.io\\@a.heroku.com/", false, "a backslash ends the authority, as OkHttp sends it"),
        Arguments.of("*.heroku.com", "https://a.hеroku.com/", false, "a Cyrillic е is another (punycode) domain"),
        Arguments.of("*.heroku.com", "https://a.heroku.com.:443@evil.io/", false, "userinfo with a port-like part"),
        Arguments.of("*.heroku.com", "http://127.0.0.1:8080/", false, "loopback is not special: it must be listed"),
        Arguments.of("127.0.0.1", "http://127.0.0.1:8080/api/v3", true, "an IP address listed exactly"),
        Arguments.of("127.0.0.1", "http://localhost:8080/", false, "the same machine under another name is another host"),
        Arguments.of("127.0.0.1", "http://127.1:8080/", false, "another spelling of the address is not matched"),
        Arguments.of("[::1]", "http://[::1]:8080/", true, "an IPv6 address, bracketed in the setting"),
        Arguments.of("hc.example.com, *.connect.example.com", "https://hc.example.com/", true, "an exact name in a list"),
        Arguments.of("hc.example.com, *.connect.example.com", "https://a.hc.example.com/", false, "an exact name has no subdomains"),
        Arguments.of("hc.example.com, *.connect.example.com", "https://eu.connect.example.com/", true, "the second entry"),
        Arguments.of("Bücher.example", "https://xn--bcher-kva.example/", true, "a Unicode entry matches its punycode"));
  }

  @ParameterizedTest(name = "{0} {2}: {1} ({3})")
  @MethodSource("cases")
  void matches(String list, String url, boolean allowed, String why) {
    assertEquals(allowed, HostAllowlist.parse(list).allows(HttpUrl.get(url)), why);
  }

  @ParameterizedTest(name = "refused entry: {0} ({1})")
  @MethodSource("badEntries")
  void badEntriesAreRefusedNamingTheSetting(String value, String why) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostAllowlist.parse(value), why);
    assertTrue(e.getMessage().startsWith("HEROKU_CONNECT_API_HOSTS="), e.getMessage());
  }

  static Stream<Arguments> badEntries() {
    return Stream.of(
        Arguments.of("*", "a bare wildcard would send the token anywhere"),
        Arguments.of("*.", "a wildcard of nothing"),
        Arguments.of("a.*.com", "a wildcard only as a leading *."),
        Arguments.of("*heroku.com", "*heroku.com would match evilheroku.com"),
        Arguments.of("https://hc.example.com", "a URL, not a host"),
        Arguments.of("hc.example.com:443", "ports are not part of the rule"),
        Arguments.of("hc.example.com/api", "a path"),
        Arguments.of("user@hc.example.com", "userinfo"),
        Arguments.of("*.0.0.1", "a wildcard over IP addresses"),
        Arguments.of(" , ", "names no host"));
  }

  @Test
  void blankMeansHerokuAndTheRefusalNamesHostSettingAndRemedy() {
    assertEquals("*.heroku.com", HostAllowlist.parse(" ").toString());
    assertEquals("*.heroku.com", HostAllowlist.parse(null).toString());
    DisallowedHost e = assertThrows(DisallowedHost.class, () -> HostAllowlist.HEROKU.require(
        "https://heroku.com@evil.example.com/api/v3", HostAllowlist.Source.field("spec.apiUrl")));
    assertEquals("spec.apiUrl: host evil.example.com is not in HEROKU_CONNECT_API_HOSTS (*.heroku.com); the token is sent only "
        + "to allowed hosts: fix spec.apiUrl or ask the operator's admin to add the host", e.getMessage());
    assertEquals("evil.example.com", e.host());
    IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> HostAllowlist.HEROKU.require(
        "http://a.heroku.com/api/v3", HostAllowlist.Source.field("spec.apiUrl")));
    assertTrue(plain.getMessage().contains("plain http"), "the https rule still holds for allowed hosts: " + plain.getMessage());
  }
}
