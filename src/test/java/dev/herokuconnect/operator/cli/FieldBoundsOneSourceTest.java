package dev.herokuconnect.operator.cli;

import dev.herokuconnect.operator.testing.Manifests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herokuconnect.operator.crd.CrdValidator;
import dev.herokuconnect.operator.crd.FieldRules.Rule;
import dev.herokuconnect.operator.crd.FieldRules;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A field's bounds are written once, on the CRD model, and everyone agrees on them: for every
 * constrained spec field, the generated CRD schema states what {@link FieldRules} reads off the
 * annotations, and at each bound the CRD (as the API server validates it) and {@code plan}'s
 * manifest checks accept the value on the bound and refuse the one just outside, plan naming
 * the field. The values tried are computed from the rule, so moving a bound on the model moves
 * the test with it; a constrained field without a row here fails {@link #everyConstrainedFieldHasARow}.
 */
class FieldBoundsOneSourceTest {
  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();
  static CrdValidator connectionCrd;
  static CrdValidator mappingCrd;
  static JsonNode connectionSchema;
  static JsonNode mappingSchema;

  /** The manifests every test applies (testing.Manifests), as plan and the CRD see them. */
  static final String CONNECTION = Manifests.connection("salesforce: {environment: production}");
  static final String MAPPING = Manifests.mapping("account", "Account", "");

  @BeforeAll
  static void load() throws IOException {
    Path connections = GENERATED.resolve("herokuconnections.herokuconnect.dev-v1.yml");
    Path mappings = GENERATED.resolve("herokumappings.herokuconnect.dev-v1.yml");
    connectionCrd = new CrdValidator(connections);
    mappingCrd = new CrdValidator(mappings);
    connectionSchema = YAML.readTree(connections.toFile()).path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    mappingSchema = YAML.readTree(mappings.toFile()).path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
  }

  /** Puts a value of size (characters, items) or number {@code n} at the row's field, with what it needs to stay valid otherwise. */
  interface Sized extends BiConsumer<ObjectNode, Long> {}

  /**
   * One constrained field: why the bound is what it is, a value the pattern takes and one it
   * refuses (where there is a pattern), and how to put a value of a given size there.
   */
  record Row(Class<?> kind, String path, String reason, String good, String bad, Sized sized) {
    @Override public String toString() { return path; }
  }

  static Row row(Class<?> kind, String path, String reason) { return new Row(kind, path, reason, null, null, null); }
  static Row row(Class<?> kind, String path, String reason, String good, String bad) { return new Row(kind, path, reason, good, bad, null); }
  static Row sized(Class<?> kind, String path, String reason, String good, String bad, Sized sized) {
    return new Row(kind, path, reason, good, bad, sized);
  }

  /** A Salesforce API name of {@code n} characters (distinct for each n). */
  static String sfName(long n) { return n == 0 ? "" : "A" + "b".repeat((int) n - 1); }

  static ArrayNode fields(ObjectNode spec) { return spec.withArray("fields"); }

  static final Class<?> C = HerokuConnection.class;
  static final Class<?> M = HerokuMapping.class;

  static final List<Row> ROWS = List.of(
      row(C, "spec.appName", "discovery searches by the app; Heroku app names are 3-30 lower-case characters, or the app's UUID",
          "acme-crm", "Acme_CRM"),
      row(C, "spec.resourceName", "Heroku add-on resource names", "herokuconnect-shiny-1", "shiny 1"),
      row(C, "spec.connectionId", "the {id} of /connections/{id} is a UUID", "11111111-1111-4111-8111-111111111111", "1234"),
      row(C, "spec.apiUrl", "the region API root the operator appends paths to", "https://connect-oregon.heroku.com/api/v3",
          "https://connect-oregon.heroku.com/api/v2"),
      row(C, "spec.credentials", "the token comes from a Secret; nothing works without it"),
      row(C, "spec.credentials.secretRef", "the Secret's key reference"),
      row(C, "spec.credentials.secretRef.name", "a Secret's name is a Kubernetes name", "heroku-api", "Heroku_API"),
      row(C, "spec.credentials.secretRef.key", "what Kubernetes allows as a key of a Secret's data", "api.token", "api token"),
      row(C, "spec.database", "the add-on must know where to write (PATCH db_key, schema_name)"),
      row(C, "spec.database.configVar", "Heroku config var names (db_key)", "HEROKU_POSTGRESQL_AQUA_URL", "database_url"),
      row(C, "spec.database.schema", "a Postgres unquoted identifier, at most 63 bytes (schema_name)", "salesforce", "sales-force"),
      row(C, "spec.salesforce.domain", "a DNS name for a custom login domain", "example.my.salesforce.com", "Example.My.Salesforce.com"),
      row(C, "spec.salesforce.apiVersion", "Salesforce API versions are NN.0", "52.0", "v52"),
      row(C, "spec.salesforce.redirectUrl", "where a browser is sent: http(s) only", "https://example.com/done", "ftp://example.com"),
      row(C, "spec.addon.plan", "a plan of the Heroku Connect add-on service (POST /apps/{app}/addons)", "herokuconnect:demo",
          "heroku-postgresql:mini"),

      row(M, "spec.connectionRef", "a mapping lives on a connection"),
      row(M, "spec.connectionRef.name", "a HerokuConnection's name, same namespace (no '/')", "sales", "other/sales"),
      sized(M, "spec.objectName", "Salesforce object API names, at most 80 characters", "Invoice__c", "Account Name",
          (spec, n) -> spec.put("objectName", sfName(n))),
      sized(M, "spec.fields", "the API needs fields (Id, SystemModstamp); 800 keeps a PUT body sane", null, null,
          (spec, n) -> {
            ArrayNode a = spec.putArray("fields");
            for (long i = 0; i < n; i++) a.add(i == 0 ? "Id" : "F" + i);
          }),
      sized(M, "spec.fields[]", "each a Salesforce field API name, at most 80 characters", "Email", "Bad Field!",
          (spec, n) -> fields(spec).add(sfName(n))),
      sized(M, "spec.indexes", "one Postgres index per field, at most 100", null, null,
          (spec, n) -> {
            ArrayNode a = spec.putArray("indexes");
            for (long i = 1; i <= n; i++) {
              a.addObject().put("field", "F" + i);
              fields(spec).add("F" + i);
            }
          }),
      sized(M, "spec.indexes[].field", "the index's field, a Salesforce field API name", "Id", "Bad Field!",
          (spec, n) -> {
            ((ObjectNode) spec.withArray("indexes").get(0)).put("field", sfName(n));
            fields(spec).add(sfName(n));
          }),
      sized(M, "spec.sfPollingSeconds", "the Connect API's polling range (config.sf_polling_seconds)", null, null,
          (spec, n) -> spec.put("sfPollingSeconds", n)),
      sized(M, "spec.sfMaxDailyApiCalls", "a daily budget of Salesforce API calls is positive", null, null,
          (spec, n) -> spec.put("sfMaxDailyApiCalls", n)),
      sized(M, "spec.upsertField", "an external id field's API name, at most 80 characters", "Id", "External Id",
          (spec, n) -> {
            spec.put("upsertField", sfName(n));
            fields(spec).add(sfName(n));
          }));

  static Stream<Row> rows() { return ROWS.stream(); }

  @Test
  void everyConstrainedFieldHasARow() {
    Set<String> constrained = new TreeSet<>();
    for (Class<?> kind : List.of(C, M)) {
      FieldRules.of(kind).values().stream().filter(Rule::constrains).forEach(r -> constrained.add(r.path()));
    }
    Set<String> rows = ROWS.stream().map(Row::path).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(constrained, rows, "a constrained field without a row (or a row for a field that is not constrained)");
  }

  /** The generated CRD says what FieldRules read: same pattern, bounds, sizes, required-ness and default. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theCrdSchemaStatesTheRuleFieldRulesRead(Row row) {
    Rule r = FieldRules.get(row.kind(), row.path());
    JsonNode s = schemaAt(row.kind(), row.path());
    assertEquals(r.pattern(), s.path("pattern").textValue(), row + ": pattern");
    assertEquals(r.min() == null ? null : r.min().value(), s.has("minimum") ? s.get("minimum").asDouble() : null, row + ": minimum");
    assertEquals(r.max() == null ? null : r.max().value(), s.has("maximum") ? s.get("maximum").asDouble() : null, row + ": maximum");
    assertEquals(r.min() != null && !r.min().inclusive(), s.path("exclusiveMinimum").asBoolean(false), row + ": exclusiveMinimum");
    assertEquals(r.max() != null && !r.max().inclusive(), s.path("exclusiveMaximum").asBoolean(false), row + ": exclusiveMaximum");
    String minSize = r.isList() ? "minItems" : "minLength";
    String maxSize = r.isList() ? "maxItems" : "maxLength";
    assertEquals(r.minSize(), s.has(minSize) ? s.get(minSize).asLong() : null, row + ": " + minSize);
    assertEquals(r.maxSize(), s.has(maxSize) ? s.get(maxSize).asLong() : null, row + ": " + maxSize);
    assertEquals(r.required(), requiredInSchema(row.kind(), row.path()), row + ": required");
  }

  /** Defaults: the CRD's default, FieldRules' and what the Java model gives for an absent value are one value. */
  @Test
  void defaultsAgreeWithTheCrdAndTheJavaModel() throws IOException {
    int checked = 0;
    for (Class<?> kind : List.of(C, M)) {
      for (Rule r : FieldRules.of(kind).values()) {
        if (r.defaultValue() == null) continue;
        assertEquals(r.defaultValue(), schemaAt(kind, r.path()).path("default").asText(null), r.path() + ": CRD default");
        // The parents of the field, present and empty: the model must fill in the same default.
        ObjectNode object = (ObjectNode) YAML.readTree(kind == C ? CONNECTION : MAPPING);
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        object.set("spec", spec);
        String[] segments = r.path().split("\\.");
        ObjectNode at = spec;
        for (int i = 1; i < segments.length - 1; i++) {
          at = segments[i].endsWith("[]") ? at.putArray(segments[i].replace("[]", "")).addObject() : at.putObject(segments[i]);
        }
        JsonNode roundTrip = JSON.valueToTree(JSON.treeToValue(object, kind));
        assertEquals(r.defaultValue(), valueAt(roundTrip, r.path()).asText(null), r.path() + ": the Java model's default");
        checked++;
      }
    }
    assertTrue(checked >= 8, "defaults checked: " + checked);
  }

  /** The descriptions people read (kubectl explain) state the same numbers. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theDescriptionStatesTheNumbers(Row row) {
    Rule r = FieldRules.get(row.kind(), row.path());
    String owner = row.path().endsWith("[]") ? row.path().substring(0, row.path().length() - 2) : row.path();
    String description = FieldRules.get(row.kind(), owner).description();
    assertNotNull(description, row + ": no description");
    List<String> numbers = new ArrayList<>();
    if (r.min() != null) numbers.add(r.min().text());
    if (r.max() != null) numbers.add(r.max().text());
    if (r.minSize() != null) numbers.add(r.minSize().toString());
    if (r.maxSize() != null) numbers.add(r.maxSize().toString());
    if (r.defaultValue() != null) numbers.add(r.defaultValue());
    for (String n : numbers) {
      assertTrue(Pattern.compile("\\b" + Pattern.quote(n) + "\\b").matcher(description).find(),
          row + ": the description does not say " + n + ": " + description);
    }
  }

  /** On the bound: accepted by the CRD and by plan; just outside: refused by both, plan naming the field. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theCrdAndPlanAcceptTheBoundAndRefuseJustOutside(Row row) throws IOException {
    Rule r = FieldRules.get(row.kind(), row.path());
    int tried = 0;
    if (r.required()) {
      refused(row, "absent", edit(row, spec -> remove(spec, row.path())), " is required");
      tried++;
    }
    if (r.pattern() != null) {
      assertTrue(Pattern.compile(r.pattern()).matcher(row.good()).find(), row + ": the good sample must match the rule");
      assertFalse(Pattern.compile(r.pattern()).matcher(row.bad()).find(), row + ": the bad sample must not match the rule");
      accepted(row, "'" + row.good() + "'", edit(row, spec -> put(spec, row.path(), row.good())));
      refused(row, "'" + row.bad() + "'", edit(row, spec -> put(spec, row.path(), row.bad())), "'" + row.bad() + "' is not");
      tried++;
    }
    for (var end : new Object[][] {{r.min(), -1L}, {r.max(), 1L}}) {
      if (end[0] == null) continue;
      FieldRules.Bound b = (FieldRules.Bound) end[0];
      long step = (long) end[1];
      long on = (long) b.value() + (b.inclusive() ? 0 : -step);
      accepted(row, Long.toString(on), edit(row, spec -> row.sized().accept(spec, on)));
      refused(row, Long.toString(on + step), edit(row, spec -> row.sized().accept(spec, on + step)), "must be " );
      tried++;
    }
    for (var end : new Object[][] {{r.minSize(), -1L}, {r.maxSize(), 1L}}) {
      if (end[0] == null) continue;
      long on = (Long) end[0];
      long step = (long) end[1];
      accepted(row, "size " + on, edit(row, spec -> row.sized().accept(spec, on)));
      refused(row, "size " + (on + step), edit(row, spec -> row.sized().accept(spec, on + step)), "must have");
      tried++;
    }
    assertTrue(tried > 0, row + " constrains nothing");
  }

  // ---- helpers ----------------------------------------------------------------------------

  static JsonNode edit(Row row, java.util.function.Consumer<ObjectNode> change) throws IOException {
    JsonNode o = YAML.readTree(row.kind() == C ? CONNECTION : MAPPING);
    change.accept((ObjectNode) o.path("spec"));
    return o;
  }

  void accepted(Row row, String what, JsonNode object) {
    CrdValidator crd = row.kind() == C ? connectionCrd : mappingCrd;
    assertEquals(List.of(), crd.validate(object, null), row + " = " + what + ": the CRD refuses it");
    assertEquals(List.of(), plan(row, object), row + " = " + what + ": plan refuses it");
  }

  void refused(Row row, String what, JsonNode object, String saying) {
    CrdValidator crd = row.kind() == C ? connectionCrd : mappingCrd;
    String name = last(row.path());
    List<String> errors;
    try {
      errors = crd.validate(object, null);
    } catch (IllegalStateException e) {
      // A CEL rule reading the missing field fails at run time; the API server refuses the
      // object with that error ("no such key"), which is a refusal naming the field too.
      errors = List.of(e.getMessage());
    }
    assertTrue(errors.stream().anyMatch(e -> e.contains(name)), row + " = " + what + ": the CRD does not refuse it: " + errors);
    Pattern field = Pattern.compile(": " + Pattern.quote(row.path()).replace("[]", "\\E\\[\\d+]\\Q") + "[ :]");
    List<String> problems = plan(row, object);
    assertTrue(problems.stream().anyMatch(p -> field.matcher(p).find() && p.contains(saying)),
        row + " = " + what + ": plan does not refuse it naming the field and saying '" + saying + "': " + problems);
  }

  /** plan's manifest problems for the object, with the connection a mapping needs. */
  static List<String> plan(Row row, JsonNode object) {
    try {
      String text = (row.kind() == M ? CONNECTION + "---\n" : "") + YAML.writeValueAsString(object);
      var read = PlanManifests.read(List.of("-"), "crm", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
      return read.problems();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String last(String path) { return path.substring(path.lastIndexOf('.') + 1).replace("[]", ""); }

  /** Sets a string at a path below spec (an item path appends to the list). */
  static void put(ObjectNode spec, String path, String value) {
    String[] s = path.split("\\.");
    ObjectNode at = spec;
    for (int i = 1; i < s.length - 1; i++) at = s[i].endsWith("[]") ? (ObjectNode) at.withArray(s[i].replace("[]", "")).get(0) : at.with(s[i]);
    String leaf = s[s.length - 1];
    if (leaf.endsWith("[]")) at.withArray(leaf.replace("[]", "")).add(value);
    else at.put(leaf, value);
    // CEL: a field an index or the upsert names must be mapped; keep that true so the refusal is the bound's.
    if ((path.equals("spec.upsertField") || path.equals("spec.indexes[].field"))
        && !fields(spec).toString().contains("\"" + value + "\"")) fields(spec).add(value);
  }

  static void remove(ObjectNode spec, String path) {
    String[] s = path.split("\\.");
    ObjectNode at = spec;
    for (int i = 1; i < s.length - 1; i++) at = s[i].endsWith("[]") ? (ObjectNode) at.withArray(s[i].replace("[]", "")).get(0) : at.with(s[i]);
    at.remove(s[s.length - 1]);
  }

  static JsonNode schemaAt(Class<?> kind, String path) {
    JsonNode s = kind == C ? connectionSchema : mappingSchema;
    for (String segment : path.split("\\.")) {
      s = s.path("properties").path(segment.replace("[]", ""));
      if (segment.endsWith("[]")) s = s.path("items");
    }
    assertFalse(s.isMissingNode(), path + " is not in the CRD");
    return s;
  }

  static boolean requiredInSchema(Class<?> kind, String path) {
    int dot = path.lastIndexOf('.');
    if (path.endsWith("[]")) return false; // an item is there or not; minItems says how many
    JsonNode parent = schemaAt(kind, path.substring(0, dot));
    for (JsonNode n : parent.path("required")) if (n.asText().equals(path.substring(dot + 1))) return true;
    return false;
  }

  static JsonNode valueAt(JsonNode object, String path) {
    JsonNode at = object;
    for (String segment : path.split("\\.")) {
      at = at.path(segment.replace("[]", ""));
      if (segment.endsWith("[]")) at = at.path(0);
    }
    return at;
  }
}
