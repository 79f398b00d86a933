package dev.herokuconnect.operator.reconciler.cluster;

import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.connect.ConnectApi;
import dev.herokuconnect.operator.connect.ConnectHttp;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.ConnectionFinder;
import dev.herokuconnect.operator.connect.HostAllowlist;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.connect.RequestGate;
import dev.herokuconnect.operator.platform.PlatformApi;
import dev.herokuconnect.operator.platform.PlatformApis;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Connect API over HTTP: one HTTP client per token (a rotated token gets a new one), paid from
 * the budget; and the Platform API's clients (spec.addon), paid from the Platform budget.
 */
public final class HttpClients implements Connector.Clients {
  private final RequestGate gate;
  private final String discoveryUrl;
  private final HostAllowlist hosts;
  private final boolean methodOverride;
  private final Clock clock;
  private final Map<ApiToken, ConnectHttp> clients = new ConcurrentHashMap<>();
  private final PlatformApis platform;

  public HttpClients(RequestGate gate, String discoveryUrl, HostAllowlist hosts, boolean methodOverride, Clock clock,
                     PlatformApis platform) {
    this.gate = gate;
    this.platform = platform;
    this.discoveryUrl = discoveryUrl;
    this.hosts = hosts;
    this.methodOverride = methodOverride;
    this.clock = clock;
  }

  private ConnectHttp http(ApiToken token) {
    return clients.computeIfAbsent(token, t -> {
      if (clients.size() > 100) clients.clear();
      return new ConnectHttp(t, gate, ConnectHttp.Options.defaults().withMethodOverride(methodOverride).withHosts(hosts), clock);
    });
  }

  @Override
  public ConnectionApi region(ApiToken token, String apiRoot, HostAllowlist.Source source, String connectionId) {
    return new ConnectApi(http(token), apiRoot, source, connectionId, Priority.BACKGROUND);
  }

  @Override
  public ConnectionFinder.Found find(ApiToken token, ConnectionFinder.Query query, Priority priority, boolean mayLink) {
    return new ConnectionFinder(http(token), discoveryUrl, priority).find(query, mayLink);
  }

  @Override
  public PlatformApi platform(ApiToken token) {
    return platform.forToken(token);
  }
}
