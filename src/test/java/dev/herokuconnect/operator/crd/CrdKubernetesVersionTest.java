package dev.herokuconnect.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The CRDs use nothing the oldest supported Kubernetes (the chart's kubeVersion, the README's
 * support matrix) does not know. An API server that does not know a field rejects the whole
 * CRD on `kubectl apply --server-side` ("field not declared in schema"). Raising the floor is
 * a decision: change Chart.yaml, the README and {@link #FLOOR} together.
 */
class CrdKubernetesVersionTest {
  static final String FLOOR = "1.25";

  /** JSONSchemaProps fields of apiextensions.k8s.io/v1 as of Kubernetes 1.25. */
  static final Set<String> SCHEMA_KEYS_1_25 = Set.of(
      "id", "$schema", "$ref", "description", "type", "format", "title", "default", "maximum", "exclusiveMaximum",
      "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
      "multipleOf", "enum", "maxProperties", "minProperties", "required", "items", "allOf", "oneOf", "anyOf", "not",
      "properties", "additionalProperties", "patternProperties", "dependencies", "additionalItems", "definitions",
      "externalDocs", "example", "nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource",
      "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-map-type",
      "x-kubernetes-validations");
  /** ValidationRule in 1.25: messageExpression came in 1.27, reason and fieldPath in 1.28, optionalOldSelf in 1.29. */
  static final Set<String> RULE_KEYS_1_25 = Set.of("rule", "message");
  /** CustomResourceDefinitionVersion in 1.25 (selectableFields came in 1.30). */
  static final Set<String> VERSION_KEYS_1_25 = Set.of("name", "served", "storage", "deprecated", "deprecationWarning",
      "schema", "subresources", "additionalPrinterColumns");

  @Test
  void theCrdsUseOnlyWhatKubernetes125Knows() throws IOException {
    List<String> newer = new ArrayList<>();
    for (String name : List.of("herokuconnections.herokuconnect.dev-v1.yml", "herokumappings.herokuconnect.dev-v1.yml")) {
      JsonNode crd = CrdValidator.YAML.readTree(CrdSchemaTest.GENERATED.resolve(name).toFile());
      for (JsonNode version : crd.path("spec").path("versions")) {
        version.fieldNames().forEachRemaining(k -> {
          if (!VERSION_KEYS_1_25.contains(k)) newer.add(name + ": spec.versions[]." + k);
        });
        walk(name + ": openAPIV3Schema", version.path("schema").path("openAPIV3Schema"), newer);
      }
    }
    assertEquals(List.of(), newer, "not known to Kubernetes " + FLOOR + " (the supported floor): "
        + "drop it, or raise the floor in Chart.yaml (kubeVersion), the README and this test");
  }

  private static void walk(String path, JsonNode schema, List<String> newer) {
    Set<String> keys = new TreeSet<>();
    schema.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      if (!SCHEMA_KEYS_1_25.contains(k)) newer.add(path + "." + k);
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      rule.fieldNames().forEachRemaining(k -> {
        if (!RULE_KEYS_1_25.contains(k)) newer.add(path + ".x-kubernetes-validations[]." + k);
      });
    }
    schema.path("properties").fields().forEachRemaining(e -> walk(path + "." + e.getKey(), e.getValue(), newer));
    if (schema.has("items")) walk(path + "[]", schema.path("items"), newer);
    if (schema.path("additionalProperties").isObject()) walk(path + "{}", schema.path("additionalProperties"), newer);
  }

  @Test
  void theChartAndTheReadmeStateTheSameFloor() throws IOException {
    JsonNode chart = CrdValidator.YAML.readTree(Path.of("helm/heroku-connect-operator/Chart.yaml").toFile());
    assertEquals(">=" + FLOOR + ".0-0", chart.path("kubeVersion").asText(), "Chart.yaml kubeVersion");
    String readme = Files.readString(Path.of("README.md"));
    assertTrue(readme.contains("Kubernetes " + FLOOR + " or newer"), "the README states the floor");
  }
}
