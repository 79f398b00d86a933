package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.connect.HostAllowlist;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.reconciler.connection.ConnectionKind;
import dev.herokuconnect.operator.reconciler.connection.CredentialsGuard;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import dev.herokuconnect.operator.reconciler.loop.StatusChannel;
import dev.herokuconnect.operator.reconciler.mapping.MappingKind;
import dev.herokuconnect.operator.testing.Manifests;
import dev.herokuconnect.operator.util.MutableClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The middle test layer: the managed loop and the HerokuMapping's sync, called synchronously the
 * way the SDK would, against the fake Connect API (over loopback HTTP: a real part, milliseconds
 * per request) and an in-memory cluster (objects in a map, Events and status-channel writes in
 * lists). No Kubernetes API, no informers, no threads, a clock the test moves: a case that needs
 * seconds in the sandbox takes milliseconds here. What needs a cluster (finalizers, watches,
 * conflicts, restarts) stays in the sandbox and the real-API-server tests.
 */
final class LoopWorld implements AutoCloseable {
  static final String NS = "crm";
  static final String TOKEN = "loop-token-3e9a-never-printed";

  final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z")).ticking(Duration.ofMillis(1));
  final FakeConnectApi fake;
  final String connectionId;
  final List<String> events = new ArrayList<>();
  final List<String> statusWrites = new ArrayList<>();
  final Map<String, HasMetadata> cluster = new LinkedHashMap<>();
  final Directory directory = new Directory();
  final OperatorConfig config;
  // What one operator process holds in memory: built again by restart(), as a new process would.
  Connector connector;
  ManagedLoop loop;
  MappingKind mappings;
  ConnectionKind connections;
  SnapshotCache snapshots;
  ApiBudget budget;
  /** When set, every edit of a Secret (the credentials hold) fails with it, as the Kubernetes API would. */
  volatile RuntimeException secretEdits;
  private final AtomicLong versions = new AtomicLong(100);
  private final AtomicLong created = new AtomicLong();

  LoopWorld() throws Exception {
    this(Map.of());
  }

  /** {@code env}: the operator's environment variables beyond the world's own (HEROKU_CONNECT_NOTIFICATIONS_INTERVAL, say). */
  LoopWorld(Map<String, String> env) throws Exception {
    fake = new FakeConnectApi(clock);
    fake.addToken(TOKEN, "ops@example.com");
    connectionId = fake.addReadyConnection("acme-crm", "herokuconnect-shiny-1", "ops@example.com", "DATABASE_URL", "salesforce");
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put(OperatorConfig.DISCOVERY_URL, fake.baseUrl());
    all.put(HostAllowlist.SETTING, fake.host());
    config = OperatorConfig.fromEnv(all).withIntervals(Duration.ofMinutes(10), Duration.ofSeconds(10), Duration.ofMinutes(5));
    start();
    directory.useConnections(() -> objects(HerokuConnection.class).stream());
    directory.useConnectionsSeenByMappings(() -> objects(HerokuConnection.class).stream());
    directory.useMappings(() -> objects(HerokuMapping.class).stream());
    put(new SecretBuilder().withNewMetadata().withName("heroku-api").withNamespace(NS).endMetadata()
        .withStringData(Map.of("token", TOKEN)).build());
    put(readyConnection());
  }

  /**
   * A new operator process on the same cluster and the same remote side: everything the process
   * held in memory (loop, kinds, clients, snapshots, budget) is built afresh; what is left is what
   * the cluster keeps (status, annotations).
   */
  void restart() {
    start();
  }

  private void start() {
    budget = new ApiBudget(config.dailyBudget(), clock);
    Intervals intervals = new Intervals(config, budget.dailyBudget());
    Events sink = new Events() {
      @Override public void normal(HasMetadata o, String reason, String message) { events.add(o.getMetadata().getName() + " " + reason + ": " + message); }
      @Override public void warning(HasMetadata o, String reason, String message) { events.add(o.getMetadata().getName() + " !" + reason + ": " + message); }
    };
    loop = new ManagedLoop(clock, intervals, sink);
    loop.useLiveObjects(directory::liveUids);
    connector = new Connector(Controllers.http(config, budget, clock), budget, intervals);
    snapshots = new SnapshotCache(clock, intervals.settling(), intervals.refresh());
    StatusChannel channel = (o, fields) -> {
      var status = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      fields.accept(status);
      statusWrites.add(o.getMetadata().getName() + " " + status);
    };
    Connector.Secrets secrets = (ns, name) -> Optional.ofNullable((Secret) cluster.get("Secret/" + ns + "/" + name));
    mappings = new MappingKind(directory, connector, secrets, snapshots, intervals, clock, new ActionLedger(channel));
    CredentialsGuard guard = new CredentialsGuard((ns, name, edit) -> {
      if (secretEdits != null) throw secretEdits; // what the Kubernetes API answers, when a test says so
      Secret secret = (Secret) cluster.get("Secret/" + ns + "/" + name);
      if (secret != null) edit.apply(secret); // a Secret that is gone needs nothing
    }, directory);
    connections = new ConnectionKind(directory, connector, snapshots, budget, guard, intervals, clock, new ActionLedger(channel));
    connections.useSecrets(secrets);
    connections.useMappingsOf(c -> objects(HerokuMapping.class).stream()
        .filter(m -> m.getMetadata().getNamespace().equals(c.getMetadata().getNamespace())
            && c.getMetadata().getName().equals(Binding.of(m).connectionName()))
        .map(m -> m.getMetadata().getName()).sorted().toList());
  }

