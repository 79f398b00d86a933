package dev.herokuconnect.operator.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * {@code demo}: the operator doing its main job with no cluster and no Heroku account, from an app
 * without the Heroku Connect add-on (the Connect API tutorial's steps 2 to 8). It applies
 * examples/ (whose HerokuConnection has spec.addon) to an in-process Kubernetes API, lets the
 * operator create the add-on through the fake Platform API and drive the fake Connect API, opens
 * the Salesforce authorization URL when the operator asks for it, prints the objects as they
 * converge, and at the end the request log of both APIs.
 */
final class DemoCommand {
  static final String TOKEN = "demo-token-not-a-real-secret";
  static final String APP = "acme-crm";
  static final String NAMESPACE = "crm";
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  private DemoCommand() {}

  static int run(String[] args) throws Exception {
    // options are parsed and documented by Main.Demo, which the runtime jar keeps
    quietOperatorLogs();
    long started = System.nanoTime();
    try (Sandbox sb = new Sandbox()) {
      FakeConnectApi fake = sb.fake();
      fake.addToken(TOKEN, "demo@example.com");
      fake.platform().addApp(APP); // the app exists; its Heroku Connect add-on does not (spec.addon creates it)
      fake.setSyncTiming(Duration.ofSeconds(1), Duration.ofSeconds(2));
      OperatorConfig config = sb.config().withIntervals(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(5));
      System.out.println("Fake Heroku Platform API and Connect API on " + fake.baseUrl() + " with app '" + APP
          + "' and no Heroku Connect add-on yet");
      System.out.println("In-process Kubernetes API on " + sb.client().getMasterUrl());
      sb.startOperator(config);
      for (ExampleFile f : examples(args)) {
        try (InputStream in = f.open()) {
          sb.apply(in).forEach(o -> System.out.println("applied " + o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()));
        }
      }
      System.out.println();
      boolean ready = watch(sb);
      double seconds = (System.nanoTime() - started) / 1e9;
      summary(sb, ready, seconds);
      if (List.of(args).contains("--status")) printStatuses(sb);
      int delete = List.of(args).indexOf("--delete");
      if (ready && delete >= 0 && delete + 1 < args.length) return deleteAll(sb, args[delete + 1]) ? 0 : 1;
      return ready ? 0 : 1;
    }
  }

  private static boolean watch(Sandbox sb) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String lastTable = "";
    Set<String> seenEvents = new HashSet<>();
    boolean authorized = false;
    while (System.nanoTime() < deadline) {
      printEvents(sb, seenEvents);
      HerokuConnection conn = sb.client().resources(HerokuConnection.class).inNamespace(NAMESPACE).withName("sales").get();
      if (!authorized && conn != null && conn.getStatus() != null && conn.getStatus().getAuthorizationUrl() != null) {
        String url = conn.getStatus().getAuthorizationUrl();
        System.out.println("\n>> The operator asks for Salesforce authorization (status.authorizationUrl).");
        System.out.println(">> Opening " + url + " as a Salesforce user would...");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString());
        System.out.println(">> " + r.statusCode() + " " + r.body() + "\n");
        authorized = true;
      }
      String table = table(sb);
      if (!table.equals(lastTable)) {
        System.out.println(table);
        lastTable = table;
      }
      if (allReady(sb)) return true;
      Thread.sleep(300); // screen refresh, not synchronisation: allReady() decides
    }
    return false;
  }

  static boolean allReady(Sandbox sb) {
    List<HerokuConnection> conns = sb.client().resources(HerokuConnection.class).inNamespace(NAMESPACE).list().getItems();
    List<HerokuMapping> maps = sb.client().resources(HerokuMapping.class).inNamespace(NAMESPACE).list().getItems();
    return !conns.isEmpty() && !maps.isEmpty()
        && conns.stream().allMatch(c -> Conditions.isTrue(c.getStatus(), Conditions.READY))
        && maps.stream().allMatch(m -> Conditions.isTrue(m.getStatus(), Conditions.READY));
  }

  /** Like {@code kubectl get herokuconnect -n crm}. */
  static String table(Sandbox sb) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"KIND", "NAME", "OBJECT", "STATE", "READY", "REASON"});
    for (HerokuConnection c : sorted(sb.client().resources(HerokuConnection.class).inNamespace(NAMESPACE).list().getItems())) {
      rows.add(row("HerokuConnection", c.getMetadata().getName(), "-", c.getStatus() == null ? null : c.getStatus().getState(),
          c.getStatus() == null ? null : Conditions.find(c.getStatus(), Conditions.READY).orElse(null)));
    }
    for (HerokuMapping m : sorted(sb.client().resources(HerokuMapping.class).inNamespace(NAMESPACE).list().getItems())) {
      rows.add(row("HerokuMapping", m.getMetadata().getName(), m.getSpec().getObjectName(),
          m.getStatus() == null ? null : m.getStatus().getState(),
          m.getStatus() == null ? null : Conditions.find(m.getStatus(), Conditions.READY).orElse(null)));
    }
    int[] width = new int[6];
    rows.forEach(r -> { for (int i = 0; i < 6; i++) width[i] = Math.max(width[i], r[i].length()); });
    return rows.stream().map(r -> {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 6; i++) b.append(String.format("%-" + (width[i] + 2) + "s", r[i]));
      return b.toString().stripTrailing();
    }).collect(Collectors.joining("\n")) + "\n";
  }

  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> List<T> sorted(List<T> items) {
    return items.stream().sorted(java.util.Comparator.comparing(o -> o.getMetadata().getName())).toList();
  }

  private static String[] row(String kind, String name, String object, String state, Condition ready) {
    return new String[] {kind, name, object, state == null ? "<pending>" : state,
        ready == null ? "Unknown" : ready.getStatus(), ready == null ? "" : ready.getReason() + " " + ready.getMessage() + " @" + ready.getLastTransitionTime()};
  }

  private static void printEvents(Sandbox sb, Set<String> seen) {
    printEvents(sb, seen, e -> true);
  }

  private static void printEvents(Sandbox sb, Set<String> seen, java.util.function.Predicate<Event> which) {
    List<Event> events = new ArrayList<>(sb.client().v1().events().inNamespace(NAMESPACE).list().getItems());
    events.removeIf(which.negate());
    events.sort((a, b) -> String.valueOf(a.getMetadata().getCreationTimestamp()).compareTo(String.valueOf(b.getMetadata().getCreationTimestamp())));
    for (Event e : events) {
      if (seen.add(e.getMetadata().getName())) {
        System.out.println("  event " + e.getType() + " " + e.getReason() + " " + e.getInvolvedObject().getKind() + "/"
            + e.getInvolvedObject().getName() + ": " + e.getMessage());
      }
    }
  }

  private static void summary(Sandbox sb, boolean ready, double seconds) {
    List<FakeConnectApi.RecordedRequest> requests = sb.fake().requests().stream()
        .filter(r -> !r.path().startsWith("/oauth/")).toList(); // that one was the "person", not the operator
    System.out.println(ready
        ? String.format("All objects Ready in %.1f s.", seconds)
        : String.format("Not all objects were Ready after %.0f s; see the table above.", seconds));
    System.out.println("\nRequest log, both APIs, in order:");
    long start = requests.isEmpty() ? 0 : requests.get(0).at().toEpochMilli();
    for (FakeConnectApi.RecordedRequest r : requests) {
      System.out.printf("  %+7.1f s  %-8s %s%n", (r.at().toEpochMilli() - start) / 1000.0, r.api(), r);
    }
    List<FakeConnectApi.RecordedRequest> platform = requests.stream().filter(r -> r.api().equals("platform")).toList();
    List<FakeConnectApi.RecordedRequest> connect = requests.stream().filter(r -> !r.api().equals("platform")).toList();
    System.out.println("\nHeroku Platform API requests: " + platform.size() + " (of the account's "
        + dev.herokuconnect.operator.platform.PlatformBudget.HOURLY_LIMIT + " per hour)");
    byEndpoint(platform).forEach((k, v) -> System.out.printf("  %4d  %s%n", v, k));
    System.out.println("Heroku Connect API requests: " + connect.size() + " (of a daily budget of "
        + sb.operator().budget().dailyBudget() + " per connection)");
    byEndpoint(connect).forEach((k, v) -> System.out.printf("  %4d  %s%n", v, k));
  }

  private static Map<String, Long> byEndpoint(List<FakeConnectApi.RecordedRequest> requests) {
    Map<String, Long> byEndpoint = new TreeMap<>();
    for (FakeConnectApi.RecordedRequest r : requests) {
      String path = r.path().replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{id}")
          .replaceAll("/addons/[^/]+$", "/addons/{id}");
      byEndpoint.merge(r.method() + " " + path + (r.query() != null && r.query().contains("deep") ? "?deep=true" : ""), 1L, Long::sum);
    }
    return byEndpoint;
  }

  /**
   * Deletes the HerokuMappings and the HerokuConnection, spec.addon.deletionPolicy set to
   * {@code policy} first, and prints what the deletion sent to either API.
   */
  private static boolean deleteAll(Sandbox sb, String policy) throws Exception {
    int from = sb.fake().requests().size();
    sb.client().resources(HerokuConnection.class).inNamespace(NAMESPACE).withName("sales").edit(c -> {
      c.getSpec().getAddon().setDeletionPolicy(dev.herokuconnect.operator.crd.AddonSpec.DeletionPolicy.valueOf(policy));
      return c;
    });
    System.out.println("\nDeleting the HerokuMappings and the HerokuConnection (spec.addon.deletionPolicy: " + policy + ")...");
    sb.client().resources(HerokuMapping.class).inNamespace(NAMESPACE).delete();
    sb.client().resources(HerokuConnection.class).inNamespace(NAMESPACE).delete();
    Set<String> seen = new HashSet<>();
    boolean gone = Sandbox.await(DEADLINE, () -> sb.client().resources(HerokuConnection.class).inNamespace(NAMESPACE).list()
        .getItems().isEmpty() && sb.client().resources(HerokuMapping.class).inNamespace(NAMESPACE).list().getItems().isEmpty());
    printEvents(sb, seen, e -> List.of("AddonDeleted", "AddonOrphaned", "AddonKept", "Deleted", "DeleteFailed").contains(e.getReason()));
    List<FakeConnectApi.RecordedRequest> sent = sb.fake().requests().subList(from, sb.fake().requests().size());
    System.out.println(gone ? "All deleted. The deletion sent:" : "Not all deleted after " + DEADLINE.toSeconds() + " s. Sent so far:");
    sent.stream().filter(FakeConnectApi.RecordedRequest::isWrite).forEach(r -> System.out.printf("  %-8s %s%n", r.api(), r));
    System.out.println("and " + sent.stream().filter(r -> !r.isWrite()).count() + " reads.");
    return gone;
  }

  private static void printStatuses(Sandbox sb) {
    var yaml = sb.client().getKubernetesSerialization();
    List<io.fabric8.kubernetes.api.model.HasMetadata> all = new ArrayList<>();
    all.addAll(sorted(sb.client().resources(HerokuConnection.class).inNamespace(NAMESPACE).list().getItems()));
    all.addAll(sorted(sb.client().resources(HerokuMapping.class).inNamespace(NAMESPACE).list().getItems()));
    for (var o : all) {
      Object status = o instanceof HerokuConnection c ? c.getStatus() : ((HerokuMapping) o).getStatus();
      System.out.println("\n# " + o.getKind() + " " + NAMESPACE + "/" + o.getMetadata().getName() + " status");
      System.out.print(yaml.asYaml(status).replaceFirst("^---\n", ""));
    }
  }

  /** examples/ next to the working directory, else the copy inside the jar. */
  interface ExampleFile {
    InputStream open() throws IOException;
  }

  private static List<ExampleFile> examples(String[] args) throws Exception {
    int at = List.of(args).indexOf("--examples");
    Path dir = Path.of(at >= 0 && at + 1 < args.length ? args[at + 1] : "examples");
    if (Files.isDirectory(dir)) return yamlFiles(dir);
    URL url = DemoCommand.class.getClassLoader().getResource("examples");
    if (url == null) throw new IOException("no examples/ directory here and none in the jar");
    if (url.getProtocol().equals("jar")) {
      FileSystem fs = FileSystems.newFileSystem(url.toURI(), Map.of());
      return yamlFiles(fs.getPath("/examples"));
    }
    return yamlFiles(Path.of(url.toURI()));
  }

  private static List<ExampleFile> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted()
          .map(p -> (ExampleFile) () -> Files.newInputStream(p)).toList();
    }
  }

  private static void quietOperatorLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger("dev.herokuconnect").setLevel(Level.WARN);
      ctx.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARN);
    }
  }
}
