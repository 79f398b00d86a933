package dev.herokuconnect.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Good and bad objects against the generated CRDs, as kubectl apply would see them. */
class CrdSchemaTest {
  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
  static CrdValidator connections;
  static CrdValidator mappings;

  @BeforeAll
  static void load() throws IOException {
    connections = new CrdValidator(GENERATED.resolve("herokuconnections.herokuconnect.dev-v1.yml"));
    mappings = new CrdValidator(GENERATED.resolve("herokumappings.herokuconnect.dev-v1.yml"));
  }

  static final String CONNECTION = """
      apiVersion: herokuconnect.dev/v1alpha1
      kind: HerokuConnection
      metadata: {name: sales, namespace: crm}
      spec:
        appName: acme-crm
        credentials: {secretRef: {name: heroku-api}}
        database: {configVar: DATABASE_URL, schema: salesforce}
        salesforce: {environment: production}
      """;
  static final String MAPPING = """
      apiVersion: herokuconnect.dev/v1alpha1
      kind: HerokuMapping
      metadata: {name: account, namespace: crm}
      spec:
        connectionRef: {name: sales}
        objectName: Account
        access: read_only
        fields: [Id, Name, SystemModstamp]
        indexes: [{field: Id, unique: true}]
        sfPollingSeconds: 600
      """;

  /** A status as the operator writes it: the kstatus trio, shaped like metav1.Condition. */
  static final String STATUS = """
      observedGeneration: 2
      state: DATA_SYNCED
      conditions:
        - {type: Ready, status: "True", reason: Synced, message: "in sync", observedGeneration: 2, lastTransitionTime: "2026-11-22T10:00:00Z"}
        - {type: Reconciling, status: "False", reason: Synced, message: "", observedGeneration: 2, lastTransitionTime: "2026-11-22T10:00:00Z"}
        - {type: Stalled, status: "False", reason: Synced, message: "", observedGeneration: 2, lastTransitionTime: "2026-11-22T09:00:00Z"}
      """;

  /** MAPPING with STATUS, changed by {@code change} (which gets status.conditions). */
  static JsonNode withConditions(Consumer<com.fasterxml.jackson.databind.node.ArrayNode> change) {
    ObjectNode n = (ObjectNode) yaml(MAPPING);
    ObjectNode status = (ObjectNode) yaml(STATUS);
    n.set("status", status);
    change.accept((com.fasterxml.jackson.databind.node.ArrayNode) status.path("conditions"));
    return n;
  }

  static JsonNode yaml(String text) {
    try {
      return CrdValidator.YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static JsonNode edit(String base, Consumer<ObjectNode> change) {
    JsonNode n = yaml(base);
    change.accept((ObjectNode) n.path("spec"));
    return n;
  }

  @Test
  void examplesAreAccepted() throws IOException {
    int checked = 0;
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (String doc : Files.readString(f).split("(?m)^---$")) {
          JsonNode o = yaml(doc);
          if (o == null || o.isMissingNode() || o.isNull()) continue;
          String kind = o.path("kind").asText();
          CrdValidator v = kind.equals("HerokuConnection") ? connections : kind.equals("HerokuMapping") ? mappings : null;
          if (v == null) continue;
          assertEquals(List.of(), v.validate(o, null), f + " " + o.path("metadata").path("name").asText());
          checked++;
        }
      }
    }
    assertTrue(checked >= 4, "examples checked: " + checked);
    assertEquals(List.of(), connections.validate(yaml(CONNECTION), null));
    assertEquals(List.of(), mappings.validate(yaml(MAPPING), null));
    assertEquals(List.of(), mappings.validate(yaml(MAPPING), yaml(MAPPING)), "an update that keeps immutable fields");
    assertEquals(List.of(), mappings.validate(withConditions(c -> {}), null), "a status as the operator writes it");
    JsonNode connection = yaml(CONNECTION);
    ((ObjectNode) connection).set("status", yaml(STATUS));
    assertEquals(List.of(), connections.validate(connection, null), "a connection's status as the operator writes it");
  }

