package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the API server does with a CRD's schema on create and update, without a cluster:
 * the openAPIV3Schema with a real JSON-schema validator, list-type set/map uniqueness, and
 * x-kubernetes-validations with a real CEL engine (transition rules only on update).
 */
public final class CrdValidator {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN).addVar("oldSelf", SimpleType.DYN).build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final JsonNode openApiSchema;
  private final JsonSchema schema;

  public CrdValidator(Path crd) throws IOException {
    JsonNode doc = YAML.readTree(crd.toFile());
    openApiSchema = doc.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApiSchema);
  }

  /** Schema errors a kubectl apply would report, empty when the object is accepted. */
  public List<String> validate(JsonNode object, JsonNode old) {
    List<String> errors = new ArrayList<>();
    JsonNode body = object.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) body).remove(List.of("apiVersion", "kind", "metadata"));
    for (ValidationMessage m : schema.validate(body)) errors.add(m.getMessage());
    walk("", openApiSchema, body, old == null ? null : old, errors);
    return errors;
  }

  private void walk(String path, JsonNode s, JsonNode value, JsonNode old, List<String> errors) {
    if (value == null || value.isMissingNode() || value.isNull()) return;
    listType(path, s, value, errors);
    for (JsonNode rule : s.path("x-kubernetes-validations")) {
      String expr = rule.path("rule").asText();
      boolean transition = expr.contains("oldSelf");
      if (transition && (old == null || old.isMissingNode() || old.isNull())) continue;
      if (!Boolean.TRUE.equals(eval(expr, value, old))) {
        String at = path + rule.path("fieldPath").asText("");
        errors.add(at.substring(Math.min(1, at.length())) + ": Invalid value: " + rule.path("message").asText());
      }
    }
    if (value.isObject()) {
      s.path("properties").fields().forEachRemaining(p ->
          walk(path + "." + p.getKey(), p.getValue(), value.get(p.getKey()), old == null ? null : old.get(p.getKey()), errors));
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) walk(path + "[" + i + "]", s.path("items"), value.get(i), null, errors);
    }
  }

  private static void listType(String path, JsonNode s, JsonNode value, List<String> errors) {
    String type = s.path("x-kubernetes-list-type").asText("");
    if (!value.isArray() || type.isEmpty()) return;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      String key = switch (type) {
        case "set" -> item.toString();
        case "map" -> {
          StringBuilder k = new StringBuilder();
          s.path("x-kubernetes-list-map-keys").forEach(f -> k.append(item.path(f.asText()).toString()).append('/'));
          yield k.toString();
        }
        default -> null;
      };
      if (key != null && !seen.add(key)) {
        errors.add(path.substring(1) + "[" + i + "]: Duplicate value: " + (type.equals("set") ? item : key));
      }
    }
  }

  private static Object eval(String expr, JsonNode self, JsonNode old) {
    try {
      CelRuntime.Program program = RUNTIME.createProgram(CEL.compile(expr).getAst());
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", toCel(self));
      if (old != null) vars.put("oldSelf", toCel(old));
      return program.eval(vars);
    } catch (Exception e) {
      throw new IllegalStateException("CEL rule '" + expr + "' failed: " + e.getMessage(), e);
    }
  }

  /** JSON as CEL sees it: maps, lists, strings, int64, double, bool. */
  static Object toCel(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(e -> m.put(e.getKey(), toCel(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(i -> l.add(toCel(i)));
      return l;
    }
    if (n.isIntegralNumber()) return n.asLong();
    if (n.isNumber()) return n.asDouble();
    if (n.isBoolean()) return n.asBoolean();
    return n.asText();
  }
}
