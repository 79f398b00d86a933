package dev.herokuconnect.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What `kubectl explain` (and an IDE, and Argo CD's diff) shows of the CRDs: every property is
 * described, and the descriptions carry the facts a person needs (what the field maps to in
 * the Connect API, its default, its bounds, whether it may change), in agreement with the schema.
 */
class CrdDescriptionTest {
  static CrdExplain connections;
  static CrdExplain mappings;

  @BeforeAll
  static void load() throws IOException {
    connections = new CrdExplain(CrdSchemaTest.GENERATED.resolve("herokuconnections.herokuconnect.dev-v1.yml"));
    mappings = new CrdExplain(CrdSchemaTest.GENERATED.resolve("herokumappings.herokuconnect.dev-v1.yml"));
  }

  static CrdExplain crd(String path) {
    return mappings.names(path.substring(0, path.indexOf('.') < 0 ? path.length() : path.indexOf('.'))) ? mappings : connections;
  }

  /** kubectl explain output for a few fields, with the facts each must show. */
  @Test
  void explainShowsWhatAFieldMapsToItsDefaultBoundsAndMutability() throws IOException {
    Map<String, List<String>> expected = new LinkedHashMap<>();
    expected.put("herokumapping", List.of("KIND:       HerokuMapping", "Salesforce object", "FIELDS:", "spec\t<Object>"));
    expected.put("herokumapping.spec.fields", List.of("FIELD: fields <[]string>", "-> config.fields", "1 to 800", "Id and SystemModstamp"));
    expected.put("herokumapping.spec.sfPollingSeconds", List.of("FIELD: sfPollingSeconds <integer>", "-> config.sf_polling_seconds",
        "Default 600", "minimum 60", "maximum 86400"));
    expected.put("hmap.spec.objectName", List.of("-> object_name", "Immutable"));
    expected.put("hmap.spec.access", List.of("ENUM:\n    read_only\n    read_write", "Default read_only"));
    expected.put("hmap.spec.indexes", List.of("<[]Object>", "field\t<string> -required-", "unique\t<boolean>"));
    expected.put("herokuconnection.spec.connectionId", List.of("GROUP:      herokuconnect.dev", "FIELD: connectionId <string>",
        "UUID", "skips the discovery", "status.connectionId"));
    expected.put("herokuconnection.spec.database", List.of("configVar\t<string> -required-", "-> db_key", "-> schema_name"));
    expected.put("herokuconnection.status.rateLimit.remaining", List.of("FIELD: remaining <integer>", "dailyLimit minus used"));
    expected.put("hconn.status.conditions", List.of("<[]Object>", "metav1.Condition", "type\t<string> -required-",
        "lastTransitionTime\t<string> -required-", "True, False or Unknown"));

    StringBuilder all = new StringBuilder();
    for (var e : expected.entrySet()) {
      String text = crd(e.getKey()).explain(e.getKey());
      all.append("$ kubectl explain ").append(e.getKey()).append('\n').append(text).append('\n');
      String flat = text.replaceAll("\\s+", " ");
      for (String fact : e.getValue()) {
        assertTrue(flat.contains(fact.replaceAll("\\s+", " ")), "kubectl explain " + e.getKey() + " should show '" + fact + "':\n" + text);
      }
      assertFalse(text.contains("<empty>") || text.contains("<no description>"), e.getKey() + " has an undescribed part:\n" + text);
    }
    Files.writeString(Path.of("target/crd-explain.txt"), all.toString());
    System.out.println(all);
  }

  /** Every property of both CRDs (and both kinds themselves) has a description. */
  @Test
  void everyPropertyIsDescribed() {
    List<String> missing = new ArrayList<>();
    int[] described = {0};
    for (CrdExplain crd : List.of(connections, mappings)) {
      String kind = crd == connections ? "herokuconnection" : "herokumapping";
      crd.eachProperty((path, schema) -> {
        if (schema.path("description").asText("").isBlank()) missing.add(kind + (path.isEmpty() ? "" : "." + path));
        else described[0]++;
      });
    }
    System.out.println("described properties: " + described[0] + ", missing: " + missing);
    assertEquals(List.of(), missing, "properties without a description: add @JsonPropertyDescription and run `make crds`");
    assertTrue(described[0] > 50, "the walk found only " + described[0] + " properties");
  }

  /**
   * The facts in the spec's descriptions agree with the schema: a default, a bound, an enum
   * value, "Required" and "Immutable" are all spelled out, so changing one without the other fails.
   */
  @Test
  void specDescriptionsAgreeWithTheSchema() {
    List<String> wrong = new ArrayList<>();
    for (CrdExplain crd : List.of(connections, mappings)) {
      String kind = crd == connections ? "herokuconnection" : "herokumapping";
      crd.eachProperty((path, schema) -> {
        if (!path.startsWith("spec.")) return;
        String d = schema.path("description").asText("");
        List<String> facts = new ArrayList<>();
        if (schema.has("default")) facts.add("Default " + schema.path("default").asText());
        for (String bound : List.of("minimum", "maximum", "maxItems", "maxLength")) {
          if (schema.has(bound)) facts.add(number(schema.path(bound)));
        }
        schema.path("enum").forEach(v -> facts.add(v.asText()));
        schema.path("x-kubernetes-validations").forEach(r -> {
          if (r.path("rule").asText().equals("self == oldSelf")) facts.add("Immutable");
        });
        String name = path.substring(path.lastIndexOf('.') + 1);
        if (requiredBy(crd, kind, path).contains(name)) facts.add("Required");
        for (String fact : facts) {
          if (!d.contains(fact)) wrong.add(kind + "." + path + " does not say '" + fact + "': " + d);
        }
      });
    }
    assertEquals(List.of(), wrong);
  }

  private static List<String> requiredBy(CrdExplain crd, String kind, String path) {
    JsonNode p = crd.schemaAt(kind + "." + path.substring(0, path.lastIndexOf('.')));
    while (p.path("type").asText().equals("array")) p = p.path("items");
    List<String> required = new ArrayList<>();
    p.path("required").forEach(r -> required.add(r.asText()));
    return required;
  }

  private static String number(JsonNode n) {
    return n.isIntegralNumber() || n.asDouble() == Math.rint(n.asDouble()) ? Long.toString(n.asLong()) : n.asText();
  }

  @Test
  void aMissingFieldIsReportedLikeKubectl() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> mappings.explain("herokumapping.spec.nope"));
    assertEquals("field \"nope\" does not exist in herokumapping.spec", e.getMessage());
  }
}
