package dev.herokuconnect.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.testing.CountingServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plan against the fake Connect API over HTTP: each outcome, the exit codes, and not a single write. */
class PlanCommandTest {
  static final String TOKEN = "plan-token-5c1e-never-printed";
  static final String APP = "acme-crm";

  @TempDir Path dir;
  FakeConnectApi fake;
  String connectionId;
  String leadId;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void world() throws Exception {
    fake = new FakeConnectApi(Clock.systemUTC());
    fake.addToken(TOKEN, "ops@example.com");
    connectionId = fake.addReadyConnection(APP, "herokuconnect-prod-9", "ops@example.com", "DATABASE_URL", "salesforce");
    fake.dashboardCreate(connectionId, "Account", config("read_only", List.of("Id", "Name", "SystemModstamp"), 600));
    fake.dashboardCreate(connectionId, "Contact", config("read_only", List.of("Id", "Email", "SystemModstamp"), 300));
    leadId = fake.dashboardCreate(connectionId, "Lead", config("read_only", List.of("Id", "Company", "SystemModstamp"), 600));
    fake.clearRequests();
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  static ObjectNode config(String access, List<String> fields, int polling) {
    ObjectNode c = JsonNodeFactory.instance.objectNode().put("access", access).put("sf_notify_enabled", false)
        .put("sf_polling_seconds", polling);
    fields.forEach(f -> c.with("fields").putObject(f));
    c.with("indexes").putObject("Id").put("unique", true);
    return c;
  }

  // ---- manifests ------------------------------------------------------------------------

  static String connection(String name, String configVar, boolean paused) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuConnection
        metadata: {name: %s, namespace: crm}
        spec:
          appName: acme-crm
          credentials: {secretRef: {name: heroku-api}}
          database: {configVar: %s, schema: salesforce}
          paused: %s
        """.formatted(name, configVar, paused);
  }

  static String mapping(String name, String object, List<String> fields, int polling, String extra) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuMapping
        metadata: {name: %s, namespace: crm}
        spec:
          connectionRef: {name: sales}
          objectName: %s
          fields: [%s]
          indexes: [{field: Id, unique: true}]
          sfPollingSeconds: %d
        %s""".formatted(name, object, String.join(", ", fields), polling, extra);
  }

  static final String SECRET = """
      apiVersion: v1
      kind: Secret
      metadata: {name: heroku-api, namespace: crm}
      stringData: {token: not-read-by-plan}
      """;

  /** The Lead mapping as the cluster has it: owned (status.mappingId) and in step. */
  String ownedLead() {
    return mapping("lead", "Lead", List.of("Id", "Company", "SystemModstamp"), 600, """
        status:
          mappingId: %s
          objectName: Lead
          connectionName: sales
        """.formatted(leadId));
  }

  /** A GitOps directory: a connection with its Secret, and one mapping per outcome. */
  Path repo() throws Exception {
    Path repo = dir.resolve("repo");
    Files.createDirectories(repo.resolve("mappings"));
    Files.writeString(repo.resolve("connection.yaml"), SECRET + "---\n" + connection("sales", "DATABASE_URL", false));
    Files.writeString(repo.resolve("mappings/account.yaml"),
        mapping("account", "Account", List.of("Id", "Name", "SystemModstamp"), 600, ""));
    Files.writeString(repo.resolve("mappings/more.yml"),
        mapping("contact", "Contact", List.of("Id", "Email", "Phone", "SystemModstamp"), 600, "")
            + "---\n" + mapping("opportunity", "Opportunity", List.of("Id", "Amount", "SystemModstamp"), 600, "")
            + "---\n" + ownedLead());
    Files.writeString(repo.resolve("README.md"), "not a manifest");
    return repo;
  }