  static Stream<Arguments> badObjects() {
    List<Arguments> cases = new ArrayList<>();
    cases.add(Arguments.of("connection without appName", edit(CONNECTION, s -> s.remove("appName")), null, "appName"));
    cases.add(Arguments.of("app name with capitals", edit(CONNECTION, s -> s.put("appName", "Acme_CRM")), null, "appName"));
    cases.add(Arguments.of("connection without credentials", edit(CONNECTION, s -> s.remove("credentials")), null, "credentials"));
    cases.add(Arguments.of("secretRef without name", edit(CONNECTION, s -> s.with("credentials").with("secretRef").remove("name")), null, "name"));
    cases.add(Arguments.of("lower-case config var", edit(CONNECTION, s -> s.with("database").put("configVar", "database_url")), null, "configVar"));
    cases.add(Arguments.of("schema with a dash", edit(CONNECTION, s -> s.with("database").put("schema", "sales-force")), null, "schema"));
    cases.add(Arguments.of("unknown environment", edit(CONNECTION, s -> s.with("salesforce").put("environment", "staging")), null, "enum"));
    cases.add(Arguments.of("custom environment without domain", edit(CONNECTION, s -> s.with("salesforce").put("environment", "custom")), null,
        "salesforce.domain is required when salesforce.environment is custom"));
    cases.add(Arguments.of("connectionId not a UUID", edit(CONNECTION, s -> s.put("connectionId", "1234")), null, "connectionId"));
    cases.add(Arguments.of("apiUrl not ending in /api/v3", edit(CONNECTION, s -> s.put("apiUrl", "https://connect-oregon.heroku.com/api/v2")), null, "apiUrl"));
    cases.add(Arguments.of("paused as a string", edit(CONNECTION, s -> s.put("paused", "yes")), null, "boolean"));
    cases.add(Arguments.of("api version not N.0", edit(CONNECTION, s -> s.with("salesforce").put("apiVersion", "v52")), null, "apiVersion"));

    cases.add(Arguments.of("mapping without objectName", edit(MAPPING, s -> s.remove("objectName")), null, "objectName"));
    cases.add(Arguments.of("object name with a space", edit(MAPPING, s -> s.put("objectName", "Account Name")), null, "objectName"));
    cases.add(Arguments.of("unknown access", edit(MAPPING, s -> s.put("access", "read_sideways")), null, "enum"));
    cases.add(Arguments.of("no fields", edit(MAPPING, s -> s.putArray("fields")), null, "fields"));
    cases.add(Arguments.of("a field twice", edit(MAPPING, s -> s.withArray("fields").add("Name")), null, "Duplicate value: \"Name\""));
    cases.add(Arguments.of("a bad field name", edit(MAPPING, s -> s.withArray("fields").add("Bad Field!")), null, "fields[3]"));
    cases.add(Arguments.of("two indexes on one field", edit(MAPPING, s -> s.withArray("indexes").addObject().put("field", "Id")), null, "Duplicate value"));
    cases.add(Arguments.of("index on an unmapped field", edit(MAPPING, s -> s.withArray("indexes").addObject().put("field", "Email")), null,
        "every indexes[].field must also be listed in fields"));
    cases.add(Arguments.of("polling too often", edit(MAPPING, s -> s.put("sfPollingSeconds", 10)), null, "sfPollingSeconds"));
    cases.add(Arguments.of("max daily calls zero", edit(MAPPING, s -> s.put("sfMaxDailyApiCalls", 0)), null, "sfMaxDailyApiCalls"));
    cases.add(Arguments.of("unknown deletion policy", edit(MAPPING, s -> s.put("deletionPolicy", "Remove")), null, "enum"));
    cases.add(Arguments.of("upsert field not mapped", edit(MAPPING, s -> s.put("upsertField", "External_Id__c")), null,
        "upsertField must also be listed in fields"));
    cases.add(Arguments.of("connectionRef changed", edit(MAPPING, s -> s.with("connectionRef").put("name", "other")), yaml(MAPPING),
        "connectionRef is immutable"));
    cases.add(Arguments.of("objectName changed", edit(MAPPING, s -> s.put("objectName", "Contact")), yaml(MAPPING),
        "objectName is immutable"));
    cases.add(Arguments.of("connectionRef with a namespace-like name", edit(MAPPING, s -> s.with("connectionRef").put("name", "other/sales")), null,
        "name"));

    // status.conditions is a metav1.Condition list: keyed by type, five required fields, status an enum.
    cases.add(Arguments.of("condition without type", withConditions(c -> ((ObjectNode) c.get(0)).remove("type")), null,
        "conditions[0]: required property 'type' not found"));
    cases.add(Arguments.of("condition status Maybe", withConditions(c -> ((ObjectNode) c.get(1)).put("status", "Maybe")), null,
        "conditions[1].status: does not have a value in the enumeration"));
    cases.add(Arguments.of("a condition type twice", withConditions(c -> ((ObjectNode) c.get(2)).put("type", "Ready")), null,
        "status.conditions[2]: Duplicate value: \"Ready\"/"));
    cases.add(Arguments.of("condition without lastTransitionTime", withConditions(c -> ((ObjectNode) c.get(0)).remove("lastTransitionTime")), null,
        "conditions[0]: required property 'lastTransitionTime' not found"));
    cases.add(Arguments.of("condition without message", withConditions(c -> ((ObjectNode) c.get(1)).remove("message")), null,
        "conditions[1]: required property 'message' not found"));
    cases.add(Arguments.of("condition reason not CamelCase", withConditions(c -> ((ObjectNode) c.get(0)).put("reason", "in sync")), null,
        "conditions[0].reason: does not match the regex pattern"));
    cases.add(Arguments.of("condition with an empty reason", withConditions(c -> ((ObjectNode) c.get(0)).put("reason", "")), null,
        "conditions[0].reason"));
    cases.add(Arguments.of("condition time not a date-time", withConditions(c -> ((ObjectNode) c.get(0)).put("lastTransitionTime", "yesterday")), null,
        "conditions[0].lastTransitionTime"));
    cases.add(Arguments.of("condition generation below 0", withConditions(c -> ((ObjectNode) c.get(0)).put("observedGeneration", -1)), null,
        "conditions[0].observedGeneration"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badObjects")
  void badObjectsAreRejectedWithAMessage(String what, JsonNode object, JsonNode old, String expected) {
    CrdValidator v = object.path("kind").asText().equals("HerokuConnection") ? connections : mappings;
    List<String> errors = v.validate(object, old);
    assertTrue(errors.stream().anyMatch(e -> e.contains(expected)), what + ": expected '" + expected + "' in " + errors);
    System.out.println(what + " -> " + errors);
  }

  /** A HerokuConnection as stored: spec as given, status as the operator wrote it (unresolved when {@code id} is null). */
  static JsonNode connectionWith(String app, String resource, String pinned, String id, String resolvedResource) {
    ObjectNode o = (ObjectNode) edit(CONNECTION, s -> {
      s.put("appName", app);
      if (resource != null) s.put("resourceName", resource);
      if (pinned != null) s.put("connectionId", pinned);
    });
    if (id != null) o.putObject("status").put("connectionId", id).put("resourceName", resolvedResource);
    return o;
  }

  static JsonNode withVersion(String want, String live) {
    ObjectNode o = (ObjectNode) edit(CONNECTION, s -> {
      if (want != null) ((ObjectNode) s.path("salesforce")).put("apiVersion", want);
    });
    if (live != null) o.putObject("status").put("apiVersion", live);
    return o;
  }

  /** The version rule (crd/ApiVersions) on the CEL engine: what the API server refuses at apply. */
  @Test
  void salesforceApiVersionsThatMayNeverBeSentAreRefusedAtApply() {
    record Case(String reason, JsonNode now, JsonNode old, String error) {}
    for (Case c : List.of(
        new Case("a new object with a current version", withVersion("62.0", null), null, null),
        new Case("a new object below the oldest supported", withVersion("31.0", null), null, "32.0 or newer"),
        new Case("an upgrade of a live connection", withVersion("62.0", "52.0"), withVersion("52.0", "52.0"), null),
        new Case("a downgrade below the live version", withVersion("50.0", "52.0"), withVersion("52.0", "52.0"), "does not downgrade"),
        new Case("a status write showing a newer live version than the spec asks (Heroku upgraded it): never refused",
            withVersion("52.0", "62.0"), withVersion("52.0", "52.0"), null),
        new Case("the version removed", withVersion(null, "52.0"), withVersion("52.0", "52.0"), null))) {
      List<String> errors = connections.validate(c.now(), c.old());
      if (c.error() == null) assertEquals(List.of(), errors, c.reason());
      else assertTrue(errors.stream().anyMatch(e -> e.contains(c.error())), c.reason() + ": " + errors);
    }
  }

  static JsonNode withAddon(String plan, String policy, String pinned) {
    return edit(CONNECTION, s -> {
      ObjectNode addon = s.putObject("addon");
      if (plan != null) addon.put("plan", plan);
      if (policy != null) addon.put("deletionPolicy", policy);
      if (pinned != null) s.put("connectionId", pinned);
    });
  }

  /** spec.addon (crd/AddonSpec, crd/AddonRules): the plan's pattern, the policy's enum, and the CEL rule against a pinned id. */
  @Test
  void addonSpecIsCheckedAtApply() {
    record Case(String reason, JsonNode object, String error) {}
    for (Case c : List.of(
        new Case("a Connect plan, the default policy", withAddon("herokuconnect:demo", null, null), null),
        new Case("a Connect plan, Delete", withAddon("herokuconnect:enterprise", "Delete", null), null),
        new Case("another service's plan", withAddon("heroku-postgresql:mini", null, null), "herokuconnect"),
        new Case("a plan without its service", withAddon("demo", null, null), "herokuconnect"),
        new Case("no plan", withAddon(null, "Orphan", null), "plan"),
        new Case("a policy that is not one", withAddon("herokuconnect:demo", "Destroy", null), "enumeration"),
        new Case("with a pinned connectionId", withAddon("herokuconnect:demo", null, "11111111-1111-4111-8111-111111111111"),
            "set one of the two"),
        new Case("with an empty connectionId", withAddon("herokuconnect:demo", null, ""), null))) {
      List<String> errors = connections.validate(c.object(), null);
      if (c.error() == null) assertEquals(List.of(), errors, c.reason());
      else assertTrue(errors.stream().anyMatch(e -> e.contains(c.error())), c.reason() + ": " + errors);
    }
  }

  @Test
  void aResolvedConnectionKeepsItsAddon() {
    String id = "11111111-1111-4111-8111-111111111111";
    String other = "22222222-2222-4222-8222-222222222222";
    JsonNode resolved = connectionWith("acme-crm", null, null, id, "shiny-1");
    record Case(String reason, JsonNode now, JsonNode old, String error) {}
    for (Case c : List.of(
        new Case("unresolved: the app may be fixed", connectionWith("acme-other", null, null, null, null),
            connectionWith("acme-crm", null, null, null, null), null),
        new Case("resolved: another app", connectionWith("acme-other", null, null, id, "shiny-1"), resolved, "spec.appName is immutable"),
        new Case("resolved: resourceName set to the one found", connectionWith("acme-crm", "shiny-1", null, id, "shiny-1"), resolved, null),
        new Case("resolved: another add-on of the app", connectionWith("acme-crm", "shiny-2", null, id, "shiny-1"), resolved,
            "spec.resourceName may only name"),
        new Case("resolved: connectionId pinned to the one found", connectionWith("acme-crm", null, id, id, "shiny-1"), resolved, null),
        new Case("resolved: another connectionId", connectionWith("acme-crm", null, other, id, "shiny-1"), resolved,
            "spec.connectionId may only name"))) {
      List<String> errors = connections.validate(c.now(), c.old());
      if (c.error() == null) assertEquals(List.of(), errors, c.reason());
      else assertTrue(errors.stream().anyMatch(e -> e.contains(c.error()) && e.contains("Orphan")), c.reason() + ": " + errors);
    }
  }

  /** spec.addon's add-on recorded before binding: status.addon.app (and its name), no status.connectionId. */
  static JsonNode recordedAddon(String app, String resource, String recordedApp, String recordedName) {
    ObjectNode o = (ObjectNode) edit(CONNECTION, s -> {
      s.put("appName", app);
      if (resource != null) s.put("resourceName", resource);
      s.putObject("addon").put("plan", "herokuconnect:demo");
    });
    ObjectNode addon = o.putObject("status").putObject("addon");
    if (recordedApp != null) addon.put("app", recordedApp);
    if (recordedName != null) addon.put("createRequestedName", recordedName);
    return o;
  }

  /** The lock before binding (crd/ConnectionIdentity, status.addon.app) on the CEL engine. */
  @Test
  void anAddonRecordedBeforeBindingKeepsItsApp() {
    JsonNode recorded = recordedAddon("acme-crm", null, "acme-crm", "hc-crm-sales-1a2b3c4d");
    record Case(String reason, JsonNode now, JsonNode old, String error) {}
    for (Case c : List.of(
        new Case("recorded, unchanged (a status write too)", recordedAddon("acme-crm", null, "acme-crm", "hc-crm-sales-1a2b3c4d"),
            recorded, null),
        new Case("recorded, another app", recordedAddon("acme-other", null, "acme-crm", "hc-crm-sales-1a2b3c4d"), recorded,
            "spec.appName is immutable once spec.addon's add-on is recorded"),
        new Case("recorded: an edited app set back to the recorded one", recordedAddon("acme-crm", null, "acme-crm", "hc-x"),
            recordedAddon("acme-other", null, "acme-crm", "hc-x"), null),
        new Case("recorded, resourceName set to the recorded name", recordedAddon("acme-crm", "hc-crm-sales-1a2b3c4d", "acme-crm",
            "hc-crm-sales-1a2b3c4d"), recorded, null),
        new Case("recorded, resourceName naming another add-on", recordedAddon("acme-crm", "shiny-2", "acme-crm",
            "hc-crm-sales-1a2b3c4d"), recorded, "spec.resourceName may only name spec.addon's add-on"),
        new Case("nothing recorded (status.addon without an app): the app may be fixed",
            recordedAddon("acme-other", null, null, null), recordedAddon("acme-crm", null, null, null), null),
        new Case("nothing recorded (an empty app): the app may be fixed",
            recordedAddon("acme-other", null, "", null), recordedAddon("acme-crm", null, "", null), null))) {
      List<String> errors = connections.validate(c.now(), c.old());
      if (c.error() == null) assertEquals(List.of(), errors, c.reason());
      else assertTrue(errors.stream().anyMatch(e -> e.contains(c.error()) && e.contains("delete this HerokuConnection")),
          c.reason() + ": " + errors);
    }
  }

  @Test
  void printerColumnsShortNamesAndCategory() {
    JsonNode crd = yaml(read("herokumappings.herokuconnect.dev-v1.yml"));
    List<String> columns = new ArrayList<>();
    crd.path("spec").path("versions").get(0).path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
    assertEquals(List.of("Connection", "Object", "Access", "State", "Ready", "Reason", "Age"), columns);
    assertEquals("hmap", crd.path("spec").path("names").path("shortNames").get(0).asText());
    assertEquals("herokuconnect", crd.path("spec").path("names").path("categories").get(0).asText());
    JsonNode conn = yaml(read("herokuconnections.herokuconnect.dev-v1.yml"));
    List<String> connColumns = new ArrayList<>();
    conn.path("spec").path("versions").get(0).path("additionalPrinterColumns").forEach(c -> connColumns.add(c.path("name").asText()));
    assertEquals(List.of("App", "State", "Ready", "Reason", "API", "Change", "Age"), connColumns);
    assertEquals("Namespaced", conn.path("spec").path("scope").asText());
    assertTrue(conn.path("spec").path("versions").get(0).path("subresources").has("status"));
  }

  static String read(String name) {
    try {
      return Files.readString(GENERATED.resolve(name));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
