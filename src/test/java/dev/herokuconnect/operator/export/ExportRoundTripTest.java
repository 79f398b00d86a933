package dev.herokuconnect.operator.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herokuconnect.operator.cli.Cli;
import dev.herokuconnect.operator.cli.ExportCommand;
import dev.herokuconnect.operator.crd.CrdValidator;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export → apply → adopt, with zero writes to the API. */
class ExportRoundTripTest {
  static final String TOKEN = "export-token-2b7d";
  Sandbox sb;
  FakeConnectApi fake;
  String connectionId;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void world() throws Exception {
    sb = new Sandbox();
    fake = sb.fake();
    fake.addToken(TOKEN, "ops@example.com");
    connectionId = fake.addReadyConnection("acme-crm", "herokuconnect-prod-9", "someone-else@example.com", "HEROKU_POSTGRESQL_AQUA_URL", "sfdc");
    fake.dashboardCreate(connectionId, "Account", config("read_only", List.of("Id", "Name", "SystemModstamp", "IsDeleted"), true, 600));
    fake.dashboardCreate(connectionId, "Contact", config("read_write", List.of("Id", "Email", "External_Id__c", "SystemModstamp"), false, 300)
        .put("upsert_field", "External_Id__c"));
    fake.dashboardCreate(connectionId, "Custom_Object__c", config("read_only", List.of("Id", "Amount__c", "SystemModstamp"), false, 120)
        .put("sf_max_daily_api_calls", 30000));
    fake.dashboardCreate(connectionId, "Lead", config("read_only", List.of("Id", "Company", "SystemModstamp"), true, 3600));
    fake.dashboardCreate(connectionId, "Opportunity", config("read_only", List.of("Id", "Amount", "StageName", "SystemModstamp"), false, 600)
        .put("sf_sync_mode", "bulk")); // a key newer than this operator
  }

  @AfterEach
  void stop() {
    sb.close();
  }

  static ObjectNode config(String access, List<String> fields, boolean notify, int polling) {
    ObjectNode c = JsonNodeFactory.instance.objectNode().put("access", access).put("sf_notify_enabled", notify).put("sf_polling_seconds", polling);
    fields.forEach(f -> c.with("fields").putObject(f));
    c.with("indexes").putObject("Id").put("unique", true);
    c.with("indexes").putObject("SystemModstamp").put("unique", false);
    return c;
  }

  Run export(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> toFake = new java.util.HashMap<>(env);
    toFake.put("HEROKU_CONNECT_API_HOSTS", fake.host()); // the token goes to the fake only
    int code = ExportCommand.run(args, toFake, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Run exportOnline(String... extra) {
    List<String> args = new ArrayList<>(List.of("--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales",
        "--discovery-url", fake.baseUrl()));
    args.addAll(List.of(extra));
    return export(Map.of("HEROKU_API_KEY", TOKEN), args.toArray(String[]::new));
  }

  static List<JsonNode> docs(String yaml) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    var it = new ObjectMapper(new YAMLFactory()).readValues(new YAMLFactory().createParser(yaml), JsonNode.class);
    while (it.hasNext()) out.add(it.next());
    return out;
  }

  @Test
  void roundTripAdoptsEverythingWithZeroWrites() throws Exception {
    Run run = exportOnline();
    assertEquals(0, run.code(), run.err());
    System.out.println(run.out());
    List<JsonNode> docs = docs(run.out());
    assertEquals(6, docs.size());
    assertEquals(List.of("sales", "account", "contact", "custom-object-c", "lead", "opportunity"),
        docs.stream().map(d -> d.path("metadata").path("name").asText()).toList());
    CrdValidator connections = new CrdValidator(Path.of("crds/herokuconnections.herokuconnect.dev-v1.yml"));
    CrdValidator mappings = new CrdValidator(Path.of("crds/herokumappings.herokuconnect.dev-v1.yml"));
    for (JsonNode d : docs) {
      CrdValidator v = d.path("kind").asText().equals("HerokuConnection") ? connections : mappings;
      assertEquals(List.of(), v.validate(d, null), d.toString());
    }
    assertEquals(run.out(), exportOnline().out(), "stable output");

    fake.clearRequests();
    sb.startOperator(sb.config());
    sb.apply(new ByteArrayInputStream(("apiVersion: v1\nkind: Secret\nmetadata: {name: heroku-api, namespace: crm}\nstringData: {token: "
        + TOKEN + "}\n---\n" + run.out()).getBytes(StandardCharsets.UTF_8)));
    assertTrue(Sandbox.await(Duration.ofSeconds(30), this::allReady), () -> "everything Ready: " + summary());
    List<FakeConnectApi.RecordedRequest> writes = fake.requests().stream().filter(FakeConnectApi.RecordedRequest::isWrite).toList();
    assertEquals(List.of(), writes, "zero creates, edits, deletes or actions");
    for (HerokuMapping m : sb.client().resources(HerokuMapping.class).inNamespace("crm").list().getItems()) {
      String remoteId = fake.mappings(connectionId).stream().filter(r -> r.objectName().equals(m.getSpec().getObjectName())).findFirst().orElseThrow().id();
      assertEquals(remoteId, m.getStatus().getMappingId(), "adopted " + m.getSpec().getObjectName());
    }
    assertEquals(5, fake.mappings(connectionId).size());
  }

  @Test
  void observeExportShowsNoDrift() throws Exception {
    Run run = exportOnline("--observe");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("herokuconnect.dev/reconcile-policy: observe"));
    fake.clearRequests();
    sb.startOperator(sb.config());
    sb.apply(new ByteArrayInputStream(("apiVersion: v1\nkind: Secret\nmetadata: {name: heroku-api, namespace: crm}\nstringData: {token: "
        + TOKEN + "}\n---\n" + run.out()).getBytes(StandardCharsets.UTF_8)));
    assertTrue(Sandbox.await(Duration.ofSeconds(30), () -> {
      List<HerokuMapping> items = sb.client().resources(HerokuMapping.class).inNamespace("crm").list().getItems();
      return items.size() == 5 && items.stream().allMatch(m -> m.getStatus() != null && m.getStatus().getMappingId() != null
          && m.getStatus().getDrift().isEmpty() && Conditions.isTrue(m.getStatus(), Conditions.READY));
    }), "a faithful export has no drift");
    assertTrue(fake.requests().stream().noneMatch(FakeConnectApi.RecordedRequest::isWrite));
  }

