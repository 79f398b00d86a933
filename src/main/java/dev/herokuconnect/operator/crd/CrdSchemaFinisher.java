package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.herokuconnect.operator.Version;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finishes the CRDs written by the fabric8 crd-generator plugin, for what its annotations
 * cannot say: list semantics (x-kubernetes-list-type), printer columns in the declared order (the generator sorts them by name), the descriptions of the
 * kinds and of spec and status (from their {@link JsonClassDescription}, which the generator
 * ignores), and status.conditions shaped like metav1.Condition (fabric8's Condition class
 * carries no schema facts). Run by the build right after the generator, on
 * target/classes/META-INF/fabric8. Labels each CRD with the operator's version and schema
 * ({@link CrdSchema}) and writes the chart's templates of the same CRDs into a second folder
 * (templates/crds/ in the chart: rendered when crds.enabled, kept on uninstall when crds.keep).
 */
public final class CrdSchemaFinisher {
  private static final String HEADER =
      "# Generated from the Java model by the fabric8 crd-generator and CrdSchemaFinisher: run `make crds`, do not edit.\n";
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .disable(YAMLGenerator.Feature.SPLIT_LINES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  private static final Map<String, Class<?>> KINDS =
      Map.of("HerokuConnection", HerokuConnection.class, "HerokuMapping", HerokuMapping.class);

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/classes/META-INF/fabric8");
    Path templates = Path.of(args.length > 1 ? args[1] : "target/helm-crds");
    Files.createDirectories(templates);
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith("-v1.yml")).sorted().toList()) {
        ObjectNode crd = (ObjectNode) YAML.readTree(file.toFile());
        finish(crd);
        String name = crd.path("metadata").path("name").asText();
        Files.writeString(templates.resolve(name + ".yaml"), chartTemplate(crd));
        label(crd, Version.get());
        Files.writeString(file, HEADER + YAML.writeValueAsString(crd));
      }
    }
  }

  /** The labels of a CRD applied with kubectl: the operator's version, its schema, what it is part of. */
  static void label(ObjectNode crd, String version) {
    ObjectNode metadata = (ObjectNode) crd.path("metadata");
    ObjectNode labels = metadata.putObject("labels");
    labels.put(CrdSchema.VERSION_LABEL, version);
    labels.put(CrdSchema.PART_OF_LABEL, "heroku-connect-operator");
    labels.put(CrdSchema.SCHEMA_LABEL, String.valueOf(CrdSchema.SCHEMA));
  }

  /**
   * The same CRD as a chart template: only when crds.enabled, the chart's labels (whose
   * app.kubernetes.io/version is the chart's appVersion, the pom's version) plus the schema, and
   * helm.sh/resource-policy: keep when crds.keep, so that neither an uninstall nor a rollback to a
   * chart without them deletes the CRDs, and every HerokuConnection and HerokuMapping with them.
   */
  static String chartTemplate(ObjectNode finished) throws IOException {
    ObjectNode crd = finished.deepCopy();
    String name = crd.path("metadata").path("name").asText();
    crd.putObject("metadata").put("name", name);
    String yaml = YAML.writeValueAsString(crd);
    String plain = "metadata:\n  name: " + name + "\n";
    if (!yaml.contains(plain) || yaml.contains("{{")) throw new IllegalStateException("cannot template " + name);
    String metadata = plain
        + "  labels:\n"
        + "    {{- include \"hco.labels\" . | nindent 4 }}\n"
        + "    " + CrdSchema.SCHEMA_LABEL + ": \"" + CrdSchema.SCHEMA + "\"\n"
        + "  {{- if .Values.crds.keep }}\n"
        + "  annotations:\n"
        + "    helm.sh/resource-policy: keep\n"
        + "  {{- end }}\n";
    return HEADER + "{{- if .Values.crds.enabled }}\n" + yaml.replace(plain, metadata) + "{{- end }}\n";
  }

  static void finish(ObjectNode crd) {
    Class<?> kind = KINDS.get(crd.path("spec").path("names").path("kind").asText());
    for (JsonNode version : crd.path("spec").path("versions")) {
      orderPrinterColumns((ObjectNode) version, kind);
      ObjectNode root = (ObjectNode) version.path("schema").path("openAPIV3Schema");
      describe(root, kind);
      describe((ObjectNode) root.path("properties").path("spec"), typeArgument(kind, 0));
      describe((ObjectNode) root.path("properties").path("status"), typeArgument(kind, 1));
      metav1Conditions((ObjectNode) root.path("properties").path("status").path("properties").path("conditions"));
      JsonNode spec = root.path("properties").path("spec");
      if (kind == HerokuConnection.class) { // root-level: the rules read the status
        ArrayNode rules = root.putArray("x-kubernetes-validations");
        java.util.stream.Stream.concat(ConnectionIdentity.CEL_RULES.stream(), ApiVersions.CEL_RULES.stream())
            .forEach(r -> rules.addObject().put("rule", r.rule()).put("message", r.message()));
      }
      if (kind == HerokuMapping.class) {
        ObjectNode fields = (ObjectNode) spec.path("properties").path("fields");
        fields.put("x-kubernetes-list-type", "set");
        ObjectNode indexes = (ObjectNode) spec.path("properties").path("indexes");
        indexes.put("x-kubernetes-list-type", "map");
        indexes.putArray("x-kubernetes-list-map-keys").add("field");
      }
    }
  }

  /** The Javadoc of metav1.Condition, in this operator's words. */
  static final Map<String, String> CONDITION_FIELDS = Map.of(
      "type", "Ready, Reconciling or Stalled (kstatus). The list's key: at most one condition per type.",
      "status", "True, False or Unknown.",
      "observedGeneration", "The metadata.generation the condition was set for; lower than metadata.generation "
          + "means the condition is out of date.",
      "lastTransitionTime", "When status last changed (RFC 3339); it does not move while status stays the same.",
      "reason", "Why, in one CamelCase word, e.g. Synced, Progressing, Paused, RateLimited, Throttled, "
          + "NeedsSalesforceAuthorization, ConnectionNotReady, ConnectionNotFound, InvalidSpec, Unauthorized, "
          + "RemoteError, Conflict, ProvisioningAddon (README, \"Conditions and what to do\").",
      "message", "What happened and what to do, for a person; empty when there is nothing to say.");

  /**
   * status.conditions as Kubernetes declares metav1.Condition: a list-map keyed by type, all five
   * fields required, status an enum, reason CamelCase, time a date-time, generation an int64 >= 0.
   */
  private static void metav1Conditions(ObjectNode conditions) {
    conditions.put("x-kubernetes-list-type", "map");
    conditions.putArray("x-kubernetes-list-map-keys").add("type");
    ObjectNode item = (ObjectNode) conditions.path("items");
    putFirst(item, "description", "One aspect of the object's state (metav1.Condition).");
    ObjectNode p = (ObjectNode) item.path("properties");
    ((ObjectNode) p.path("type"))
        .put("maxLength", 316)
        .put("pattern", "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$");
    ((ObjectNode) p.path("status")).putArray("enum").add("True").add("False").add("Unknown");
    ((ObjectNode) p.path("observedGeneration")).put("format", "int64").put("minimum", 0);
    ((ObjectNode) p.path("lastTransitionTime")).put("format", "date-time");
    ((ObjectNode) p.path("reason"))
        .put("maxLength", 1024)
        .put("minLength", 1)
        .put("pattern", "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
    ((ObjectNode) p.path("message")).put("maxLength", 32768);
    CONDITION_FIELDS.forEach((name, text) -> {
      if (!p.has(name)) throw new IllegalStateException("status.conditions[] has no " + name);
      putFirst((ObjectNode) p.get(name), "description", text);
    });
    item.putArray("required").add("type").add("status").add("lastTransitionTime").add("reason").add("message");
  }

  private static void describe(ObjectNode schema, Class<?> type) {
    JsonClassDescription d = type.getAnnotation(JsonClassDescription.class);
    if (d == null) throw new IllegalStateException(type.getName() + " has no @JsonClassDescription");
    putFirst(schema, "description", d.value());
  }

  /** The spec (0) or status (1) class of a CustomResource subclass. */
  private static Class<?> typeArgument(Class<?> kind, int index) {
    if (!(kind.getGenericSuperclass() instanceof ParameterizedType t) || t.getRawType() != CustomResource.class) {
      throw new IllegalStateException(kind.getName() + " must extend CustomResource<Spec, Status> directly");
    }
    return (Class<?>) t.getActualTypeArguments()[index];
  }

  /** Puts a key before the others, so a reader meets the description first. */
  private static void putFirst(ObjectNode node, String key, String value) {
    ObjectNode rest = node.deepCopy();
    rest.remove(key);
    node.removeAll();
    node.put(key, value);
    node.setAll(rest);
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
