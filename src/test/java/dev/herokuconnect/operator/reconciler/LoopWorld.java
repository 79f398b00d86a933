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
  /** The operator process: built anew by {@link #restart()}, as a new process starts (the cluster and the fake stay). */
  Connector connector;
  ManagedLoop loop;
  /** The process's intervals, as the loop uses them. */
  Intervals intervals;
  MappingKind mappings;
  ConnectionKind connections;
  ApiBudget budget;
  final OperatorConfig config;
  SnapshotCache snapshots;
  /** Every status-channel write, as the JSON merge patch of status it sends, with the object's key. */
  final List<Map.Entry<String, com.fasterxml.jackson.databind.node.ObjectNode>> channelPatches = new ArrayList<>();
  /** When positive, the process dies right after that many more status-channel writes have landed (see {@link #crashingPass}). */
  private int dieAfterChannelWrites;
  /** When set, every edit of a Secret (the credentials hold) fails with it, as the Kubernetes API would. */
  volatile RuntimeException secretEdits;
  private final AtomicLong versions = new AtomicLong(100);
  private final AtomicLong created = new AtomicLong();

  LoopWorld() throws Exception {
    this(settings -> settings, Map.of());
  }

  /** A world on the operator settings {@code settings} makes of the usual ones (a budget, other intervals); the wiring is the same. */
  LoopWorld(java.util.function.UnaryOperator<OperatorConfig> settings) throws Exception {
    this(settings, Map.of());
  }

  /** {@code env}: the operator's environment variables beyond the world's own (HEROKU_CONNECT_NOTIFICATIONS_INTERVAL, say). */
  LoopWorld(Map<String, String> env) throws Exception {
    this(settings -> settings, env);
  }

  private LoopWorld(java.util.function.UnaryOperator<OperatorConfig> settings, Map<String, String> env) throws Exception {
    fake = new FakeConnectApi(clock);
    fake.addToken(TOKEN, "ops@example.com");
    connectionId = fake.addReadyConnection("acme-crm", "herokuconnect-shiny-1", "ops@example.com", "DATABASE_URL", "salesforce");
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put(OperatorConfig.DISCOVERY_URL, fake.baseUrl());
    all.put(HostAllowlist.SETTING, fake.host());
    all.put(dev.herokuconnect.operator.platform.PlatformApi.URL_SETTING, fake.baseUrl()); // the fake also plays api.heroku.com
    OperatorConfig config = OperatorConfig.fromEnv(all).withIntervals(Duration.ofMinutes(10), Duration.ofSeconds(10), Duration.ofMinutes(5));
    this.config = settings.apply(config); // a case's own settings, if any (LoopWorld(settings))
    wire();
    put(new SecretBuilder().withNewMetadata().withName("heroku-api").withNamespace(NS).endMetadata()
        .withStringData(Map.of("token", TOKEN)).build());
    put(readyConnection());
  }

  /** The operator process's parts, wired as Controllers wires them; a restart builds them anew. */
  private void wire() {
    ApiBudget budget = new ApiBudget(config.dailyBudget(), clock);
    this.budget = budget; // for cases that spend from it, as another part of the process would
    Intervals intervals = new Intervals(config, budget.dailyBudget());
    this.intervals = intervals;
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
      channelPatches.add(Map.entry(o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(), status));
      if (dieAfterChannelWrites > 0 && --dieAfterChannelWrites == 0) throw new ProcessDied("after a status-channel write");
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
    directory.useConnections(() -> objects(HerokuConnection.class).stream());
    directory.useConnectionsSeenByMappings(() -> objects(HerokuConnection.class).stream());
    directory.useMappings(() -> objects(HerokuMapping.class).stream());
  }

  /** The operator process dies: what it held in memory is gone; a new one starts on what the cluster and the API keep. */
  void restart() {
    wire();
  }

  /** Thrown where a test kills the process. */
  static final class ProcessDied extends RuntimeException {
    ProcessDied(String where) {
      super("the operator process died " + where);
    }
  }

  /**
   * A pass of HerokuConnection {@code name} during which the process dies: after {@code channelWrites}
   * status-channel writes (0: not there), or when a request's answer is lost (arranged on the fake).
   * What survives is what a real death leaves: the status as last written before the pass, with the
   * channel's writes made during it merged in; then a new process starts.
   */
  void crashingPass(String name, int channelWrites) {
    HerokuConnection c = connection(name);
    var json = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
    com.fasterxml.jackson.databind.node.ObjectNode persisted = c.getStatus() == null // a new object has none yet
        ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
        : json.convertValue(c.getStatus(), com.fasterxml.jackson.databind.node.ObjectNode.class);
    int from = channelPatches.size();
    dieAfterChannelWrites = channelWrites;
    loop.reconcile(c, connections); // the pass ends where it dies (its status is never written)
    dieAfterChannelWrites = 0;
    String key = "HerokuConnection/" + NS + "/" + name;
    for (var p : channelPatches.subList(from, channelPatches.size())) {
      if (p.getKey().equals(key)) p.getValue().fields().forEachRemaining(f -> persisted.set(f.getKey(), f.getValue()));
    }
    c.setStatus(json.convertValue(persisted, HerokuConnectionStatus.class));
    restart();
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
    if (md.getUid() == null) md.setUid(old != null ? old.getMetadata().getUid() : "uid-" + key.replace('/', '-')); // one per kind, namespace and name
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
    if (control.isRemoveFinalizer()) cluster.remove(o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName());
    return control.isRemoveFinalizer();
  }

  long count(String method, String pathPart) {
    return fake.requests().stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
  }

  boolean hasEvent(String name, String reason) {
    return events.stream().anyMatch(e -> e.startsWith(name + " " + reason + ":") || e.startsWith(name + " !" + reason + ":"));
  }

  // ---- for the cases moved down from the sandbox: namespaces, Secrets, more add-ons, timers ----------

  /** The sandbox's quick intervals (refresh 30 s, settling 0.5 s, backoff cap 5 s), for cases that count requests over time. */
  static final java.util.function.UnaryOperator<OperatorConfig> SANDBOX_INTERVALS =
      c -> c.withIntervals(Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(5));

  HerokuConnection connection(String ns, String name) {
    return (HerokuConnection) cluster.get("HerokuConnection/" + ns + "/" + name);
  }

  HerokuConnection reconcileConnection(String ns, String name) {
    HerokuConnection c = connection(ns, name);
    loop.reconcile(c, connections);
    return c;
  }

  boolean deleteConnection(String ns, String name) {
    return cleanup(connection(ns, name), connections);
  }

  HerokuMapping mapping(String ns, String name) {
    return (HerokuMapping) cluster.get("HerokuMapping/" + ns + "/" + name);
  }

  HerokuMapping reconcile(String ns, String name) {
    HerokuMapping m = mapping(ns, name);
    loop.reconcile(m, mappings);
    return m;
  }

  /** kubectl apply of a HerokuMapping created now, not in the past: what a snapshot taken before it cannot show. */
  HerokuMapping applyNow(String name, String object, String extraSpec) {
    HerokuMapping m = Serialization.unmarshal(Manifests.mapping(name, object, extraSpec), HerokuMapping.class);
    m.getMetadata().setCreationTimestamp(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return put(m);
  }

  /** A token Secret {@code ns/name} (created, or replaced with its metadata kept, as kubectl apply does). */
  Secret putSecret(String ns, String name, String token) {
    Secret old = (Secret) cluster.get("Secret/" + ns + "/" + name);
    Secret s = new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withStringData(Map.of("token", token)).build();
    if (old != null) s.setMetadata(old.getMetadata());
    return put(s);
  }

  /** HerokuConnection {@code name} in crm for {@code app}, as a person applies it. */
  static String connectionNamed(String name, String app) {
    return Manifests.connection("").replace("name: sales", "name: " + name).replace("appName: acme-crm", "appName: " + app);
  }

  /** A HerokuMapping of {@code object} on HerokuConnection {@code connection}, in crm. */
  HerokuMapping applyOn(String name, String connection, String object, String extraSpec) {
    HerokuMapping m = Serialization.unmarshal(Manifests.mapping(name, object, extraSpec), HerokuMapping.class);
    m.getSpec().getConnectionRef().setName(connection);
    return put(m);
  }

  /** Sets annotations on an object in place (kubectl annotate: no new generation). */
  static void annotate(HasMetadata o, String... keysAndValues) {
    Map<String, String> a = new java.util.HashMap<>(o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations());
    for (int i = 0; i < keysAndValues.length; i += 2) a.put(keysAndValues[i], keysAndValues[i + 1]);
    o.getMetadata().setAnnotations(a);
  }

  private final AtomicLong refreshes = new AtomicLong();

  /** What the sandbox's reconcileMappingNow does: a refresh asked for by annotation, handled by one pass. */
  HerokuMapping refreshMapping(String name) {
    annotate(mapping(name), dev.herokuconnect.operator.crd.Crds.RECONCILE_REQUESTED_AT, "t" + refreshes.incrementAndGet());
    return reconcile(name);
  }

  /** The same for a connection. */
  HerokuConnection refreshConnection(String ns, String name) {
    annotate(connection(ns, name), dev.herokuconnect.operator.crd.Crds.RECONCILE_REQUESTED_AT, "t" + refreshes.incrementAndGet());
    return reconcileConnection(ns, name);
  }

  HerokuConnection refreshConnection(String name) {
    return refreshConnection(NS, name);
  }

  /** Passes of HerokuConnection {@code ns/name} as the SDK would requeue them, the clock moving 20 s between them, until {@code done} (at most ten). */
  HerokuConnection untilConnection(String ns, String name, java.util.function.Predicate<HerokuConnection> done) {
    for (int pass = 0; pass < 10; pass++) {
      HerokuConnection c = reconcileConnection(ns, name);
      if (done.test(c)) return c;
      clock.advance(Duration.ofSeconds(20));
    }
    throw new AssertionError(ns + "/" + name + " never got there: " + connection(ns, name).getStatus().getConditions());
  }

  /** The SDK's timers, and nothing else: see {@link Requeues}. */
  Requeues requeues() {
    return new Requeues();
  }

  /**
   * The SDK's timers and nothing else waking objects: each object's next pass runs when the delay its
   * last pass asked for ({@code rescheduleAfter}) is due, the clock jumping from one due time to the next.
   */
  final class Requeues {
    private record Due(Instant at, long order, String kind, String ns, String name) {}

    private final java.util.PriorityQueue<Due> due = new java.util.PriorityQueue<>(
        java.util.Comparator.comparing(Due::at).thenComparing(Due::order));
    private long order;
    int passes;

    /** One pass of HerokuConnection crm/{@code name} now; its next one when it asks. */
    Requeues connection(String name) {
      return connection(NS, name);
    }

    Requeues connection(String ns, String name) {
      pass(new Due(clock.instant(), order++, "HerokuConnection", ns, name));
      return this;
    }

    /** One pass of HerokuMapping crm/{@code name} now; its next one when it asks. */
    Requeues mapping(String name) {
      pass(new Due(clock.instant(), order++, "HerokuMapping", NS, name));
      return this;
    }

    /** Runs every pass due within {@code window} from now; the clock ends at its end. */
    Requeues runFor(Duration window) {
      Instant end = clock.instant().plus(window);
      while (!due.isEmpty() && !due.peek().at().isAfter(end)) {
        Due next = due.poll();
        if (next.at().isAfter(clock.instant())) clock.advance(Duration.between(clock.instant(), next.at()));
        pass(next);
      }
      if (clock.instant().isBefore(end)) clock.advance(Duration.between(clock.instant(), end));
      return this;
    }

    private void pass(Due d) {
      var control = d.kind().equals("HerokuConnection") ? loop.reconcile(LoopWorld.this.connection(d.ns(), d.name()), connections)
          : loop.reconcile(LoopWorld.this.mapping(d.ns(), d.name()), mappings);
      passes++;
      control.getScheduleDelay().ifPresent(ms -> due.add(new Due(clock.instant().plusMillis(ms), order++, d.kind(), d.ns(), d.name())));
    }
  }

  @Override
  public void close() {
    fake.close();
  }
}
