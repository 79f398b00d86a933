package dev.herokuconnect.operator.config;

import dev.herokuconnect.operator.connect.HostAllowlist;
import dev.herokuconnect.operator.platform.PlatformApi;
import java.text.ParseException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The operator process's settings, all from environment variables (the Helm chart maps its
 * values onto them). Every variable is listed in the README.
 */
public record OperatorConfig(
    String discoveryUrl,
    HostAllowlist apiHosts,
    int dailyBudget,
    Set<String> watchNamespaces,
    Duration refreshInterval,
    Duration settlingInterval,
    Duration pausedInterval,
    Duration maxBackoff,
    Duration notificationsInterval,
    boolean methodOverride,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    int healthPort,
    int reconcileThreads,
    double timeScale,
    String platformApiUrl) {

  public static final String DEFAULT_DISCOVERY_URL = "https://hc-central.heroku.com";
  public static final String DISCOVERY_URL = "HEROKU_CONNECT_DISCOVERY_URL";
  /** How often a connection's notifications are read; 0 turns the reads off. */
  public static final String NOTIFICATIONS_INTERVAL = "HEROKU_CONNECT_NOTIFICATIONS_INTERVAL";

  /**
   * The discovery URL is the admin's, but the token goes there too: it must pass the same list,
   * so a start with the two settings at odds fails with one line naming both.
   */
  public OperatorConfig {
    apiHosts.require(discoveryUrl, HostAllowlist.Source.setting(DISCOVERY_URL));
  }

  public static OperatorConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  public static OperatorConfig fromEnv(Map<String, String> env) {
    return new OperatorConfig(
        env.getOrDefault(DISCOVERY_URL, DEFAULT_DISCOVERY_URL),
        apiHosts(env),
        positiveInt(env, "HEROKU_CONNECT_DAILY_BUDGET", 4500),
        namespaces(env.getOrDefault("WATCH_NAMESPACES", "")),
        duration(env, "HEROKU_CONNECT_REFRESH_INTERVAL", Duration.ofMinutes(5)),
        duration(env, "HEROKU_CONNECT_SETTLING_INTERVAL", Duration.ofSeconds(10)),
        duration(env, "HEROKU_CONNECT_PAUSED_INTERVAL", Duration.ofMinutes(30)),
        duration(env, "HEROKU_CONNECT_MAX_BACKOFF", Duration.ofMinutes(10)),
        durationOrOff(env, NOTIFICATIONS_INTERVAL, Duration.ofHours(1)),
        Boolean.parseBoolean(env.getOrDefault("HEROKU_CONNECT_METHOD_OVERRIDE", "false")),
        Boolean.parseBoolean(env.getOrDefault("LEADER_ELECTION_ENABLED", "false")),
        env.getOrDefault("LEADER_ELECTION_LEASE_NAME", "heroku-connect-operator"),
        env.getOrDefault("LEADER_ELECTION_NAMESPACE", env.getOrDefault("POD_NAMESPACE", "")),
        positiveInt(env, "HEALTH_PORT", 8080),
        positiveInt(env, "RECONCILE_THREADS", 10),
        1.0,
        platformApiUrl(env));
  }

  /** {@value HostAllowlist#SETTING}, parsed: the one place the setting is read (the operator, plan and export). */
  public static HostAllowlist apiHosts(Map<String, String> env) {
    return HostAllowlist.parse(env.get(HostAllowlist.SETTING));
  }

  /**
   * {@value PlatformApi#URL_SETTING}: set, it must pass the allowlist now (a start fails with one
   * line naming both settings). Unset, the default (https://api.heroku.com) is checked only when a
   * HerokuConnection asks for an add-on: an allowlist narrowed to the Connect hosts stays valid for
   * everyone who never uses spec.addon, and the refusal then names both settings.
   */
  static String platformApiUrl(Map<String, String> env) {
    String set = env.get(PlatformApi.URL_SETTING);
    if (set == null || set.isBlank()) return PlatformApi.DEFAULT_URL;
    apiHosts(env).require(set.strip(), HostAllowlist.Source.setting(PlatformApi.URL_SETTING));
    return set.strip();
  }

  // Copies with one setting changed, for the demo, the tests and the benchmark.

  public OperatorConfig withIntervals(Duration refresh, Duration settling, Duration backoff) {
    return edit(b -> { b.refreshInterval = refresh; b.settlingInterval = settling; b.maxBackoff = backoff; });
  }

  /** {@link Duration#ZERO}: no notification is read. */
  public OperatorConfig withNotificationsInterval(Duration interval) {
    return edit(b -> b.notificationsInterval = interval);
  }

  public OperatorConfig withDailyBudget(int budget) {
    return edit(b -> b.dailyBudget = budget);
  }

  public OperatorConfig withReconcileThreads(int threads) {
    return edit(b -> b.reconcileThreads = threads);
  }

  /** Where the Platform API is (the fake, in tests and the demo); it must pass {@code apiHosts} as any URL. */
  public OperatorConfig withPlatformApiUrl(String url) {
    return edit(b -> b.platformApiUrl = url);
  }

  public OperatorConfig withHealthPort(int port) {
    return edit(b -> b.healthPort = port);
  }

  public OperatorConfig withWatchNamespaces(Set<String> namespaces) {
    return edit(b -> b.watchNamespaces = namespaces);
  }

  public OperatorConfig withLeaderElection(boolean on, String lease, String namespace) {
    return edit(b -> { b.leaderElection = on; b.leaseName = lease; b.leaseNamespace = namespace; });
  }

  /**
   * How much faster than the scheduler's real time the operator's clock runs (the benchmark's
   * simulated day runs a clock 1440 times faster). Not an environment variable: always 1 in use.
   */
  public OperatorConfig withTimeScale(double scale) {
    return edit(b -> b.timeScale = scale);
  }

  private OperatorConfig edit(java.util.function.Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.build();
  }

  /** The record's fields, mutable, so a copy can change a few of them. */
  private static final class Fields {
    String discoveryUrl;
    HostAllowlist apiHosts;
    int dailyBudget;
    Set<String> watchNamespaces;
    Duration refreshInterval;
    Duration settlingInterval;
    Duration pausedInterval;
    Duration maxBackoff;
    Duration notificationsInterval;
    boolean methodOverride;
    boolean leaderElection;
    String leaseName;
    String leaseNamespace;
    int healthPort;
    int reconcileThreads;
    double timeScale;
    String platformApiUrl;

    Fields(OperatorConfig c) {
      discoveryUrl = c.discoveryUrl;
      apiHosts = c.apiHosts;
      dailyBudget = c.dailyBudget;
      watchNamespaces = c.watchNamespaces;
      refreshInterval = c.refreshInterval;
      settlingInterval = c.settlingInterval;
      pausedInterval = c.pausedInterval;
      maxBackoff = c.maxBackoff;
      notificationsInterval = c.notificationsInterval;
      methodOverride = c.methodOverride;
      leaderElection = c.leaderElection;
      leaseName = c.leaseName;
      leaseNamespace = c.leaseNamespace;
      healthPort = c.healthPort;
      reconcileThreads = c.reconcileThreads;
      timeScale = c.timeScale;
      platformApiUrl = c.platformApiUrl;
    }

    OperatorConfig build() {
      return new OperatorConfig(discoveryUrl, apiHosts, dailyBudget, watchNamespaces, refreshInterval, settlingInterval, pausedInterval,
          maxBackoff, notificationsInterval, methodOverride, leaderElection, leaseName, leaseNamespace, healthPort, reconcileThreads, timeScale,
          platformApiUrl);
    }
  }

  static Set<String> namespaces(String value) {
    return Arrays.stream(value.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  static int positiveInt(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) return fallback;
    try {
      int n = Integer.parseInt(v.strip());
      if (n > 0) return n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(name + "=" + v + " is not a positive whole number");
  }

  /** Go/Kubernetes durations: one or more number-and-unit pairs, nothing else. */
  private static final Pattern GO_DURATION = Pattern.compile("([0-9]+(ns|us|\u00b5s|ms|s|m|h|d|w))+");

  static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) return fallback;
    String shown = name + "=" + v.strip().replaceAll("\\p{Cntrl}", "?"); // the error stays one line
    Duration d = parseDuration(v.strip());
    if (d == null) {
      throw new IllegalArgumentException(shown + " is not a duration: write seconds (300), numbers with units "
          + "(90s, 5m, 1h30m, 1d, 2w) or ISO-8601 (PT5M)");
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) throw new IllegalArgumentException(shown + " is too short: at least 1s");
    return d;
  }

  /** As {@link #duration}, and a zero written in any of its forms ({@code 0}, {@code 0s}, {@code PT0S}) turns the setting off. */
  static Duration durationOrOff(Map<String, String> env, String name, Duration fallback) {
    String v = env.get(name);
    if (v != null && !v.isBlank() && Duration.ZERO.equals(parseDuration(v.strip()))) return Duration.ZERO;
    return duration(env, name, fallback);
  }

  /**
   * Plain seconds ({@code 300}, as earlier versions read it), the Go/Kubernetes form parsed by
   * fabric8's {@code Duration} ({@code 90s}, {@code 1h30m}, {@code 1d}, {@code 2w}), or ISO-8601
   * ({@code PT5M}, {@code P1D}); null for anything else, so nothing is ever read as seconds by guess.
   */
  static Duration parseDuration(String value) {
    String s = value.toLowerCase(Locale.ROOT); // earlier versions accepted 5M and pt5m
    try {
      if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) return Duration.ofSeconds(Long.parseLong(s));
      if (s.startsWith("p")) return Duration.parse(s.toUpperCase(Locale.ROOT));
      // fabric8's parser skips what it does not know ("1.5h" would be 5h, "-1h" 1h): only whole pairs reach it
      if (GO_DURATION.matcher(s).matches()) return io.fabric8.kubernetes.api.model.Duration.parse(s).getDuration();
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException | ParseException tooBigOrMalformed) {
      return null;
    }
    return null;
  }
}
