package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * What {@code kubectl explain <resource>.<field.path>} prints for a CRD (kubectl 1.27+ plain-text
 * layout), rendered from the CRD file itself, so that tests can read what a person will read
 * without an API server. Arrays are stepped through as kubectl does (indexes.field).
 */
final class CrdExplain {
  private static final int WIDTH = 80;
  private final JsonNode crd;
  private final JsonNode root;

  CrdExplain(Path crdFile) throws IOException {
    crd = CrdValidator.YAML.readTree(crdFile.toFile());
    root = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
  }

  /** The names kubectl accepts for the resource: kind, singular, plural, short names (lower case). */
  boolean names(String resource) {
    JsonNode n = crd.path("spec").path("names");
    List<String> all = new ArrayList<>(List.of(n.path("kind").asText().toLowerCase(), n.path("singular").asText(),
        n.path("plural").asText()));
    n.path("shortNames").forEach(s -> all.add(s.asText()));
    return all.contains(resource.toLowerCase());
  }

  /** The schema at a path such as herokumapping.spec.fields, or an exception naming the missing step. */
  JsonNode schemaAt(String path) {
    String[] steps = path.split("\\.");
    if (!names(steps[0])) throw new IllegalArgumentException("the server doesn't have a resource type \"" + steps[0] + "\"");
    JsonNode s = root;
    for (int i = 1; i < steps.length; i++) {
      while (s.path("type").asText().equals("array")) s = s.path("items");
      JsonNode next = s.path("properties").path(steps[i]);
      if (next.isMissingNode()) {
        throw new IllegalArgumentException("field \"" + steps[i] + "\" does not exist in " + String.join(".", List.of(steps).subList(0, i)));
      }
      s = next;
    }
    return s;
  }

  String explain(String path) {
    JsonNode s = schemaAt(path);
    String[] steps = path.split("\\.");
    JsonNode names = crd.path("spec").path("names");
    StringBuilder out = new StringBuilder();
    out.append("GROUP:      ").append(crd.path("spec").path("group").asText()).append('\n');
    out.append("KIND:       ").append(names.path("kind").asText()).append('\n');
    out.append("VERSION:    ").append(crd.path("spec").path("versions").get(0).path("name").asText()).append("\n\n");
    if (steps.length > 1) {
      out.append("FIELD: ").append(steps[steps.length - 1]).append(" <").append(type(s)).append(">\n");
      if (s.has("enum")) {
        out.append("ENUM:\n");
        s.path("enum").forEach(e -> out.append("    ").append(e.asText()).append('\n'));
      }
      out.append('\n');
    }
    out.append("DESCRIPTION:\n");
    wrap(s.path("description").asText("<empty>"), "    ", out);
    JsonNode object = s;
    while (object.path("type").asText().equals("array")) object = object.path("items");
    if (object.has("properties")) {
      out.append("\nFIELDS:\n");
      List<String> required = new ArrayList<>();
      object.path("required").forEach(r -> required.add(r.asText()));
      new TreeMap<>(fields(object)).forEach((name, child) -> {
        out.append("  ").append(name).append("\t<").append(type(child)).append('>');
        if (required.contains(name)) out.append(" -required-");
        out.append('\n');
        wrap(child.path("description").asText("<no description>"), "    ", out);
        out.append('\n');
      });
    }
    return out.toString();
  }

  /** kubectl's type names: string, integer, boolean, Object, []string, []Object. */
  static String type(JsonNode s) {
    String t = s.path("type").asText("");
    return switch (t) {
      case "array" -> "[]" + type(s.path("items"));
      case "object", "" -> "Object";
      default -> t;
    };
  }

  /**
   * Every property of the schema, depth first, with its dotted path (array items stepped
   * through, as kubectl explain does). The root itself is reported with the path "".
   */
  void eachProperty(BiConsumer<String, JsonNode> visit) {
    visit.accept("", root);
    walk("", root, visit);
  }

  private static void walk(String path, JsonNode s, BiConsumer<String, JsonNode> visit) {
    JsonNode object = s;
    while (object.path("type").asText().equals("array")) object = object.path("items");
    fields(object).forEach((name, child) -> {
      String p = path.isEmpty() ? name : path + "." + name;
      visit.accept(p, child);
      walk(p, child, visit);
    });
  }

  static Map<String, JsonNode> fields(JsonNode object) {
    Map<String, JsonNode> m = new TreeMap<>();
    object.path("properties").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  private static void wrap(String text, String indent, StringBuilder out) {
    StringBuilder line = new StringBuilder(indent);
    for (String word : text.split("\\s+")) {
      if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
        out.append(line).append('\n');
        line = new StringBuilder(indent);
      }
      if (line.length() > indent.length()) line.append(' ');
      line.append(word);
    }
    out.append(line).append('\n');
  }
}
