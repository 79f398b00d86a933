package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herokuconnect.operator.delivery.ChartValues.Value;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chart README's values table is what values.schema.json's descriptions and values.yaml's defaults say. */
class ChartValuesTableTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String README = Helm.CHART.resolve(ChartValuesTable.README_FILE).toString();

  @Test
  void everyValueHasADescriptionAndADefault() throws Exception {
    List<String> problems = ChartValues.read(Helm.CHART).problems();
    assertTrue(problems.isEmpty(), "the chart's values are not all documented:\n  " + String.join("\n  ", problems)
        + "\nfix those, then " + ChartValuesTable.FIX + " (it rewrites " + README + ")");
  }

  @Test
  void chartReadmeTableIsWhatMakeChartDocsWrites() throws Exception {
    List<String> differences = ChartValuesTable.differences(
        Files.readString(Helm.CHART.resolve(ChartValuesTable.README_FILE)), ChartValues.read(Helm.CHART).values());
    assertTrue(differences.isEmpty(), README + "'s values table is not what values.schema.json and values.yaml say:\n  "
        + String.join("\n  ", differences) + "\n" + ChartValuesTable.FIX + " to rewrite it (edit descriptions in values.schema.json, not the table)");
  }

  /** Deleting one description from the real schema is caught twice: as a problem, and as a stale row. */
  @Test
  void deletingOneDescriptionFails() throws Exception {
    ObjectNode schema = (ObjectNode) JSON.readTree(Helm.CHART.resolve(ChartValues.SCHEMA_FILE).toFile());
    ((ObjectNode) schema.path("properties").path("operator").path("properties").path("dailyBudget")).remove("description");
    ChartValues values = ChartValues.of(schema, YAML.readTree(Helm.CHART.resolve(ChartValues.VALUES_FILE).toFile()));

    assertEquals(List.of("values.schema.json: `operator.dailyBudget` has no description (write it there, from values.yaml's comment)"),
        values.problems());
    assertEquals(List.of("`operator.dailyBudget` is stale"),
        ChartValuesTable.differences(Files.readString(Helm.CHART.resolve(ChartValuesTable.README_FILE)), values.values()));
  }

  @Test
  void valuesAndSchemaMustNameTheSameKeys() throws Exception {
    JsonNode schema = JSON.readTree("""
        {"properties": {
          "global": {"description": "Helm's", "type": "object"},
          "old": {"description": "Removed: use new", "type": "object", "properties": {"on": {"description": "Removed", "type": "boolean"}}},
          "pod": {"description": "pod", "type": "object", "properties": {
            "user": {"description": "uid", "type": ["integer", "null"]},
            "group": {"description": "gid", "type": "integer"},
            "nameless": {"type": "string"}}},
          "resources": {"description": "free-form", "type": "object"}}}""");
    JsonNode values = YAML.readTree("""
        pod:
          typo: 1
        resources:
          requests: {cpu: 100m}
        extra: true
        """);

    assertEquals(List.of(
        "values.schema.json: `pod.group` has no default in values.yaml (give it one there, or allow null in its type when unset is its default)",
        "values.schema.json: `pod.nameless` has no description (write it there, from values.yaml's comment)",
        "values.schema.json: `pod.nameless` has no default in values.yaml (give it one there, or allow null in its type when unset is its default)",
        "values.yaml: `pod.typo` is not in values.schema.json (add it there, with a description)",
        "values.yaml: `extra` is not in values.schema.json (add it there, with a description)"),
        ChartValues.of(schema, values).problems());
  }

  @Test
  void rowsGiveTypeDefaultAndDescription() throws Exception {
    JsonNode schema = JSON.readTree("""
        {"properties": {
          "image": {"description": "The image.", "type": "object", "properties": {
            "pullPolicy": {"description": "Pull policy.", "type": "string", "enum": ["Always", "Never"]}}},
          "budget": {"anyOf": [{"type": "null"}, {"type": "integer"}, {"type": "string"}], "description": "a | b"},
          "fsGroupChangePolicy": {"description": "x", "type": ["string", "null"], "enum": ["Always", null]},
          "labels": {"description": "Labels.", "type": "object"}}}""");
    JsonNode values = YAML.readTree("""
        image: {pullPolicy: Never}
        budget: null
        labels: {grafana_dashboard: "1"}
        """);

    assertEquals(List.of(
        new Value("image", "object", "", "The image."),
        new Value("image.pullPolicy", "string: `Always`, `Never`", "`\"Never\"`", "Pull policy."),
        new Value("budget", "null or integer or string", "`null`", "a | b"),
        new Value("fsGroupChangePolicy", "string or null: `Always`, `null`", "unset", "x"),
        new Value("labels", "object", "`{\"grafana_dashboard\":\"1\"}`", "Labels.")),
        ChartValues.of(schema, values).values());
    assertEquals("| `budget` | null or integer or string | `null` | a \\| b |",
        ChartValuesTable.row(new Value("budget", "null or integer or string", "`null`", "a | b")));
  }

  @Test
  void differencesNameEachKey() {
    List<Value> expected = List.of(new Value("a", "string", "`\"x\"`", "A."), new Value("b", "integer", "`1`", "B."),
        new Value("c", "boolean", "`true`", "C."));
    String current = ChartValuesTable.splice("intro\n" + ChartValuesTable.BEGIN + "\n" + ChartValuesTable.END + "\noutro\n",
        ChartValuesTable.render(List.of(new Value("a", "string", "`\"x\"`", "A."), new Value("b", "integer", "`2`", "B."),
            new Value("gone", "string", "`\"\"`", "Old."))));

    assertEquals(List.of("`b` is stale", "`c` is missing", "`gone` is no longer a value"),
        ChartValuesTable.differences(current, expected));
    String written = ChartValuesTable.splice(current, ChartValuesTable.render(expected));
    assertEquals(List.of(), ChartValuesTable.differences(written, expected));
    assertTrue(written.startsWith("intro\n") && written.endsWith(ChartValuesTable.END + "\noutro\n"), written);
    assertEquals(List.of("the table's header or order differs"),
        ChartValuesTable.differences(ChartValuesTable.splice(written, ChartValuesTable.render(List.of(expected.get(2), expected.get(1), expected.get(0)))), expected));
  }

  @Test
  void aReadmeWithoutMarkersIsRefusedNamingThem() {
    var e = assertThrows(IllegalArgumentException.class, () -> ChartValuesTable.splice("# chart\n", "| t |\n"));
    assertTrue(e.getMessage().contains(ChartValuesTable.BEGIN) && e.getMessage().contains(ChartValuesTable.END), e.getMessage());
  }
}
