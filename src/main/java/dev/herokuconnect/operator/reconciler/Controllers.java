package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.platform.PlatformApis;
import dev.herokuconnect.operator.platform.PlatformBudget;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.HttpClients;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.reconciler.connection.ConnectionReconciler;
import dev.herokuconnect.operator.reconciler.connection.ConnectionKind;
import dev.herokuconnect.operator.reconciler.connection.CredentialsGuard;
import dev.herokuconnect.operator.reconciler.connection.StatusSpendJournal;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.EventRecorder;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.StatusChannel;
import dev.herokuconnect.operator.reconciler.mapping.MappingReconciler;
import dev.herokuconnect.operator.reconciler.mapping.MappingKind;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Builds both controllers and what they share, each collaborator passed to the classes that use
 * it: the directory of cluster objects, the connector, the snapshot cache, the loop, the
 * action ledger, the credentials guard and the spend journal.
 */
public final class Controllers {
  private final ConnectionReconciler connections;
  private final MappingReconciler mappings;
  private final SnapshotCache snapshots;
  private final Directory directory;
  private final ApiBudget budget;
  private final EventRecorder events;
  private final ManagedLoop loop;
  private final Connector connector;
  private final ConnectionKind connectionSync;
  private final MappingKind mappingSync;

  public Controllers(KubernetesClient client, OperatorConfig config, Clock clock, ApiBudget budget, Connector.Clients clients) {
    Intervals intervals = new Intervals(config, budget.dailyBudget());
    this.directory = new Directory();
    this.budget = budget;
    EventRecorder events = new EventRecorder(client, clock);
    this.events = events;
    ManagedLoop loop = new ManagedLoop(clock, intervals, events);
    loop.useLiveObjects(directory::liveUids);
    this.loop = loop;
    Connector connector = new Connector(clients, budget, intervals);
    this.connector = connector;
    this.snapshots = new SnapshotCache(clock, intervals.settling(), intervals.refresh());
    StatusChannel statusChannel = StatusChannel.of(client);
    ActionLedger actions = new ActionLedger(statusChannel);
    this.connectionSync = new ConnectionKind(directory, connector, snapshots, budget,
        CredentialsGuard.on(client, directory), intervals, clock, actions);
    Connector.Secrets secretsByGet = (ns, name) -> Optional.ofNullable(client.secrets().inNamespace(ns).withName(name).get());
    this.mappingSync = new MappingKind(directory, connector, secretsByGet, snapshots, intervals, clock, actions);
    this.connections = new ConnectionReconciler(loop, connectionSync, directory, secretsByGet);
    this.mappings = new MappingReconciler(loop, mappingSync, directory);
    snapshots.onChange(mappings::wake);
    budget.onThrottled(connections::wake);
    budget.useJournal(new StatusSpendJournal(statusChannel, directory));
  }

  /** The HTTP clients for the configured discovery URL, sending the token only to the configured hosts. */
  public static Connector.Clients http(OperatorConfig config, ApiBudget budget, Clock clock) {
    return http(config, budget, new PlatformBudget(clock), clock);
  }

  /** The same, the Platform API paid from {@code platform} (the process's one Platform budget, seen by the metrics). */
  public static Connector.Clients http(OperatorConfig config, ApiBudget budget, PlatformBudget platform, Clock clock) {
    return new HttpClients(budget, config.discoveryUrl(), config.apiHosts(), config.methodOverride(), clock,
        new PlatformApis(config.platformApiUrl(), config.apiHosts(), platform, clock));
  }

  public ConnectionReconciler connections() { return connections; }

  public MappingReconciler mappings() { return mappings; }

  public SnapshotCache snapshots() { return snapshots; }

  /** The HerokuConnections and HerokuMappings in the informer caches (empty until the controllers start). */
  public Directory directory() { return directory; }

  /**
   * Entries this process holds per in-memory map (name → count), for tests and the benchmark:
   * what is kept per connection or per object must go when the object does (README, "Memory").
   */
  public Map<String, Integer> held() {
    Map<String, Integer> out = new java.util.TreeMap<>(snapshots.held());
    out.put("connector clients", connector.held());
    out.put("authorization-url memos", connectionSync.held());
    out.putAll(loop.held());
    out.put("finished objects (directory)", directory.goneHeld());
    out.put("write-error reads", mappingSync.held());
    out.put("recent events", events.held());
    out.put("budget accounts", budget.accountsHeld());
    return out;
  }
}
