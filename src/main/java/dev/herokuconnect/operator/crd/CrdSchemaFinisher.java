package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finishes the CRDs written by the fabric8 crd-generator plugin, for what its annotations
 * cannot say: list semantics (x-kubernetes-list-type), a pattern on list items, and printer
 * columns in the declared order (the generator sorts them by name). Run by the build right
 * after the generator, on target/classes/META-INF/fabric8.
 */
public final class CrdSchemaFinisher {
  private static final String HEADER =
      "# Generated from the Java model by the fabric8 crd-generator and CrdSchemaFinisher: run `make crds`, do not edit.\n";
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  private static final Map<String, Class<?>> KINDS =
      Map.of("HerokuConnection", HerokuConnection.class, "HerokuMapping", HerokuMapping.class);

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/classes/META-INF/fabric8");
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith("-v1.yml")).sorted().toList()) {
        ObjectNode crd = (ObjectNode) YAML.readTree(file.toFile());
        finish(crd);
        Files.writeString(file, HEADER + YAML.writeValueAsString(crd));
      }
    }
  }

  static void finish(ObjectNode crd) {
    Class<?> kind = KINDS.get(crd.path("spec").path("names").path("kind").asText());
    for (JsonNode version : crd.path("spec").path("versions")) {
      orderPrinterColumns((ObjectNode) version, kind);
      JsonNode spec = version.path("schema").path("openAPIV3Schema").path("properties").path("spec");
      if (kind == HerokuMapping.class) {
        ObjectNode fields = (ObjectNode) spec.path("properties").path("fields");
        fields.put("x-kubernetes-list-type", "set");
        ((ObjectNode) fields.path("items"))
            .put("pattern", Patterns.SALESFORCE_NAME)
            .put("maxLength", 80);
        ObjectNode indexes = (ObjectNode) spec.path("properties").path("indexes");
        indexes.put("x-kubernetes-list-type", "map");
        indexes.putArray("x-kubernetes-list-map-keys").add("field");
      }
    }
  }

  private static void orderPrinterColumns(ObjectNode version, Class<?> kind) {
    List<String> declared =
        Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    List<JsonNode> columns = new ArrayList<>();
    version.path("additionalPrinterColumns").forEach(columns::add);
    columns.sort((a, b) -> declared.indexOf(a.path("name").asText()) - declared.indexOf(b.path("name").asText()));
    ArrayNode ordered = version.putArray("additionalPrinterColumns");
    columns.forEach(ordered::add);
  }

  private CrdSchemaFinisher() {}
}
