package dev.herokuconnect.operator.config;

import dev.herokuconnect.operator.connect.HostAllowlist;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    boolean methodOverride,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    int healthPort,
    int reconcileThreads,
    double timeScale) {

  public static final String DEFAULT_DISCOVERY_URL = "https://hc-central.heroku.com";
  public static final String DISCOVERY_URL = "HEROKU_CONNECT_DISCOVERY_URL";

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
        Boolean.parseBoolean(env.getOrDefault("HEROKU_CONNECT_METHOD_OVERRIDE", "false")),
        Boolean.parseBoolean(env.getOrDefault("LEADER_ELECTION_ENABLED", "false")),
        env.getOrDefault("LEADER_ELECTION_LEASE_NAME", "heroku-connect-operator"),
        env.getOrDefault("LEADER_ELECTION_NAMESPACE", env.getOrDefault("POD_NAMESPACE", "")),
        positiveInt(env, "HEALTH_PORT", 8080),
        positiveInt(env, "RECONCILE_THREADS", 10),
        1.0);
  }

  /** {@value HostAllowlist#SETTING}, parsed: the one place the setting is read (the operator, plan and export). */
  public static HostAllowlist apiHosts(Map<String, String> env) {
    return HostAllowlist.parse(env.get(HostAllowlist.SETTING));
  }

  // Copies with one setting changed, for the demo, the tests and the benchmark.

  public OperatorConfig withIntervals(Duration refresh, Duration settling, Duration backoff) {
    return edit(b -> { b.refreshInterval = refresh; b.settlingInterval = settling; b.maxBackoff = backoff; });
  }

  public OperatorConfig withDailyBudget(int budget) {
    return edit(b -> b.dailyBudget = budget);
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
    boolean methodOverride;
    boolean leaderElection;
    String leaseName;
    String leaseNamespace;
    int healthPort;
    int reconcileThreads;
    double timeScale;

    Fields(OperatorConfig c) {
      discoveryUrl = c.discoveryUrl;
      apiHosts = c.apiHosts;
      dailyBudget = c.dailyBudget;
      watchNamespaces = c.watchNamespaces;
      refreshInterval = c.refreshInterval;
      settlingInterval = c.settlingInterval;
      pausedInterval = c.pausedInterval;
      maxBackoff = c.maxBackoff;
      methodOverride = c.methodOverride;
      leaderElection = c.leaderElection;
      leaseName = c.leaseName;
      leaseNamespace = c.leaseNamespace;
      healthPort = c.healthPort;
      reconcileThreads = c.reconcileThreads;
      timeScale = c.timeScale;
    }

    OperatorConfig build() {
      return new OperatorConfig(discoveryUrl, apiHosts, dailyBudget, watchNamespaces, refreshInterval, settlingInterval, pausedInterval,
          maxBackoff, methodOverride, leaderElection, leaseName, leaseNamespace, healthPort, reconcileThreads, timeScale);
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

  /** Accepts 300, 300s, 5m, 1h, or ISO-8601 such as PT5M. */
  static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) return fallback;
    String s = v.strip().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("p")) return Duration.parse(s.toUpperCase(Locale.ROOT));
      char unit = s.charAt(s.length() - 1);
      long n = Long.parseLong(Character.isDigit(unit) ? s : s.substring(0, s.length() - 1));
      Duration d = switch (unit) {
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
      if (!d.isNegative() && !d.isZero()) return d;
    } catch (RuntimeException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(name + "=" + v + " is not a duration (examples: 300, 300s, 5m, 1h, PT5M)");
  }
}
