package dev.herokuconnect.operator.platform;

import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.connect.ConnectHttp;
import dev.herokuconnect.operator.connect.HostAllowlist;
import dev.herokuconnect.operator.connect.RequestGate;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Platform API clients for the process: one HTTP client per token (a rotated token gets a new
 * one), all paying from one {@link PlatformBudget}, as reconciler.cluster.HttpClients does for the
 * Connect API. The base URL is checked against the allowlist by each client made
 * ({@link dev.herokuconnect.operator.connect.RefusedUrl} naming {@value PlatformApi#URL_SETTING}),
 * not here: the default URL need not be allowed where nobody asks for an add-on.
 */
public final class PlatformApis {
  private final String baseUrl;
  private final HostAllowlist hosts;
  private final PlatformBudget budget;
  private final Clock clock;
  private final Map<ApiToken, PlatformApi> clients = new ConcurrentHashMap<>();

  public PlatformApis(String baseUrl, HostAllowlist hosts, PlatformBudget budget, Clock clock) {
    this.baseUrl = baseUrl;
    this.hosts = hosts;
    this.budget = budget;
    this.clock = clock;
  }

  public PlatformApi forToken(ApiToken token) {
    if (clients.size() > 100 && !clients.containsKey(token)) clients.clear(); // outside computeIfAbsent: no recursive update
    return clients.computeIfAbsent(token, t -> {
      ConnectHttp http = new ConnectHttp(t, RequestGate.OPEN, ConnectHttp.Options.defaults().withHosts(hosts), clock);
      return new PlatformApi(http, baseUrl, budget);
    });
  }

  public PlatformBudget budget() { return budget; }
}
