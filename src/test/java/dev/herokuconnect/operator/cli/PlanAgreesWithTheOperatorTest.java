package dev.herokuconnect.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plan promises to say what the operator would do. Each row is one world (the fake Connect API
 * and the manifests): plan runs first (read-only), then the operator runs on the same world, and
 * the writes plan predicted must be exactly the writes the operator sent, by object and step.
 */
class PlanAgreesWithTheOperatorTest {
  static final String TOKEN = "agree-token-2b7d-never-printed";
  static final String APP = "acme-crm";
  @TempDir Path dir;

  record Row(String reason, BiConsumer<FakeConnectApi, String> world, String manifests) {}

  static String connection(String extra) {
    return PlanCommandTest.SECRET.replace("not-read-by-plan", TOKEN) + "---\n" + PlanCommandTest.connection("sales", "DATABASE_URL", false)
        + extra;
  }

  static String mapping(String name, String object, int polling, String extra) {
    return "---\n" + PlanCommandTest.mapping(name, object, List.of("Id", "Name", "SystemModstamp"), polling, extra);
  }

  static final List<Row> ROWS = List.of(
      new Row("nothing remote: create", (f, id) -> {}, connection("") + mapping("account", "Account", 600, "")),
      new Row("the same remote mapping: adopt, no write",
          (f, id) -> f.dashboardCreate(id, "Account", PlanCommandTest.config("read_only", List.of("Id", "Name", "SystemModstamp"), 600)),
          connection("") + mapping("account", "Account", 600, "")),
      new Row("a different polling interval: update",
          (f, id) -> f.dashboardCreate(id, "Account", PlanCommandTest.config("read_only", List.of("Id", "Name", "SystemModstamp"), 300)),
          connection("") + mapping("account", "Account", 600, "")),
      new Row("another database config var: configure the connection",
          (f, id) -> {}, connection("").replace("configVar: DATABASE_URL", "configVar: HEROKU_POSTGRESQL_RED_URL")),
      new Row("paused in the spec, IDLE remotely: pause", (f, id) -> {}, connection("").replace("paused: false", "paused: true")),
      new Row("another config var and paused: configure, then pause (the decisions' own 'after the writes')",
          (f, id) -> {}, connection("").replace("configVar: DATABASE_URL", "configVar: HEROKU_POSTGRESQL_RED_URL")
              .replace("paused: false", "paused: true")),
      new Row("a restart asked for by annotation: restart",
          (f, id) -> {}, connection("").replace("metadata: {name: sales, namespace: crm}",
              "metadata: {name: sales, namespace: crm, annotations: {herokuconnect.dev/restart-requested-at: '2026-12-02T01:00:00Z'}}")),
      new Row("a reload asked for on an existing mapping: adopt, reload",
          (f, id) -> f.dashboardCreate(id, "Account", PlanCommandTest.config("read_only", List.of("Id", "Name", "SystemModstamp"), 600)),
          connection("") + mapping("account", "Account", 600, "").replace("metadata: {name: account, namespace: crm}",
              "metadata: {name: account, namespace: crm, annotations: {herokuconnect.dev/reload-requested-at: '2026-12-02T01:00:00Z'}}")),
      new Row("a newer Salesforce API version: pause, change, resume",
          (f, id) -> f.setApiVersion(id, "52.0"), connection("").replace("paused: false", "paused: false\n  salesforce: {apiVersion: '62.0'}")
              + mapping("account", "Account", 600, "")),
      new Row("a newer Salesforce API version dropping a mapped field: blocked, nothing sent",
          (f, id) -> {
            f.setApiVersion(id, "52.0");
            f.dashboardCreate(id, "Account", PlanCommandTest.config("read_only", List.of("Id", "Name", "SystemModstamp"), 600));
            f.declareFieldChange("Account", "Name", "62.0", FakeConnectApi.FieldChange.removed());
          }, connection("").replace("paused: false", "paused: false\n  salesforce: {apiVersion: '62.0'}")
              + mapping("account", "Account", 600, "")),
      new Row("spec.addon on an app without the add-on: + add-on, then the new connection's setup",
          (f, id) -> f.platform().addApp("acme-new"),
          connection("").replace("appName: acme-crm", "appName: acme-new") + "  addon: {plan: herokuconnect:demo}\n"),
      new Row("spec.addon with another plan than the add-on found (not created by it): nothing, the operator never changes it",
          (f, id) -> {}, connection("") + "  addon: {plan: herokuconnect:enterprise}\n"),
      new Row("spec.addon, observe-only, on an app without the add-on: nothing",
          (f, id) -> f.platform().addApp("acme-new"),
          connection("").replace("appName: acme-crm", "appName: acme-new").replace("metadata: {name: sales, namespace: crm}",
              "metadata: {name: sales, namespace: crm, annotations: {herokuconnect.dev/reconcile-policy: observe}}")
              + "  addon: {plan: herokuconnect:demo}\n"),
      new Row("observe-only with drift: nothing",
          (f, id) -> f.dashboardCreate(id, "Account", PlanCommandTest.config("read_only", List.of("Id", "Name", "SystemModstamp"), 300)),
          connection("").replace("metadata: {name: sales, namespace: crm}",
              "metadata: {name: sales, namespace: crm, annotations: {herokuconnect.dev/reconcile-policy: observe}}")
              + mapping("account", "Account", 600, "")));