  Run plan(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = PlanCommand.run(args, toFake(env), new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    assertFalse(r.out().contains(TOKEN) || r.err().contains(TOKEN), "the token is never printed");
    return r;
  }

  /** {@code env} with the fake's host allowed, unless the test sets the list itself. */
  Map<String, String> toFake(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putIfAbsent("HEROKU_CONNECT_API_HOSTS", fake.host());
    return all;
  }

  Run plan(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--discovery-url", fake.baseUrl()));
    return plan(Map.of("HEROKU_API_KEY", TOKEN), all.toArray(String[]::new));
  }

  List<String> requests() {
    return fake.requests().stream().map(RecordedRequest::toString).toList();
  }

  List<String> expectedReads() {
    return List.of("GET /connections?app=" + APP + " -> 200", "GET /api/v3/connections/" + connectionId + "?deep=true -> 200");
  }

  // ---- outcomes -------------------------------------------------------------------------

  @Test
  void eachOutcomeIsPrintedAndNothingIsWritten() throws Exception {
    Run r = plan("-f", repo().toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.readString(Path.of("README.md")).contains("```text\n" + r.out() + "```\n"),
        "the README shows this run's output as it is:\n" + r.out());
    assertEquals("", r.err());
    String out = r.out();
    assertTrue(out.contains("HerokuConnection crm/sales: nothing\n    add-on herokuconnect-prod-9 " + connectionId + ", state IDLE\n"), out);
    assertTrue(out.contains("HerokuMapping crm/account (Account on sales): adopt\n"
        + "    the remote mapping " + fake.mappings(connectionId).get(0).id() + " of Account is taken over without a write;"
        + " deletionPolicy Delete: deleting the HerokuMapping then deletes it\n"), out);
    assertTrue(out.contains("HerokuMapping crm/contact (Contact on sales): update\n"
        + "  ~ fields: add Phone\n"
        + "  ~ sf_polling_seconds: remote 300, spec 600\n"), out);
    assertTrue(out.contains("HerokuMapping crm/opportunity (Opportunity on sales): create\n"
        + "  + POST /connections/{id}/mappings: Opportunity, read_only, 3 field(s): Id, Amount, SystemModstamp\n"), out);
    assertTrue(out.contains("HerokuMapping crm/lead (Lead on sales): nothing\n"), out);
    assertTrue(out.endsWith("Plan: 1 to create, 1 to update, 1 to adopt, 1 unchanged; 0 connections to update. Nothing was written.\n"), out);

    assertEquals(expectedReads(), requests(), "one search, one deep GET");
    assertTrue(fake.requests().stream().noneMatch(RecordedRequest::isWrite));
    assertEquals(3, fake.mappings(connectionId).size(), "nothing created");
    assertEquals(300, fake.mappings(connectionId).get(1).config().path("sf_polling_seconds").asInt(), "nothing edited");
  }

  /** Issue 18: a newer spec.salesforce.apiVersion is planned with the API's schema-diff, for one extra read, and blocked as the operator would. */
  @Test
  void anAddonToCreateIsAWriteAFoundAddonsOtherPlanANoteAndOnlyPlatformReadsAreSent() throws Exception {
    fake.platform().addApp("acme-new");
    Path file = dir.resolve("addon.yaml");
    Files.writeString(file, connection("sales", "DATABASE_URL", false).replace("appName: acme-crm", "appName: acme-new")
        + "  addon: {plan: herokuconnect:demo}\n---\n" + connection("crm-main", "DATABASE_URL", false)
        + "  addon: {plan: herokuconnect:enterprise}\n---\n" + mapping("account", "Account", List.of("Id", "Name"), 600, ""));
    Map<String, String> env = new HashMap<>(Map.of("HEROKU_API_KEY", TOKEN, "HEROKU_PLATFORM_API_URL", fake.baseUrl()));
    Run r = plan(env, "-f", file.toString(), "--discovery-url", fake.baseUrl(), "--exit-code");
    assertEquals(2, r.code(), r.out() + r.err());
    String out = r.out();
    assertTrue(out.contains("HerokuConnection crm/sales: create\n    add-on (none yet), state (no add-on)\n"
        + "  + add-on herokuconnect:demo on acme-new (named hc-crm-sales-"), out);
    assertTrue(out.contains("HerokuMapping crm/account (Account on sales): wait\n"), out);
    // crm-main found acme-crm's add-on (it did not create it): its plan is never changed, plan says so instead
    assertFalse(out.contains("~ add-on plan"), out);
    assertTrue(out.contains("not changed: spec.addon.plan is herokuconnect:enterprise but add-on "), out);
    assertTrue(out.contains("set spec.addon.plan to herokuconnect:demo, or change the plan yourself (heroku addons:upgrade "), out);
    assertTrue(out.contains(", 1 add-on to create. Nothing was written.\n"), out);
    assertTrue(fake.requests().stream().noneMatch(RecordedRequest::isWrite), "plan sends no write: " + requests());
    assertTrue(fake.requests().stream().anyMatch(q -> q.api().equals("platform")), "the add-ons were read: " + requests());
  }

  @Test
  void aSalesforceApiVersionChangeIsPlannedWithItsSchemaDiffForOneExtraRead() throws Exception {
    fake.setApiVersion(connectionId, "52.0");
    fake.declareFieldChange("Account", "Name", "62.0", FakeConnectApi.FieldChange.removed());
    fake.declareFieldChange("Contact", "Phone", "60.0", FakeConnectApi.FieldChange.lengthIncreased());
    Path repo = repo();
    Path conn = repo.resolve("connection.yaml");
    Files.writeString(conn, Files.readString(conn).replace("paused: false", "paused: false\n  salesforce: {apiVersion: '62.0'}"));
    fake.clearRequests();
    Run r = plan("-f", repo.toString(), "--exit-code");
    assertEquals(2, r.code(), r.out() + r.err());
    String out = r.out();
    System.out.println(out);
    assertTrue(out.contains("HerokuConnection crm/sales: update\n"), out);
    assertTrue(out.contains("  ~ salesforce api_version: remote 52.0, spec 62.0 (blocked: see below)\n"), out);
    assertTrue(out.contains("  ~   schema-diff Account (crm/account): unsafe, Fields removed from Salesforce: Name.\n"), out);
    assertTrue(out.contains("    the change of the Salesforce API version to 62.0 is blocked: the target version no longer has fields that "
        + "are mapped; the API refuses it while a mapping has unsafe changes. HerokuMapping crm/account: remove Name from spec.fields"), out);
    List<String> reads = new ArrayList<>(expectedReads());
    reads.add("GET /api/v3/connections/" + connectionId + "/schema-diff?target_version=62.0 -> 200");
    assertEquals(reads, requests(), "one extra read, only because the versions differ");
    assertTrue(fake.requests().stream().noneMatch(RecordedRequest::isWrite));

    fake.setApiVersion(connectionId, "62.0"); // the same version: no schema-diff
    fake.clearRequests();
    assertTrue(plan("-f", repo.toString()).out().contains("HerokuConnection crm/sales: nothing"));
    assertEquals(expectedReads(), requests());
  }

  @Test
  void exitCodeTwoOnlyWhenSomethingWouldChangeAndOnlyWhenAsked() throws Exception {
    Path repo = repo();
    assertEquals(2, plan("-f", repo.toString(), "--exit-code").code());
    assertEquals(0, plan("-f", repo.toString()).code(), "without --exit-code a plan is a success");

    Path inStep = dir.resolve("in-step.yaml");
    Files.writeString(inStep, connection("sales", "DATABASE_URL", false) + "---\n" + ownedLead()
        + "---\n" + mapping("account", "Account", List.of("Id", "Name", "SystemModstamp"), 600, ""));
    fake.clearRequests();
    Run r = plan("-f", inStep.toString(), "--exit-code");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("(Lead on sales): nothing") && r.out().contains("(Account on sales): adopt"), r.out());
    assertEquals(expectedReads(), requests());
  }

