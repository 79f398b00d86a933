package dev.herokuconnect.operator.bench;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import dev.herokuconnect.operator.util.ScaledClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * `make bench`: the operator at scale, its steady-state API cost over a simulated day, a tight
 * budget, and restarts. Prints a table of figures with their targets; it measures, it does not
 * fail on a missed target (speed belongs here, not in timed unit tests).
 */
@Tag("bench")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorBenchmark {
  static final String TOKEN = "bench-token-0c1a";
  static final List<String[]> ROWS = new ArrayList<>();
  static final String[] OBJECTS = {"Account", "Contact", "Lead", "Opportunity", "Case", "Campaign", "CampaignMember", "User",
      "Task", "Event", "Product2", "Pricebook2", "PricebookEntry", "Order", "OrderItem", "Contract", "Asset", "Quote",
      "Invoice__c", "Shipment__c"};

  static void row(String section, String figure, String value, String target, boolean met) {
    ROWS.add(new String[] {section, figure, value, target, target.isEmpty() ? "" : met ? "met" : "MISSED"});
  }

  @AfterAll
  static void printTable() {
    int[] w = new int[5];
    List<String[]> all = new ArrayList<>();
    all.add(new String[] {"section", "figure", "value", "target", ""});
    all.addAll(ROWS);
    all.forEach(r -> { for (int i = 0; i < 5; i++) w[i] = Math.max(w[i], r[i].length()); });
    StringBuilder b = new StringBuilder("\n=== heroku-connect-operator benchmark ===\n");
    for (String[] r : all) {
      for (int i = 0; i < 5; i++) b.append(String.format("%-" + (w[i] + 2) + "s", r[i]));
      b.append('\n');
    }
    System.out.println(b);
    try {
      Files.writeString(Path.of("target/bench-results.txt"), b.toString());
    } catch (Exception ignored) {
      // printed above
    }
  }

  static String connectionYaml(String ns, String name, String app) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuConnection
        metadata: {name: %s, namespace: %s}
        spec:
          appName: %s
          credentials: {secretRef: {name: heroku-api}}
          database: {configVar: DATABASE_URL, schema: salesforce}
        """.formatted(name, ns, app);
  }

  static String mappingYaml(String ns, String conn, String object) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuMapping
        metadata: {name: %s-%s, namespace: %s}
        spec:
          connectionRef: {name: %s}
          objectName: %s
          fields: [Id, Name, SystemModstamp, IsDeleted]
          indexes: [{field: Id, unique: true}]
        """.formatted(conn, object.toLowerCase().replace("__c", "-c"), ns, conn, object);
  }

  /** Applies connections c-00.. with {@code perConnection} mappings each; returns their connection ids. */
  static List<String> world(Sandbox sb, int connections, int perConnection) {
    FakeConnectApi fake = sb.fake();
    fake.addToken(TOKEN, "bench@example.com");
    List<String> ids = new ArrayList<>();
    StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Secret\nmetadata: {name: heroku-api, namespace: bench}\nstringData: {token: "
        + TOKEN + "}\n");
    for (int c = 0; c < connections; c++) {
      String app = String.format("bench-app-%02d", c);
      ids.add(fake.addReadyConnection(app, "herokuconnect-" + c, "someone@example.com", "DATABASE_URL", "salesforce"));
      yaml.append("---\n").append(connectionYaml("bench", String.format("c-%02d", c), app));
      for (int m = 0; m < perConnection; m++) yaml.append("---\n").append(mappingYaml("bench", String.format("c-%02d", c), OBJECTS[m]));
    }
    sb.apply(new ByteArrayInputStream(yaml.toString().getBytes(StandardCharsets.UTF_8)));
    return ids;
  }

  static boolean allReady(Sandbox sb, int mappings) {
    List<HerokuMapping> items = sb.client().resources(HerokuMapping.class).inNamespace("bench").list().getItems();
    List<HerokuConnection> conns = sb.client().resources(HerokuConnection.class).inNamespace("bench").list().getItems();
    return items.size() == mappings && items.stream().allMatch(m -> Conditions.isTrue(m.getStatus(), Conditions.READY))
        && conns.stream().allMatch(c -> Conditions.isTrue(c.getStatus(), Conditions.READY));
  }

  /** A value from the chart's values.yaml (the first after {@code after}, when given), e.g. the memory limit. */
  static String chartValue(String key, String after) throws java.io.IOException {
    String values = Files.readString(Path.of("helm/heroku-connect-operator/values.yaml"));
    int from = after == null ? 0 : values.indexOf(after);
    int at = values.indexOf(key, from);
    String v = values.substring(at + key.length(), values.indexOf('\n', at)).strip();
    return v.endsWith("Mi") ? v.replace("Mi", "m") : v;
  }

  /** The most requests to {@code connectionId} in any 24 h window. */
  static int maxInAnyDay(List<RecordedRequest> log, String connectionId) {
    Deque<Instant> window = new ArrayDeque<>();
    int max = 0;
    for (RecordedRequest r : log) {
      if (!connectionId.equals(r.connectionId()) || r.status() == 429) continue;
      window.addLast(r.at());
      while (!window.peekFirst().isAfter(r.at().minus(Duration.ofDays(1)))) window.removeFirst();
      max = Math.max(max, window.size());
    }
    return max;
  }

  @Test
  @Order(1)
  void scale() throws Exception {
    int connections = 50;
    int perConnection = 20;
    try (Sandbox sb = new Sandbox()) {
      sb.fake().setLatency(Duration.ofMillis(20));
      sb.fake().setSyncTiming(Duration.ofMillis(500), Duration.ofSeconds(1));
      sb.ensureNamespace("bench");
      try (OperatorProcess op = OperatorProcess.launch(sb, Map.of())) {
        ProcessWatcher watcher = op.watcher();
        long start = System.nanoTime();
        world(sb, connections, perConnection);
        boolean ready = Sandbox.await(Duration.ofMinutes(5), () -> allReady(sb, connections * perConnection));
        double seconds = (System.nanoTime() - start) / 1e9;
        int requests = sb.fake().requests().size();
        row("scale 50x20, 20 ms", "seconds until 1,000 mappings Ready", ready ? String.format("%.1f", seconds) : "not Ready in 300 s", "<= 60", ready && seconds <= 60);
        row("scale 50x20, 20 ms", "requests sent", Integer.toString(requests), "", true);
        row("scale 50x20, 20 ms", "requests per mapping", String.format("%.2f", requests / 1000.0), "", true);
        long peak = watcher.peakRssKib();
        row("scale 50x20, 20 ms", "operator peak RSS (own JVM, chart's flags and limit)", (peak / 1024) + " MiB", "<= 256 MiB", peak > 0 && peak / 1024 <= 256);
        row("scale 50x20, 20 ms", "operator peak heap in use", watcher.peakHeapMib() + " MiB", "", true);
      }
    }
  }

  @Test
  @Order(2)
  void steadyStateDay() throws Exception {
    int connections = 5;
    int perConnection = 20;
    ScaledClock clock = new ScaledClock(Instant.parse("2026-01-01T00:00:00Z"), 1440); // a day in a minute
    try (Sandbox sb = new Sandbox(clock)) {
      sb.fake().setSyncTiming(Duration.ofSeconds(30), Duration.ofSeconds(60));
      sb.ensureNamespace("bench");
      OperatorConfig config = OperatorConfig.fromEnv(sb.connectEnv()).withoutEndpoints()
          .withTimeScale(clock.rate());
      sb.startOperator(config);
      List<String> ids = world(sb, connections, perConnection);
      Sandbox.await(Duration.ofMinutes(2), () -> allReady(sb, connections * perConnection));
      Instant from = clock.instant();
      // Write errors during the day: one more on one mapping of each connection every simulated 10 minutes.
      List<String> erring = ids.stream().map(id -> sb.fake().mappings(id).get(0).id()).toList();
      java.util.concurrent.ScheduledExecutorService errors = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      errors.scheduleAtFixedRate(() -> erring.forEach(m -> sb.fake().addWriteError(m, "FIELD_CUSTOM_VALIDATION_EXCEPTION: bench")),
          0, Duration.ofMinutes(10).toMillis() / 1440, TimeUnit.MILLISECONDS);
      // Notifications during the day: one more on each connection every simulated 3 hours (each becomes an Event at the next read).
      errors.scheduleAtFixedRate(() -> ids.forEach(id -> sb.fake().addNotification(id, "mapping-error", "bench: Account failed to sync")),
          0, Duration.ofHours(3).toMillis() / 1440, TimeUnit.MILLISECONDS);
      Sandbox.await(Duration.ofSeconds(62), () -> !clock.instant().isBefore(from.plus(Duration.ofDays(1))));
      errors.shutdownNow();
      Instant to = from.plus(Duration.ofDays(1));
      List<RecordedRequest> day = sb.fake().requests().stream().filter(r -> !r.at().isBefore(from) && r.at().isBefore(to)).toList();
      Map<String, Long> perConn = day.stream().filter(r -> r.connectionId() != null && !r.path().endsWith("/errors")
              && !r.path().endsWith("/notifications"))
          .collect(Collectors.groupingBy(RecordedRequest::connectionId, Collectors.counting()));
      long max = ids.stream().mapToLong(id -> perConn.getOrDefault(id, 0L)).max().orElse(0);
      double avg = ids.stream().mapToLong(id -> perConn.getOrDefault(id, 0L)).average().orElse(0);
      long naive = (perConnection + 1) * (Duration.ofDays(1).toSeconds() / config.refreshInterval().toSeconds());
      row("steady day, 5x20, 5 min", "requests per connection per day (max; write-error and notification reads below)", Long.toString(max), "<= 300", max <= 300);
      row("steady day, 5x20, 5 min", "requests per connection per day (avg)", String.format("%.0f", avg), "", true);
      row("steady day, 5x20, 5 min", "naive design (GET per mapping + connection per refresh, computed)", Long.toString(naive), "", true);
      long errorReads = day.stream().filter(r -> r.path().endsWith("/errors")).count();
      row("steady day, 5x20, 5 min", "write-error reads per connection per hour (1 mapping gains an error every 10 min)",
          String.format("%.1f", errorReads / 24.0 / connections), "<= 12 (one per refresh interval)", errorReads / 24.0 / connections <= 12);
      Map<String, Long> notices = day.stream().filter(r -> r.connectionId() != null && r.method().equals("GET") && r.path().endsWith("/notifications"))
          .collect(Collectors.groupingBy(RecordedRequest::connectionId, Collectors.counting()));
      long noticeMax = ids.stream().mapToLong(id -> notices.getOrDefault(id, 0L)).max().orElse(0);
      long perDay = Duration.ofDays(1).dividedBy(config.notificationsInterval());
      row("steady day, 5x20, 5 min", "notification reads per connection per day (max; HEROKU_CONNECT_NOTIFICATIONS_INTERVAL "
          + config.notificationsInterval().toHours() + "h, a new notification every 3 h)", Long.toString(noticeMax),
          "<= " + perDay + " (one per interval)", noticeMax <= perDay);
      row("steady day, 5x20, 5 min", "writes during the day", Long.toString(day.stream().filter(RecordedRequest::isWrite).count()), "0", day.stream().noneMatch(RecordedRequest::isWrite));
    }
  }

  @Test
  @Order(3)
  void tightBudget() throws Exception {
    tight(0);
  }

  @Test
  @Order(4)
  void tightBudgetWithRestarts() throws Exception {
    tight(5);
  }

  void tight(int restarts) throws Exception {
    String section = restarts == 0 ? "tight budget 200/day, 100 maps" : "tight budget + 5 restarts";
    ScaledClock clock = new ScaledClock(Instant.parse("2026-01-01T00:00:00Z"), 1440);
    try (Sandbox sb = new Sandbox(clock)) {
      sb.fake().setDailyLimit(200);
      sb.fake().setSyncTiming(Duration.ofSeconds(30), Duration.ofSeconds(60));
      sb.ensureNamespace("bench");
      OperatorConfig config = OperatorConfig.fromEnv(sb.connectEnv()).withoutEndpoints()
          .withTimeScale(clock.rate()).withDailyBudget(200);
      sb.startOperator(config);
      Instant start = clock.instant();
      FakeConnectApi fake = sb.fake();
      fake.addToken(TOKEN, "bench@example.com");
      String id = fake.addReadyConnection("tight-app", "herokuconnect-tight", "someone@example.com", "DATABASE_URL", "salesforce");
      StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Secret\nmetadata: {name: heroku-api, namespace: bench}\nstringData: {token: "
          + TOKEN + "}\n---\n" + connectionYaml("bench", "c-00", "tight-app"));
      for (int i = 0; i < 100; i++) {
        String object = i < OBJECTS.length ? OBJECTS[i] : String.format("Custom_%02d__c", i);
        yaml.append("---\n").append(mappingYaml("bench", "c-00", object));
      }
      sb.apply(new ByteArrayInputStream(yaml.toString().getBytes(StandardCharsets.UTF_8)));
      Duration realLimit = Duration.ofMinutes(4); // four simulated days
      long deadline = System.nanoTime() + realLimit.toNanos();
      Instant readyAt = null;
      int done = 0;
      while (System.nanoTime() < deadline) {
        if (restarts > 0 && done < restarts && clock.instant().isAfter(start.plus(Duration.ofHours(3L * (done + 1))))) {
          sb.stopOperator();
          sb.startOperator(config);
          done++;
        }
        if (readyAt == null && allReady(sb, 100)) readyAt = clock.instant();
        if (readyAt != null && done >= restarts && clock.instant().isAfter(start.plus(Duration.ofHours(30)))) break;
        Sandbox.await(Duration.ofMillis(200), () -> false); // sample the world five times a second
      }
      List<RecordedRequest> log = fake.requests();
      long throttled = log.stream().filter(r -> r.status() == 429).count();
      int max = maxInAnyDay(log, id);
      row(section, "429s received", Long.toString(throttled), "0", throttled == 0);
      row(section, "most requests in any 24 h window", Integer.toString(max), "<= 200", max <= 200);
      row(section, "simulated hours until all Ready", readyAt == null ? "not within 96 h"
          : String.format("%.1f", Duration.between(start, readyAt).toMinutes() / 60.0), "", readyAt != null);
      if (restarts > 0) row(section, "operator restarts", Integer.toString(done), "5", done == 5);
    }
  }

  /** The operator in its own JVM, as in its container: the runtime jar, the chart's JVM flags and memory limit. */
  record OperatorProcess(Process process, ProcessWatcher watcher) implements AutoCloseable {
    static OperatorProcess launch(Sandbox sb, Map<String, String> env) throws Exception {
      Path kubeconfig = Files.createTempFile("bench-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, """
          apiVersion: v1
          kind: Config
          clusters: [{name: mock, cluster: {server: "%s"}}]
          contexts: [{name: mock, context: {cluster: mock, user: me}}]
          users: [{name: me, user: {token: mock}}]
          current-context: mock
          """.formatted(sb.client().getMasterUrl()));
      List<String> cmd = new ArrayList<>(List.of("java", "-XX:MaxRAM=" + chartValue("memory: ", "limits")));
      cmd.addAll(List.of(chartValue("javaToolOptions: ", null).replace("\"", "").split(" ")));
      cmd.addAll(List.of("-jar", "target/heroku-connect-operator-runtime.jar", "run"));
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectErrorStream(true).redirectOutput(Path.of("target/bench-operator.log").toFile());
      int port;
      try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
        port = free.getLocalPort();
      }
      pb.environment().putAll(sb.connectEnv());
      pb.environment().putAll(Map.of("KUBECONFIG", kubeconfig.toString(),
          "HEROKU_CONNECT_SETTLING_INTERVAL", "2s", "METRICS_PORT", Integer.toString(port), "HEALTH_PORT", "-1", "LOG_LEVEL", "WARN"));
      pb.environment().putAll(env);
      Process p = pb.start();
      return new OperatorProcess(p, new ProcessWatcher(p.pid(), port));
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
      watcher.close();
    }
  }

  @Test
  @Order(5)
  void secretCache() throws Exception {
    long[] one = secretCacheRun(0);
    long[] many = secretCacheRun(5000);
    String section = "Secret cache, 1 conn x 5 maps";
    row(section, "peak RSS, 1 Secret in the cluster", one[0] + " MiB", "<= 256 MiB", one[0] > 0 && one[0] <= 256);
    row(section, "peak RSS, + 5,000 unrelated Secrets of 8 KiB", many[0] + " MiB", "<= 256 MiB, ~ the line above",
        many[0] > 0 && many[0] <= 256 && many[0] <= one[0] + 32);
    row(section, "peak heap in use, 1 Secret / + 5,000", one[1] + " / " + many[1] + " MiB", "", true);
  }

  /** Peak RSS and heap (MiB) of an operator that brings one connection with five mappings to Ready. */
  long[] secretCacheRun(int unrelatedSecrets) throws Exception {
    try (Sandbox sb = new Sandbox()) {
      sb.ensureNamespace("bench");
      String filler = "x".repeat(8 * 1024);
      long createStart = System.nanoTime();
      // Each create waits on a round trip to the mock API server; sixteen at a time keep it busy.
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
      List<java.util.concurrent.Future<?>> created = new ArrayList<>();
      for (int i = 0; i < unrelatedSecrets; i++) {
        String name = String.format("unrelated-%05d", i);
        created.add(pool.submit(() -> sb.client().secrets().inNamespace("bench").resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata().withName(name).withNamespace("bench").endMetadata()
            .addToStringData("blob", filler).build()).create()));
      }
      for (var f : created) f.get();
      pool.shutdown();
      if (unrelatedSecrets > 0) {
        System.out.printf("created %d Secrets of 8 KiB in %.1f s%n", unrelatedSecrets, (System.nanoTime() - createStart) / 1e9);
      }
      try (OperatorProcess op = OperatorProcess.launch(sb, Map.of())) {
        world(sb, 1, 5);
        boolean ready = Sandbox.await(Duration.ofMinutes(3), () -> allReady(sb, 5));
        Sandbox.await(Duration.ofSeconds(10), () -> false); // let it run a while at steady state before reading the peak
        if (!ready) return new long[] {-1, -1};
        return new long[] {op.watcher().peakRssKib() / 1024, op.watcher().peakHeapMib()};
      }
    }
  }
}
