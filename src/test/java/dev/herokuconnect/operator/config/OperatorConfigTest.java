package dev.herokuconnect.operator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorConfigTest {
  @Test
  void defaultsFollowTheContract() {
    OperatorConfig c = OperatorConfig.fromEnv(Map.of());
    assertEquals("https://hc-central.heroku.com", c.discoveryUrl());
    assertEquals(4500, c.dailyBudget());
    assertTrue(c.watchNamespaces().isEmpty());
    assertEquals(Duration.ofMinutes(5), c.refreshInterval());
    assertEquals(Duration.ofHours(1), c.notificationsInterval());
    assertEquals(1.0, c.timeScale());
    assertEquals("*.heroku.com", c.apiHosts().toString());
  }

  @Test
  void thePlatformApiUrlDefaultsToApiHerokuComWhichTheDefaultListAllows() {
    OperatorConfig c = OperatorConfig.fromEnv(Map.of());
    assertEquals("https://api.heroku.com", c.platformApiUrl());
    assertTrue(c.apiHosts().allows(okhttp3.HttpUrl.get(c.platformApiUrl())));
    assertEquals("https://api.heroku.com", c.withDailyBudget(10).platformApiUrl(), "copies keep it");
    assertEquals("http://127.0.0.1:9/", OperatorConfig.fromEnv(Map.of("HEROKU_PLATFORM_API_URL", "http://127.0.0.1:9/",
        "HEROKU_CONNECT_API_HOSTS", "*.heroku.com,127.0.0.1")).platformApiUrl());
  }

  @Test
  void aPlatformApiUrlSetOffTheListFailsTheStartAndTheDefaultWaitsUntilUsed() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> OperatorConfig.fromEnv(Map.of("HEROKU_PLATFORM_API_URL", "https://api.heroku.com.evil.io")));
    assertEquals("HEROKU_PLATFORM_API_URL: host api.heroku.com.evil.io is not in HEROKU_CONNECT_API_HOSTS (*.heroku.com); the token "
        + "is sent only to allowed hosts: fix HEROKU_PLATFORM_API_URL or add the host to HEROKU_CONNECT_API_HOSTS", e.getMessage());
    // a list narrowed to the Connect hosts stays valid for everyone who never asks for an add-on
    OperatorConfig narrowed = OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_API_HOSTS", "hc-central.heroku.com"));
    assertEquals("https://api.heroku.com", narrowed.platformApiUrl());
  }

  @Test
  void theDiscoveryUrlMustBeAnAllowedHostOrTheStartFailsNamingBothSettings() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_DISCOVERY_URL", "https://hc.example.com")));
    assertEquals("HEROKU_CONNECT_DISCOVERY_URL: host hc.example.com is not in HEROKU_CONNECT_API_HOSTS (*.heroku.com); the token "
        + "is sent only to allowed hosts: fix HEROKU_CONNECT_DISCOVERY_URL or add the host to HEROKU_CONNECT_API_HOSTS", e.getMessage());
    OperatorConfig c = OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_DISCOVERY_URL", "https://hc.example.com",
        "HEROKU_CONNECT_API_HOSTS", "hc.example.com,*.connect.example.com"));
    assertEquals("hc.example.com,*.connect.example.com", c.apiHosts().toString());
    assertEquals(c.apiHosts(), c.withDailyBudget(10).apiHosts(), "copies keep the list");
    var bad = assertThrows(IllegalArgumentException.class, () -> OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_API_HOSTS", "*")));
    assertTrue(bad.getMessage().startsWith("HEROKU_CONNECT_API_HOSTS=*: "), bad.getMessage());
  }

  @Test
  void environmentVariablesAreRead() {
    OperatorConfig c = OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_DAILY_BUDGET", "1000", "WATCH_NAMESPACES", " crm, sales ,",
        "HEROKU_CONNECT_REFRESH_INTERVAL", "10m", "HEROKU_CONNECT_SETTLING_INTERVAL", "PT3S", "HEROKU_CONNECT_MAX_BACKOFF", "120",
        "LEADER_ELECTION_ENABLED", "true", "POD_NAMESPACE", "ops"));
    assertEquals(1000, c.dailyBudget());
    assertEquals(Set.of("crm", "sales"), c.watchNamespaces());
    assertEquals(Duration.ofMinutes(10), c.refreshInterval());
    assertEquals(Duration.ofSeconds(3), c.settlingInterval());
    assertEquals(Duration.ofSeconds(120), c.maxBackoff());
    assertTrue(c.leaderElection());
    assertEquals("ops", c.leaseNamespace());
    assertEquals(2000, c.withDailyBudget(2000).dailyBudget());
    assertEquals(Set.of("crm", "sales"), c.withDailyBudget(2000).watchNamespaces(), "copies keep the rest");
  }

  @Test
  void badValuesNameTheVariable() {
    var budget = assertThrows(IllegalArgumentException.class, () -> OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_DAILY_BUDGET", "lots")));
    assertTrue(budget.getMessage().contains("HEROKU_CONNECT_DAILY_BUDGET=lots"));
    var interval = assertThrows(IllegalArgumentException.class, () -> OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_REFRESH_INTERVAL", "soon")));
    assertTrue(interval.getMessage().contains("HEROKU_CONNECT_REFRESH_INTERVAL=soon") && interval.getMessage().contains("5m"));
    assertThrows(IllegalArgumentException.class, () -> OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_DAILY_BUDGET", "0")));
  }

  /** Durations are read as written or refused (issue 16): never a guess in seconds. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      300      | PT5M
      300s     | PT5M
      90s      | PT1M30S
      5m       | PT5M
      5M       | PT5M
      1h       | PT1H
      1h30m    | PT1H30M
      2h45m30s | PT2H45M30S
      1500ms   | PT1.5S
      1d       | PT24H
      2w       | PT336H
      PT5M     | PT5M
      pt90s    | PT1M30S
      P1D      | PT24H
      ' 10m '  | PT10M
      """)
  void durationsMeanWhatTheySay(String value, String expected) {
    OperatorConfig c = OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_REFRESH_INTERVAL", value));
    assertEquals(Duration.parse(expected), c.refreshInterval(), value);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      1y          | is not a duration
      10x         | is not a duration
      1.5h        | is not a duration
      -1h         | is not a duration
      1h-30m      | is not a duration
      1 h         | is not a duration
      h           | is not a duration
      P2W         | is not a duration
      soon        | is not a duration
      99999999999999999999 | is not a duration
      9999999999999999999w | is not a duration
      0           | is too short: at least 1s
      0s          | is too short: at least 1s
      500ms       | is too short: at least 1s
      PT-5M       | is too short: at least 1s
      """)
  void unreadableDurationsAreRefusedInOneLineNamingTheSetting(String value, String why) {
    var e = assertThrows(IllegalArgumentException.class, () -> OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_MAX_BACKOFF", value)));
    assertTrue(e.getMessage().startsWith("HEROKU_CONNECT_MAX_BACKOFF=" + value + " " + why), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
  }

  /** HEROKU_CONNECT_NOTIFICATIONS_INTERVAL: a duration as the others are read, and a zero in any of their forms turns the reads off. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      30m   | PT30M
      3600  | PT1H
      1d    | PT24H
      PT2H  | PT2H
      0     | PT0S
      0s    | PT0S
      0h0m  | PT0S
      PT0S  | PT0S
      """)
  void theNotificationsIntervalIsADurationOrZeroForOff(String value, String expected) {
    OperatorConfig c = OperatorConfig.fromEnv(Map.of(OperatorConfig.NOTIFICATIONS_INTERVAL, value));
    assertEquals(Duration.parse(expected), c.notificationsInterval(), value);
    assertEquals(Duration.parse(expected), c.withDailyBudget(10).notificationsInterval(), "copies keep it");
    assertEquals(Duration.ZERO, c.withNotificationsInterval(Duration.ZERO).notificationsInterval());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      1y     | is not a duration
      -1h    | is not a duration
      hourly | is not a duration
      500ms  | is too short: at least 1s
      """)
  void aBadNotificationsIntervalStopsTheStartNamingIt(String value, String why) {
    var e = assertThrows(IllegalArgumentException.class, () -> OperatorConfig.fromEnv(Map.of(OperatorConfig.NOTIFICATIONS_INTERVAL, value)));
    assertTrue(e.getMessage().startsWith("HEROKU_CONNECT_NOTIFICATIONS_INTERVAL=" + value + " " + why), e.getMessage());
  }

  @Test
  void aValueOnSeveralLinesIsStillReportedOnOne() {
    var e = assertThrows(IllegalArgumentException.class, () -> OperatorConfig.fromEnv(Map.of("HEROKU_CONNECT_PAUSED_INTERVAL", "5m\n6m")));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertTrue(e.getMessage().startsWith("HEROKU_CONNECT_PAUSED_INTERVAL=5m?6m is not a duration"), e.getMessage());
  }
}