  @Test
  void yamlIsTheJsonDocumentAndOutputFileTakesAnyFormat() throws Exception {
    Run json = plan("-f", repo().toString(), "-o", "json");
    Run yaml = plan("-f", repo().toString(), "--output", "yaml");
    assertEquals(0, yaml.code(), yaml.err());
    assertTrue(yaml.out().startsWith("---\nconnections:\n"), yaml.out());
    ObjectMapper yamlReader = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    assertEquals(new ObjectMapper().readTree(json.out()), yamlReader.readTree(yaml.out()));
    Path file = dir.resolve("plan.txt");
    Run text = plan("-f", repo().toString(), "--output-file", file.toString(), "--exit-code");
    assertEquals(Cli.CHANGES, text.code(), text.err());
    assertEquals("", text.out());
    assertEquals(plan("-f", repo().toString()).out(), Files.readString(file));
  }

  @Test
  void jsonHasEveryPlanAndTheSummary() throws Exception {
    Run r = plan("-f", repo().toString(), "-o", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode plan = new ObjectMapper().readTree(r.out());
    Map<String, JsonNode> byName = new HashMap<>();
    plan.path("mappings").forEach(m -> byName.put(m.path("name").asText(), m));
    assertEquals("adopt", byName.get("account").path("action").asText());
    assertEquals("[\"adopt\"]", byName.get("account").path("steps").toString());
    assertEquals("update", byName.get("contact").path("action").asText());
    assertEquals("[\"adopt\",\"update\"]", byName.get("contact").path("steps").toString());
    assertEquals("[\"fields: add Phone\",\"sf_polling_seconds: remote 300, spec 600\"]", byName.get("contact").path("differences").toString());
    assertEquals("create", byName.get("opportunity").path("action").asText());
    assertTrue(byName.get("opportunity").path("remoteMappingId").isNull());
    assertEquals("nothing", byName.get("lead").path("action").asText());
    assertEquals(leadId, byName.get("lead").path("remoteMappingId").asText());
    assertTrue(byName.get("lead").path("source").asText().endsWith("more.yml: document 3"), byName.get("lead").toString());
    JsonNode sales = plan.path("connections").get(0);
    assertEquals(connectionId, sales.path("connectionId").asText());
    assertEquals("nothing", sales.path("action").asText());
    JsonNode summary = plan.path("summary");
    assertEquals(1, summary.path("create").asInt());
    assertEquals(1, summary.path("update").asInt());
    assertEquals(1, summary.path("adopt").asInt());
    assertEquals(1, summary.path("nothing").asInt());
    assertTrue(summary.path("changes").asBoolean());
    assertFalse(r.out().contains("not-read-by-plan"), "Secrets are skipped");
    assertEquals(expectedReads(), requests());
  }

  @Test
  void connectionChangesDatabaseAndPause() throws Exception {
    Path f = dir.resolve("sales.yaml");
    Files.writeString(f, connection("sales", "HEROKU_POSTGRESQL_AQUA_URL", true));
    Run r = plan("-f", f.toString(), "--exit-code");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("HerokuConnection crm/sales: update\n"
        + "    add-on herokuconnect-prod-9 " + connectionId + ", state IDLE\n"
        + "  ~ db_key: remote DATABASE_URL, spec HEROKU_POSTGRESQL_AQUA_URL (PATCH /connections/{id})\n"
        + "  ~ pause: spec.paused is true; sent once the connection is IDLE (it is IDLE)\n"), r.out());
    assertTrue(r.out().contains("1 connection to update"), r.out());
    assertEquals(expectedReads(), requests());
    assertEquals("IDLE", fake.connectionState(connectionId));
  }

