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
  SecretGuard secrets;
  private final Map<ApiToken, ConnectHttp> clients = new ConcurrentHashMap<>();
  private final Map<String, String> handled = new ConcurrentHashMap<>();

  public Services(OperatorConfig config, Clock clock, ApiBudget budget) {
    this.config = config;
    this.clock = clock;
    this.budget = budget;
    this.snapshots = new SnapshotCache(clock);
    this.backoff = new Backoff(config.settlingInterval(), config.maxBackoff());
  }

  /** Kubernetes-backed parts: Events, and the spend journal in the connections' status. */
  public void useKubernetes(io.fabric8.kubernetes.client.KubernetesClient client) {
    this.events = new EventRecorder(client, clock);
    this.secrets = new SecretGuard(client);
    budget.useJournal(new StatusSpendJournal(client, registry));
  }

  /**
   * The refresh interval of healthy objects, stretched when the configured one would spend
   * more than half the daily budget on refreshes alone (one deep GET per refresh).
   */
  java.time.Duration refreshInterval() {
    java.time.Duration floor = java.time.Duration.ofDays(1).dividedBy(Math.max(1, budget.dailyBudget() / 2));
    return config.refreshInterval().compareTo(floor) >= 0 ? config.refreshInterval() : floor;
  }

  /** A delay in the operator's time as the scheduler's (real) time; see OperatorConfig#timeScale. */
  java.time.Duration realDelay(java.time.Duration d) {
    return config.timeScale() == 1.0 ? d : java.time.Duration.ofNanos((long) (d.toNanos() / config.timeScale()));
  }

  public ApiBudget budget() { return budget; }

  public SnapshotCache snapshots() { return snapshots; }

  /**
   * True the first time this process sees {@code value} for an action of an object; the
   * status records the same, this guards against a reconcile that reads a stale status.
   */
  boolean firstTime(String uid, String action, String value) {
    return !value.equals(handled.put(uid + "/" + action, value));
  }

  /**
   * Sends a requested action (restart, reload, abort) at most once per requested value. When
   * the answer is lost or refused the action is not sent again (a reload twice empties a table
   * twice); a Warning event says so. Only a request that never left (budget, 429) is retried.
   */
  void actOnce(io.fabric8.kubernetes.api.model.HasMetadata o, String action, String value, Runnable send,
               String reason, String message) {
    String uid = o.getMetadata().getUid();
    if (!firstTime(uid, action, value)) return;
    try {
      send.run();
      events.normal(o, reason, message);
    } catch (dev.herokuconnect.operator.connect.ConnectApiException.RateLimited
             | dev.herokuconnect.operator.connect.ConnectApiException.Throttled notSent) {
      handled.remove(uid + "/" + action);
      throw notSent;
    } catch (dev.herokuconnect.operator.connect.ConnectApiException e) {
      events.warning(o, reason + "Uncertain", action + " was sent but the API's answer was lost or refused (" + e.getMessage()
          + "); it is not sent again: check the state, and set the annotation to a new value to ask again");
    }
  }

  /** One HTTP client per token (a rotated token gets a new one; the old is dropped). */
  ConnectHttp http(ApiToken token) {
    return clients.computeIfAbsent(token, t -> {
      if (clients.size() > 100) clients.clear();
      return new ConnectHttp(t, budget, ConnectHttp.Options.defaults().withMethodOverride(config.methodOverride()), clock);
    });
  }
}