  /** HerokuConnection crm/sales as the connection controller leaves it once the add-on is set up: Ready, IDLE. */
  HerokuConnection readyConnection() {
    HerokuConnection c = Serialization.unmarshal(Manifests.connection(""), HerokuConnection.class);
    HerokuConnectionStatus st = new HerokuConnectionStatus();
    st.setConnectionId(connectionId);
    st.setAppName("acme-crm");
    st.setApiUrl(fake.apiRoot());
    st.setState("IDLE");
    Conditions.apply(st, 1, Outcome.ready("the connection is IDLE", StateTable.Requeue.REFRESH), clock.instant());
    c.setStatus(st);
    return c;
  }

  <T extends HasMetadata> T put(T o) {
    var md = o.getMetadata();
    String key = o.getKind() + "/" + md.getNamespace() + "/" + md.getName();
    HasMetadata old = cluster.get(key);
    if (md.getUid() == null) md.setUid(old != null ? old.getMetadata().getUid() : "uid-" + md.getName());
    if (md.getCreationTimestamp() == null) {
      md.setCreationTimestamp(old != null ? old.getMetadata().getCreationTimestamp()
          : clock.instant().minusSeconds(3600).plusSeconds(created.incrementAndGet()).toString()); // in the past, in apply order
    }
    if (o instanceof io.fabric8.kubernetes.client.CustomResource<?, ?>) {
      md.setGeneration(old == null ? 1L : old.getMetadata().getGeneration() + (sameSpec(old, o) ? 0 : 1));
    }
    md.setResourceVersion(Long.toString(versions.incrementAndGet()));
    if (o instanceof HerokuMapping m && old instanceof HerokuMapping was && m.getStatus() == null) m.setStatus(was.getStatus());
    cluster.put(key, o);
    return o;
  }

  private static boolean sameSpec(HasMetadata a, HasMetadata b) {
    return Serialization.asJson(((io.fabric8.kubernetes.client.CustomResource<?, ?>) a).getSpec())
        .equals(Serialization.asJson(((io.fabric8.kubernetes.client.CustomResource<?, ?>) b).getSpec()));
  }

  /** kubectl apply of a HerokuMapping manifest (spec only; the status stays as the operator wrote it). */
  HerokuMapping apply(String name, String object, String extraSpec) {
    return put(Serialization.unmarshal(Manifests.mapping(name, object, extraSpec), HerokuMapping.class));
  }

  /** kubectl apply of a HerokuConnection manifest (spec and metadata; the status stays as the operator wrote it). */
  HerokuConnection applyConnection(String manifest) {
    HerokuConnection c = Serialization.unmarshal(manifest, HerokuConnection.class);
    HasMetadata old = cluster.get("HerokuConnection/" + c.getMetadata().getNamespace() + "/" + c.getMetadata().getName());
    if (old instanceof HerokuConnection was) c.setStatus(was.getStatus());
    return put(c);
  }

  HerokuConnection connection(String name) {
    return (HerokuConnection) cluster.get("HerokuConnection/" + NS + "/" + name);
  }

  HerokuConnection reconcileConnection(String name) {
    HerokuConnection c = connection(name);
    loop.reconcile(c, connections);
    return c;
  }

  boolean deleteConnection(String name) {
    return cleanup(connection(name), connections);
  }

  Secret secret(String name) {
    return (Secret) cluster.get("Secret/" + NS + "/" + name);
  }

  HerokuMapping mapping(String name) {
    return (HerokuMapping) cluster.get("HerokuMapping/" + NS + "/" + name);
  }

  <T> List<T> objects(Class<T> kind) {
    return cluster.values().stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  /** One reconcile of a mapping, as the SDK runs it; the status it leaves is the stored one. */
  HerokuMapping reconcile(String name) {
    HerokuMapping m = mapping(name);
    loop.reconcile(m, mappings);
    return m;
  }

  /** One cleanup of a mapping being deleted; when it is done the object is gone, as after the finalizer's removal. */
  boolean delete(String name) {
    return cleanup(mapping(name), mappings);
  }

  /** Reconciles a mapping until it is Ready, the clock moving past the fake's sync phases; the passes it took. */
  int untilReady(String name) {
    for (int pass = 1; pass <= 10; pass++) {
      if (Conditions.isTrue(reconcile(name).getStatus(), Conditions.READY)) return pass;
      clock.advance(Duration.ofSeconds(30));
    }
    throw new AssertionError(name + " never Ready: " + mapping(name).getStatus().getConditions());
  }

  private <R extends io.fabric8.kubernetes.client.CustomResource<?, S>, S extends dev.herokuconnect.operator.crd.ConditionedStatus>
      boolean cleanup(R o, dev.herokuconnect.operator.reconciler.loop.Kind<R, S, ?, ?> sync) {
    o.getMetadata().setDeletionTimestamp(clock.instant().toString());
    DeleteControl control = loop.cleanup(o, sync);
    if (control.isRemoveFinalizer()) cluster.remove(o.getKind() + "/" + NS + "/" + o.getMetadata().getName());
    return control.isRemoveFinalizer();
  }

  long count(String method, String pathPart) {
    return fake.requests().stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
  }

  boolean hasEvent(String name, String reason) {
    return events.stream().anyMatch(e -> e.startsWith(name + " " + reason + ":") || e.startsWith(name + " !" + reason + ":"));
  }

  @Override
  public void close() {
    fake.close();
  }
}
