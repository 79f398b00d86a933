package dev.herokuconnect.operator.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart's values as documented: every property of values.schema.json (through "properties",
 * depth first, in the schema's order) with its description there and its default from values.yaml.
 * values.schema.json's descriptions are the one source of the chart README's values table
 * ({@link ChartValuesTable}); {@link #problems()} is what keeps schema and values.yaml in step.
 */
final class ChartValues {
  static final String SCHEMA_FILE = "values.schema.json";
  static final String VALUES_FILE = "values.yaml";
  /** Helm puts this one into every chart's values itself; a chart declares it without a default. */
  static final String HELM_GLOBAL = "global";
  /** A property kept in the schema only so that its template can say what replaced it. */
  static final String REMOVED = "Removed:";

  /** One row of the table. {@code defaultValue} is markdown-ready: JSON, "unset", or blank for an object documented by its keys. */
  record Value(String key, String type, String defaultValue, String description) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final List<Value> values = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  private ChartValues(JsonNode schema, JsonNode defaults) {
    walkSchema(schema, defaults, "");
    walkDefaults(schema, defaults, "");
  }

  static ChartValues of(JsonNode schema, JsonNode defaults) {
    return new ChartValues(schema, defaults);
  }

  static ChartValues read(Path chart) throws IOException {
    return of(JSON.readTree(chart.resolve(SCHEMA_FILE).toFile()), YAML.readTree(chart.resolve(VALUES_FILE).toFile()));
  }

  List<Value> values() {
    return values;
  }

  /** What makes the table incomplete or the two files disagree, each naming the key and the fix. */
  List<String> problems() {
    return problems;
  }

  private void walkSchema(JsonNode schemaObject, JsonNode defaults, String prefix) {
    for (Map.Entry<String, JsonNode> p : schemaObject.path("properties").properties()) {
      String key = prefix + p.getKey();
      JsonNode property = p.getValue();
      JsonNode value = defaults.path(p.getKey());
      String description = property.path("description").asText("").strip();
      if (description.isEmpty()) {
        problems.add(SCHEMA_FILE + ": `" + key + "` has no description (write it there, from values.yaml's comment)");
      }
      if (value.isMissingNode() && !defaults.isMissingNode() && !mayBeUnset(key, property, description)) {
        problems.add(SCHEMA_FILE + ": `" + key + "` has no default in " + VALUES_FILE
            + " (give it one there, or allow null in its type when unset is its default)");
      }
      boolean documentedByItsKeys = property.has("properties");
      values.add(new Value(key, type(property), documentedByItsKeys ? "" : defaultOf(value), description));
      if (documentedByItsKeys) walkSchema(property, value, key + ".");
    }
  }

  /** values.yaml's keys, down to where the schema stops naming them (free-form maps such as resources). */
  private void walkDefaults(JsonNode schemaObject, JsonNode defaults, String prefix) {
    if (!schemaObject.has("properties") || !defaults.isObject()) return;
    for (Map.Entry<String, JsonNode> v : defaults.properties()) {
      String key = prefix + v.getKey();
      JsonNode property = schemaObject.path("properties").path(v.getKey());
      if (property.isMissingNode()) {
        problems.add(VALUES_FILE + ": `" + key + "` is not in " + SCHEMA_FILE + " (add it there, with a description)");
      } else {
        walkDefaults(property, v.getValue(), key + ".");
      }
    }
  }

  /** Unset is a sound default for Helm's own global, a removed value, and a property whose type admits null. */
  private static boolean mayBeUnset(String key, JsonNode property, String description) {
    return key.equals(HELM_GLOBAL) || description.startsWith(REMOVED) || types(property).contains("null");
  }

  private static String defaultOf(JsonNode value) {
    if (value.isMissingNode()) return "unset";
    try {
      return "`" + JSON.writeValueAsString(value) + "`";
    } catch (IOException e) {
      throw new IllegalStateException("cannot render a default: " + e.getMessage(), e);
    }
  }

  /** "string", "integer or null", from "type" or the branches of "anyOf"; an enum lists its values. */
  static String type(JsonNode property) {
    List<String> types = types(property);
    String type = types.isEmpty() ? "any" : String.join(" or ", types);
    if (!property.has("enum")) return type;
    List<String> allowed = new ArrayList<>();
    property.path("enum").forEach(e -> allowed.add("`" + (e.isNull() ? "null" : e.asText()) + "`"));
    return type + ": " + String.join(", ", allowed);
  }

  private static List<String> types(JsonNode property) {
    List<String> types = new ArrayList<>();
    addTypes(property.path("type"), types);
    property.path("anyOf").forEach(branch -> addTypes(branch.path("type"), types));
    return types;
  }

  private static void addTypes(JsonNode type, List<String> into) {
    if (type.isTextual() && !into.contains(type.asText())) into.add(type.asText());
    type.forEach(t -> addTypes(t, into));
  }
}