  @Test
  void observeOnlyShowsDriftButChangesNothing() throws Exception {
    Path f = dir.resolve("observe.yaml");
    Files.writeString(f, connection("sales", "DATABASE_URL", false) + "---\n"
        + mapping("contact", "Contact", List.of("Id", "Email", "SystemModstamp"), 600, "")
            .replace("metadata: {name: contact, namespace: crm}",
                "metadata:\n  name: contact\n  namespace: crm\n  annotations: {herokuconnect.dev/reconcile-policy: observe}")
        + "---\n" + mapping("case", "Case", List.of("Id", "Subject", "SystemModstamp"), 600, "")
            .replace("metadata: {name: case, namespace: crm}",
                "metadata:\n  name: case\n  namespace: crm\n  annotations: {herokuconnect.dev/reconcile-policy: observe}"));
    Run r = plan("-f", f.toString(), "--exit-code");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("(Contact on sales): adopt\n"), r.out());
    assertTrue(r.out().contains("    observe-only, not corrected: sf_polling_seconds: remote 300, spec 600\n"), r.out());
    assertTrue(r.out().contains("(Case on sales): nothing\n    observe-only: no remote mapping of Case exists"), r.out());
    assertEquals(expectedReads(), requests());
  }

  @Test
  void exportThenPlanFromStdinAdoptsEverythingWithoutAChange() throws Exception {
    ByteArrayOutputStream exported = new ByteArrayOutputStream();
    int code = ExportCommand.run(new String[] {"--app", APP, "--namespace", "crm", "--connection-name", "sales",
        "--discovery-url", fake.baseUrl(), "-o", "json"}, toFake(Map.of("HEROKU_API_KEY", TOKEN)),
        new PrintStream(exported, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(0, code);
    fake.clearRequests();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int planned = PlanCommand.run(new String[] {"-f", "-", "--exit-code", "--discovery-url", fake.baseUrl()},
        toFake(Map.of("HEROKU_API_KEY", TOKEN)), new ByteArrayInputStream(exported.toByteArray()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, planned, text);
    assertTrue(text.contains("(Account on sales): adopt") && text.contains("(Contact on sales): adopt") && text.contains("(Lead on sales): adopt"), text);
    assertTrue(text.contains("HerokuConnection crm/sales: nothing"), text);
    assertFalse(text.contains("deletionPolicy Delete"), "export writes deletionPolicy Orphan: " + text);
    assertEquals(List.of("GET /api/v3/connections/" + connectionId + "?deep=true -> 200"), requests(),
        "export pins connectionId and apiUrl: no search");
  }

  @Test
  void aPinnedConnectionIsReadWithoutASearch() throws Exception {
    Path f = dir.resolve("pinned.yaml");
    Files.writeString(f, connection("sales", "DATABASE_URL", false).replace("  appName: acme-crm\n",
        "  appName: acme-crm\n  connectionId: " + connectionId + "\n  apiUrl: " + fake.apiRoot() + "\n"));
    Run r = plan("-f", f.toString(), "--exit-code");
    assertEquals(0, r.code(), r.out() + r.err());
    assertEquals(List.of("GET /api/v3/connections/" + connectionId + "?deep=true -> 200"), requests());
  }

  @Test
  void anApiUrlOutsideTheAllowedHostsIsOneLineAndNoRequest() throws Exception {
    try (CountingServer elsewhere = new CountingServer()) {
      for (String pin : List.of("  connectionId: " + connectionId + "\n", "")) { // pinned (no search at all) and not
        Path f = dir.resolve("elsewhere.yaml");
        Files.writeString(f, connection("sales", "DATABASE_URL", false).replace("  appName: acme-crm\n",
            "  appName: acme-crm\n" + pin + "  apiUrl: " + elsewhere.url("localhost") + "/api/v3\n"));
        Run r = plan("-f", f.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals("plan: HerokuConnection crm/sales (" + f + ": document 1): spec.apiUrl: host localhost is not in "
            + "HEROKU_CONNECT_API_HOSTS (" + fake.host() + "); the token is sent only to allowed hosts: fix spec.apiUrl or ask "
            + "the operator's admin to add the host\n", r.err());
        assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
        assertEquals(List.of(), requests());
      }
    }
  }

  @Test
  void aNewConnectionIsConfiguredFirstAndItsMappingsWait() throws Exception {
    String fresh = fake.addConnection("new-crm", "herokuconnect-new-1");
    fake.linkUser(fresh, "ops@example.com");
    Path f = dir.resolve("new.yaml");
    Files.writeString(f, connection("sales", "DATABASE_URL", false).replace("appName: acme-crm", "appName: new-crm") + "---\n"
        + mapping("account", "Account", List.of("Id", "SystemModstamp"), 600, ""));
    Run r = plan("-f", f.toString(), "--exit-code");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("HerokuConnection crm/sales: update\n    add-on herokuconnect-new-1 " + fresh + ", state NEW\n"
        + "  ~ db_key: remote (not set), spec DATABASE_URL (PATCH /connections/{id})\n"
        + "  ~ schema_name: remote (not set), spec salesforce (PATCH /connections/{id})\n"), r.out());
    assertTrue(r.out().contains("HerokuMapping crm/account (Account on sales): wait\n"
        + "  + POST /connections/{id}/mappings: Account, read_only, 2 field(s): Id, SystemModstamp\n"
        + "    the connection is NEW: mappings are created and edited once it is set up and authorized\n"), r.out());
    assertEquals(List.of("GET /connections?app=new-crm -> 200", "GET /api/v3/connections/" + fresh + "?deep=true -> 200"), requests());
  }

  // ---- errors ---------------------------------------------------------------------------

  @Test
  void aMissingTokenIsOneLineAndNoRequest() throws Exception {
    Run r = plan(Map.of(), "-f", repo().toString(), "--discovery-url", fake.baseUrl());
    assertEquals(1, r.code());
    assertEquals("plan: no Heroku API token: set HEROKU_API_KEY or pass --token-file FILE (plan only reads, "
        + "but the Connect API wants a token for that too)\n", r.err());
    assertEquals("", r.out());
    assertEquals(List.of(), requests());
  }

  @Test
  void aTokenFileWorksAndARefusedTokenSaysSo() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    Run ok = plan(Map.of(), "-f", repo().toString(), "--token-file", token.toString(), "--discovery-url", fake.baseUrl());
    assertEquals(0, ok.code(), ok.err());

    fake.revokeToken(TOKEN);
    fake.clearRequests();
    Run refused = plan("-f", repo().toString());
    assertEquals(1, refused.code());
    assertTrue(refused.err().startsWith("plan: HerokuConnection crm/sales (" + repo() + "/connection.yaml: document 2): "
        + "GET /connections?app: 401 the Heroku API token was refused"), refused.err());
    assertEquals(List.of("GET /connections?app=" + APP + " -> 401"), requests());
  }

  @Test
  void anUnknownConnectionRefNamesTheFileAndDocument() throws Exception {
    Path f = dir.resolve("typo.yaml");
    Files.writeString(f, connection("sales", "DATABASE_URL", false) + "---\n"
        + mapping("account", "Account", List.of("Id", "SystemModstamp"), 600, "").replace("{name: sales}", "{name: sale}"));
    Run r = plan("-f", f.toString());
    assertEquals(1, r.code());
    assertEquals("plan: " + f + ": document 2: HerokuMapping crm/account: spec.connectionRef.name 'sale' names no "
        + "HerokuConnection in namespace crm among the manifests given: fix the name, or add the HerokuConnection's manifest with -f\n",
        r.err());
    assertEquals(List.of(), requests(), "nothing is asked before the manifests are right");
  }

  @Test
  void badManifestsAreAllReportedWithFileAndDocument() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, connection("sales", "DATABASE_URL", false) + "---\n"
        + mapping("account", "Account", List.of("Id", "SystemModstamp"), 600, "  access: rw\n") + "---\n"
        + mapping("contact", "Contact", List.of("Id", "SystemModstamp"), 30, "  feilds: [Email]\n") + "---\n"
        + mapping("lead", "Lead", List.of("Id", "SystemModstamp"), 30, "").replace("[{field: Id, unique: true}]", "[{field: Company}]"));
    Run r = plan("-f", f.toString());
    assertEquals(1, r.code());
    assertEquals(List.of(
        "plan: " + f + ": document 2: HerokuMapping account: spec.access: 'rw' is not one of read_only, read_write",
        "plan: " + f + ": document 3: HerokuMapping contact: spec.feilds: unknown field (a typo?)",
        "plan: " + f + ": document 4: HerokuMapping lead: spec.indexes: Company must also be listed in spec.fields",
        "plan: " + f + ": document 4: HerokuMapping lead: spec.sfPollingSeconds is 30: it must be between 60 and 86400"),
        r.err().lines().toList());
    Files.writeString(f, connection("sales", "DATABASE_URL", false) + "---\nkind: [unclosed\n");
    Run yaml = plan("-f", f.toString());
    assertEquals(1, yaml.code());
    assertTrue(yaml.err().startsWith("plan: " + f + ": document 2: not valid YAML: "), yaml.err());
    assertEquals(List.of(), requests());
  }

  @Test
  void anAddOnNotVisibleIsNotLinkedAndSaysWhatToDo() throws Exception {
    fake.addConnection("other-app", "herokuconnect-other-1"); // exists, but the token's user was never linked
    Path f = dir.resolve("other.yaml");
    Files.writeString(f, connection("sales", "DATABASE_URL", false).replace("appName: acme-crm", "appName: other-app"));
    Run r = plan("-f", f.toString());
    assertEquals(1, r.code());
    assertEquals("plan: HerokuConnection crm/sales (" + f + ": document 1): app 'other-app' has no Heroku Connect add-on visible to "
        + "this token. plan sends no write, so it does not link the token's user to the app; do it once (heroku connect:info -a "
        + "other-app, or apply the HerokuConnection and let the operator do it), check the app name, and run plan again\n", r.err());
    assertEquals(List.of("GET /connections?app=other-app -> 200"), requests(), "a search, and no POST /auth/{app}");
  }

  @Test
  void anUnusableDiscoveryUrlIsOneLine() throws Exception {
    Run r = plan(Map.of("HEROKU_API_KEY", TOKEN), "-f", repo().toString(), "--discovery-url", "ftp://hc-central.example");
    assertEquals(1, r.code());
    assertEquals("plan: HerokuConnection crm/sales (" + repo() + "/connection.yaml: document 2): discovery URL "
        + "'ftp://hc-central.example' is not an http(s) URL\n", r.err());
    assertEquals(List.of(), requests());
  }

  @Test
  void usageErrorsAndHelp() {
    Run none = plan();
    assertEquals(Cli.USAGE, none.code());
    assertTrue(none.err().startsWith("plan: no manifests: give them with -f DIR|FILE|-\n\nUsage: heroku-connect-operator plan "),
        none.err());
    Run missing = plan("-f", dir.resolve("nope").toString());
    assertEquals(1, missing.code());
    assertEquals("plan: " + dir.resolve("nope") + ": no such file or directory\n", missing.err());
    Run help = plan(Map.of(), "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().startsWith("Usage: heroku-connect-operator plan [-hV] [--exit-code]"), help.out());
    assertTrue(help.out().contains("[-f=DIR|FILE|-]..."), help.out());
    assertTrue(help.out().contains("Exit codes:\n   0   success"), help.out());
    assertEquals(List.of(), requests());
  }
}