  @Test
  void offlineFromAnExportFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("export.json");
    fake.addToken("file-maker", "someone-else@example.com");
    var exported = new dev.herokuconnect.operator.connect.ConnectApi(new dev.herokuconnect.operator.connect.ConnectHttp(
        new dev.herokuconnect.operator.connect.ApiToken("file-maker"), dev.herokuconnect.operator.connect.RequestGate.OPEN,
        dev.herokuconnect.operator.connect.ConnectHttp.Options.defaults()
            .withHosts(dev.herokuconnect.operator.connect.HostAllowlist.parse(fake.host())), java.time.Clock.systemUTC()),
        fake.apiRoot(), connectionId, dev.herokuconnect.operator.connect.RequestGate.Priority.USER).exportConfiguration(connectionId);
    Files.writeString(file, new ObjectMapper().writeValueAsString(exported));
    Run run = export(Map.of(), "--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales", "--from-file", file.toString());
    assertEquals(0, run.code(), run.err());
    List<JsonNode> offline = docs(run.out());
    List<JsonNode> online = docs(exportOnline().out());
    for (int i = 1; i < 6; i++) assertEquals(online.get(i), offline.get(i), "mapping " + i + " is the same either way");
    assertEquals("HEROKU_POSTGRESQL_AQUA_URL", offline.get(0).path("spec").path("database").path("configVar").asText());
    assertEquals("sfdc", offline.get(0).path("spec").path("database").path("schema").asText());
  }

  @Test
  void clearErrors(@TempDir Path dir) throws Exception {
    Run noToken = export(Map.of(), "--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales", "--discovery-url", fake.baseUrl());
    assertEquals(Cli.ERROR, noToken.code());
    assertTrue(noToken.err().contains("HEROKU_API_KEY"), noToken.err());

    Run unknownApp = export(Map.of("HEROKU_API_KEY", TOKEN), "--app", "no-such-app", "--namespace", "crm", "--connection-name", "sales",
        "--discovery-url", fake.baseUrl());
    assertEquals(1, unknownApp.code());
    assertTrue(unknownApp.err().contains("no-such-app"), unknownApp.err());

    fake.addConnection("acme-crm", "herokuconnect-stage-3");
    Run several = exportOnline();
    assertEquals(1, several.code());
    assertTrue(several.err().contains("herokuconnect-prod-9") && several.err().contains("herokuconnect-stage-3"), several.err());
    assertEquals(0, exportOnline("--resource-name", "herokuconnect-prod-9").code());

    Run unreadable = export(Map.of(), "--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales", "--from-file", dir.resolve("nope.json").toString());
    assertEquals(1, unreadable.code());
    assertTrue(unreadable.err().contains("cannot read"), unreadable.err());

    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"mappings\": [ {\"object_name\": ");
    Run malformed = export(Map.of(), "--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales", "--from-file", bad.toString());
    assertEquals(1, malformed.code());
    assertTrue(malformed.err().contains("not valid JSON"), malformed.err());

    Files.writeString(bad, "{\"something\": 1}");
    Run notExport = export(Map.of(), "--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales", "--from-file", bad.toString());
    assertTrue(notExport.err().contains("no \"mappings\" list"), notExport.err());

    Run missing = export(Map.of(), "--app", "acme-crm");
    assertEquals(Cli.USAGE, missing.code());
    assertTrue(missing.err().startsWith("export: Missing required options: '--namespace=NS', '--connection-name=NAME'\n"), missing.err());
    assertTrue(!noToken.err().contains(TOKEN) && !several.err().contains(TOKEN));
  }

  @Test
  void dnsNames() {
    assertEquals("custom-object-c", ManifestExporter.dnsName("Custom_Object__c"));
    assertEquals("ns-thing-c", ManifestExporter.dnsName("ns__Thing__c"));
    assertEquals("account", ManifestExporter.dnsName("Account"));
  }

  String summary() {
    StringBuilder b = new StringBuilder();
    HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("crm").withName("sales").get();
    b.append(c == null ? "no connection" : "sales " + c.getStatus().getState() + " " + c.getStatus().getConditions()).append('\n');
    sb.client().resources(HerokuMapping.class).inNamespace("crm").list().getItems().forEach(m -> b.append(m.getMetadata().getName())
        .append(' ').append(m.getStatus() == null ? "no status" : m.getStatus().getState() + " " + m.getStatus().getConditions()).append('\n'));
    fake.requests().forEach(r -> b.append(r).append('\n'));
    return b.toString();
  }

  boolean allReady() {
    HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("crm").withName("sales").get();
    List<HerokuMapping> items = sb.client().resources(HerokuMapping.class).inNamespace("crm").list().getItems();
    return c != null && Conditions.isTrue(c.getStatus(), Conditions.READY) && items.size() == 5
        && items.stream().allMatch(m -> Conditions.isTrue(m.getStatus(), Conditions.READY));
  }
}