  @Test
  void planPredictsExactlyTheWritesTheOperatorSends() throws Exception {
    for (Row row : ROWS) {
      try (Sandbox sb = new Sandbox()) {
        FakeConnectApi fake = sb.fake();
        fake.addToken(TOKEN, "ops@example.com");
        String id = fake.addReadyConnection(APP, "herokuconnect-prod-9", "ops@example.com", "DATABASE_URL", "salesforce");
        row.world().accept(fake, id);
        Path file = dir.resolve(row.reason().replaceAll("\\W+", "-") + ".yaml");
        Files.writeString(file, row.manifests());
        TreeSet<String> predicted = predicted(sb, file);
        fake.clearRequests();
        sb.apply(new ByteArrayInputStream(row.manifests().getBytes(StandardCharsets.UTF_8)));
        sb.startOperator(sb.config());
        assertTrue(Sandbox.await(Duration.ofSeconds(30), () -> settled(sb)), row.reason() + ": the operator settles");
        TreeSet<String> sent = sent(fake, id);
        System.out.printf("%s: plan %s, operator %s%n", row.reason(), predicted, sent);
        assertEquals(predicted, sent, row.reason());
      }
    }
  }

  /** plan's writes, as "kind/name step". */
  TreeSet<String> predicted(Sandbox sb, Path file) throws Exception {
    Map<String, String> env = new HashMap<>(sb.connectEnv());
    env.put("HEROKU_API_KEY", TOKEN);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = PlanCommand.run(new String[] {"-f", file.toString(), "-o", "json", "--discovery-url", sb.fake().baseUrl()}, env,
        new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    JsonNode plan = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    TreeSet<String> writes = new TreeSet<>();
    for (JsonNode c : plan.path("connections")) {
      c.path("steps").forEach(s -> writes.add("connection/" + c.path("name").asText() + " " + s.asText()));
    }
    for (JsonNode m : plan.path("mappings")) {
      String action = m.path("action").asText();
      if (List.of("create", "update").contains(action)) writes.add("mapping/" + m.path("objectName").asText() + " " + action);
      m.path("steps").forEach(s -> { // the requested actions plan says it sends
        if (List.of("reload", "abort").contains(s.asText())) writes.add("mapping/" + m.path("objectName").asText() + " " + s.asText());
      });
    }
    return writes;
  }

  /** The operator's writes, read back from the fake's request log as "kind/name step". */
  static TreeSet<String> sent(FakeConnectApi fake, String connectionId) {
    Map<String, String> objectById = new HashMap<>();
    fake.mappings(connectionId).forEach(m -> objectById.put(m.id(), m.objectName()));
    TreeSet<String> writes = new TreeSet<>();
    for (RecordedRequest r : fake.requests()) {
      // linking the user and asking for an authorization URL change nothing plan shows as a write (it notes them)
      if (!r.isWrite() || r.status() >= 300 || r.path().startsWith("/auth/") || r.path().endsWith("/authorize_url")) continue;
      String p = r.path();
      if (r.api().equals("platform")) { // spec.addon's add-on
        writes.add("connection/sales " + (r.method().equals("POST") ? "create_addon" : r.method().equals("PATCH") ? "change_addon_plan"
            : "unexpected " + r));
      } else if (r.method().equals("PATCH") && p.matches(".*/connections/[^/]+") && !p.endsWith("/connections/" + connectionId)) {
        writes.add("connection/sales configure_database"); // the add-on spec.addon created: a new connection id
      } else if (r.method().equals("POST") && p.endsWith("/connections/" + connectionId + "/mappings")) {
        writes.add("mapping/" + body(r).path("object_name").asText() + " create");
      } else if (r.method().equals("PUT") && p.contains("/mappings/")) {
        writes.add("mapping/" + objectById.get(p.substring(p.lastIndexOf('/') + 1)) + " update");
      } else if (r.method().equals("PATCH") && p.endsWith("/connections/" + connectionId)) {
        writes.add("connection/sales configure_database");
      } else if (r.method().equals("POST") && p.matches(".*/mappings/[^/]+/actions/[a-z]+")) {
        String mappingId = p.replaceAll(".*/mappings/([^/]+)/actions/.*", "$1");
        writes.add("mapping/" + objectById.get(mappingId) + " " + p.substring(p.lastIndexOf('/') + 1));
      } else if (p.contains("/connections/" + connectionId + "/actions/")) {
        writes.add("connection/sales " + p.substring(p.lastIndexOf('/') + 1));
      } else {
        writes.add("unexpected " + r);
      }
    }
    return writes;
  }

  static JsonNode body(RecordedRequest r) {
    try {
      return new ObjectMapper().readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every object has a status for its current generation and none is still working on it. */
  static boolean settled(Sandbox sb) {
    var all = new java.util.ArrayList<io.fabric8.kubernetes.api.model.HasMetadata>();
    all.addAll(sb.client().resources(HerokuConnection.class).inNamespace("crm").list().getItems());
    all.addAll(sb.client().resources(HerokuMapping.class).inNamespace("crm").list().getItems());
    return !all.isEmpty() && all.stream().allMatch(o -> {
      var status = o instanceof HerokuConnection c ? c.getStatus() : ((HerokuMapping) o).getStatus();
      if (status == null || !o.getMetadata().getGeneration().equals(status.getObservedGeneration())) return false;
      return Conditions.isTrue(status, Conditions.READY) || Conditions.find(status, Conditions.RECONCILING)
          .map(x -> "Observing".equals(x.getReason()) && "True".equals(x.getStatus())).orElse(false)
          || Conditions.find(status, Conditions.READY).map(x -> "Paused".equals(x.getReason())).orElse(false)
          || Conditions.isTrueWith(status, Conditions.STALLED, "ApiVersionChangeBlocked") // as far as it goes without a person
          || Conditions.isTrueWith(status, Conditions.STALLED, "NeedsSalesforceAuthorization"); // a new add-on, set up
    });
  }
}
