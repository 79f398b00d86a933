package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.connect.ConnectHttp;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What both controllers share in one operator process. */
public final class Services {
  final OperatorConfig config;
  final Clock clock;
  final ApiBudget budget;
  final SnapshotCache snapshots;
  final ConnectionRegistry registry = new ConnectionRegistry();
  final Backoff backoff;
  EventRecorder events;
  private final Map<ApiToken, ConnectHttp> clients = new ConcurrentHashMap<>();

  public Services(OperatorConfig config, Clock clock, ApiBudget budget) {
    this.config = config;
    this.clock = clock;
    this.budget = budget;
    this.snapshots = new SnapshotCache(clock);
    this.backoff = new Backoff(config.settlingInterval(), config.maxBackoff());
  }

  public void useEvents(EventRecorder recorder) {
    this.events = recorder;
  }

  public ApiBudget budget() { return budget; }

  public SnapshotCache snapshots() { return snapshots; }

  /** One HTTP client per token (a rotated token gets a new one; the old is dropped). */
  ConnectHttp http(ApiToken token) {
    return clients.computeIfAbsent(token, t -> {
      if (clients.size() > 100) clients.clear();
      return new ConnectHttp(t, budget, ConnectHttp.Options.defaults().withMethodOverride(config.methodOverride()), clock);
    });
  }
}
