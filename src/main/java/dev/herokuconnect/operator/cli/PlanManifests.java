package dev.herokuconnect.operator.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.FieldRules;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingSpec;
import dev.herokuconnect.operator.crd.Patterns;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The HerokuConnection and HerokuMapping objects in the files given to {@code plan -f}: multi-document
 * YAML (or JSON, or a v1 List such as {@code export -o json} writes), directories read recursively
 * for *.yaml, *.yml and *.json. Other kinds (Secret, Namespace...) are skipped. Every problem names
 * the file and the document (1-based) it is in; all of them are reported at once.
 */
final class PlanManifests {
  /** Where an object was read: a file and its document (and item, inside a List). */
  record Source(String file, int document, int item) {
    @Override public String toString() {
      return file + ": document " + document + (item > 0 ? ", item " + item : "");
    }
  }

  record Item<T extends HasMetadata>(T object, Source source) {
    String namespace() { return object.getMetadata().getNamespace(); }
    String name() { return object.getMetadata().getName(); }
    String ref() { return namespace() + "/" + name(); }
  }

  /** What was read, or every problem found. */
  record Read(List<Item<HerokuConnection>> connections, List<Item<HerokuMapping>> mappings, List<String> problems) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private final String defaultNamespace;
  private final InputStream stdin;
  private final List<Item<HerokuConnection>> connections = new ArrayList<>();
  private final List<Item<HerokuMapping>> mappings = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  private PlanManifests(String defaultNamespace, InputStream stdin) {
    this.defaultNamespace = defaultNamespace;
    this.stdin = stdin;
  }

  static Read read(List<String> paths, String defaultNamespace, InputStream stdin) {
    PlanManifests m = new PlanManifests(defaultNamespace, stdin);
    for (String p : paths) m.readPath(p);
    m.checkTogether();
    if (m.problems.isEmpty() && m.connections.isEmpty() && m.mappings.isEmpty()) {
      m.problems.add("no HerokuConnection or HerokuMapping found in " + String.join(", ", paths)
          + ": check the -f paths (directories are read for *.yaml, *.yml and *.json)");
    }
    return new Read(List.copyOf(m.connections), List.copyOf(m.mappings), List.copyOf(m.problems));
  }

  private void readPath(String p) {
    if (p.equals("-")) {
      try {
        readText("(stdin)", new String(stdin.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        problems.add("(stdin): cannot read: " + e.getMessage());
      }
      return;
    }
    Path path = Path.of(p);
    if (Files.isDirectory(path)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(path)) {
        files = walk.filter(Files::isRegularFile).filter(PlanManifests::isManifest).sorted().toList();
      } catch (IOException e) {
        problems.add(p + ": cannot read the directory: " + e.getMessage());
        return;
      }
      files.forEach(this::readFile);
    } else if (Files.isRegularFile(path)) {
      readFile(path);
    } else {
      problems.add(p + ": no such file or directory");
    }
  }

  private static boolean isManifest(Path f) {
    String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }

  private void readFile(Path f) {
    try {
      readText(f.toString(), Files.readString(f, StandardCharsets.UTF_8));
    } catch (IOException e) {
      problems.add(f + ": cannot read: " + e.getMessage());
    }
  }

  private void readText(String file, String text) {
    int document = 0;
    try (JsonParser parser = YAML.getFactory().createParser(text);
         MappingIterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class)) {
      while (true) {
        document++;
        JsonNode doc;
        try {
          if (!docs.hasNextValue()) break;
          doc = docs.nextValue();
        } catch (JsonProcessingException e) {
          problems.add(new Source(file, document, 0) + ": not valid YAML: " + e.getOriginalMessage() + where(e.getLocation()));
          return;
        }
        if (doc == null || doc.isNull() || doc.isMissingNode()) continue; // an empty document (--- at the end)
        if ("List".equals(doc.path("kind").asText()) && doc.path("items").isArray()) {
          int item = 0;
          for (JsonNode i : doc.path("items")) take(i, new Source(file, document, ++item));
        } else {
          take(doc, new Source(file, document, 0));
        }
      }
    } catch (IOException e) {
      problems.add(new Source(file, document, 0) + ": not valid YAML: " + e.getMessage());
    }
  }

  private static String where(JsonLocation l) {
    return l == null || l.getLineNr() < 1 ? "" : " (line " + l.getLineNr() + ")";
  }

  private void take(JsonNode doc, Source source) {
    if (!doc.isObject() || !doc.path("kind").isTextual() || !doc.path("apiVersion").isTextual()) {
      problems.add(source + ": not a Kubernetes object: apiVersion and kind are required");
      return;
    }
    String kind = doc.path("kind").asText();
    String apiVersion = doc.path("apiVersion").asText();
    if (!kind.equals("HerokuConnection") && !kind.equals("HerokuMapping")) return; // Secrets and the rest: not ours
    if (!apiVersion.startsWith(Crds.GROUP + "/")) return; // someone else's kind of the same name
    String label = kind + " " + doc.path("metadata").path("name").asText("(no name)");
    if (!apiVersion.equals(Crds.GROUP + "/" + Crds.VERSION)) {
      problems.add(source + ": " + label + ": apiVersion " + apiVersion + " is not served; use " + Crds.GROUP + "/" + Crds.VERSION);
      return;
    }
    try {
      if (kind.equals("HerokuConnection")) {
        HerokuConnection c = STRICT.convertValue(doc, HerokuConnection.class);
        if (valid(c, source, label, checkConnection(c, doc))) connections.add(new Item<>(c, source));
      } else {
        HerokuMapping m = STRICT.convertValue(doc, HerokuMapping.class);
        if (valid(m, source, label, checkMapping(m, doc))) mappings.add(new Item<>(m, source));
      }
    } catch (IllegalArgumentException e) {
      problems.add(source + ": " + label + ": " + describe(e.getCause() instanceof JsonMappingException j ? j : null, e));
    }
  }

  private static String describe(JsonMappingException j, IllegalArgumentException e) {
    if (j == null) return e.getMessage();
    String path = j.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
    if (j instanceof UnrecognizedPropertyException) return path + ": unknown field (a typo?)";
    if (j instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
      String allowed = Stream.of(f.getTargetType().getEnumConstants()).map(PlanManifests::jsonName).collect(Collectors.joining(", "));
      return path + ": '" + f.getValue() + "' is not one of " + allowed;
    }
    return path + ": " + j.getOriginalMessage().replaceAll(" at \\[Source.*", "").replaceAll("\\(class [^)]*\\)", "").strip();
  }

  private static String jsonName(Object enumConstant) {
    try {
      var p = enumConstant.getClass().getField(((Enum<?>) enumConstant).name()).getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
      return p == null ? ((Enum<?>) enumConstant).name() : p.value();
    } catch (NoSuchFieldException e) {
      return ((Enum<?>) enumConstant).name();
    }
  }

  private boolean valid(HasMetadata o, Source source, String label, List<String> found) {
    List<String> all = new ArrayList<>();
    if (o.getMetadata() == null || o.getMetadata().getName() == null || o.getMetadata().getName().isBlank()) {
      all.add("metadata.name is required");
    } else if (!o.getMetadata().getName().matches(Patterns.DNS_SUBDOMAIN)) {
      all.add("metadata.name '" + o.getMetadata().getName() + "' is not a valid Kubernetes name");
    } else if (o.getMetadata().getNamespace() == null || o.getMetadata().getNamespace().isBlank()) {
      o.getMetadata().setNamespace(defaultNamespace); // as kubectl apply -n does
    }
    all.addAll(found);
    all.forEach(p -> problems.add(source + ": " + label + ": " + p));
    return all.isEmpty();
  }

  /**
   * The field bounds (required, pattern, min/max, sizes) come from the CRD model through
   * {@link FieldRules}, as the API server would apply the generated schema; what is left here are
   * the rules across fields that the CRD states as CEL or list types.
   */
  private static List<String> checkConnection(HerokuConnection c, JsonNode doc) {
    if (c.getSpec() == null) return List.of("spec is required");
    return FieldRules.violations(HerokuConnection.class, doc);
  }

  /** Problems in the order of the model's fields, which is the order manifests are usually written in. */
  private static List<String> inFieldOrder(Class<?> kind, List<String> problems) {
    List<String> order = new ArrayList<>(FieldRules.of(kind).keySet());
    return problems.stream().sorted(Comparator.comparingInt(p -> rank(order, p))).toList();
  }

  /** Where the field a problem starts with ("spec.indexes[0].field is ...") is in {@code order}. */
  private static int rank(List<String> order, String problem) {
    String path = problem.split("[ :]", 2)[0].replaceAll("\\[\\d+]", "[]");
    for (int i = order.indexOf(path); ; i = order.indexOf(path)) {
      if (i >= 0) return i;
      int dot = path.lastIndexOf('.');
      if (dot < 0) return order.size();
      path = path.substring(0, dot);
    }
  }

  private static List<String> checkMapping(HerokuMapping m, JsonNode doc) {
    HerokuMappingSpec s = m.getSpec();
    if (s == null) return List.of("spec is required");
    List<String> p = new ArrayList<>(FieldRules.violations(HerokuMapping.class, doc));
    Set<String> seen = new HashSet<>();
    for (String f : s.getFields()) {
      if (f != null && !seen.add(f)) p.add("spec.fields lists " + f + " twice (it is a set)");
    }
    Set<String> indexed = new HashSet<>();
    for (HerokuMappingSpec.IndexSpec i : s.getIndexes()) {
      if (i.getField() == null) continue; // FieldRules: spec.indexes[k].field is required
      if (!indexed.add(i.getField())) p.add("spec.indexes has " + i.getField() + " twice (one entry per field)");
      if (!s.getFields().contains(i.getField())) p.add("spec.indexes: " + i.getField() + " must also be listed in spec.fields");
    }
    if (s.getUpsertField() != null && !s.getFields().contains(s.getUpsertField())) {
      p.add("spec.upsertField " + s.getUpsertField() + " must also be listed in spec.fields");
    }
    return inFieldOrder(HerokuMapping.class, p);
  }

  /** Across objects: no object twice, every connectionRef resolvable, one HerokuMapping per object and connection. */
  private void checkTogether() {
    Map<String, Item<HerokuConnection>> byRef = new LinkedHashMap<>();
    for (Item<HerokuConnection> c : connections) {
      Item<HerokuConnection> before = byRef.putIfAbsent(c.ref(), c);
      if (before != null) problems.add(c.source() + ": HerokuConnection " + c.ref() + " is also defined in " + before.source());
    }
    Map<String, Item<HerokuMapping>> mappingRefs = new LinkedHashMap<>();
    Map<String, Item<HerokuMapping>> objects = new LinkedHashMap<>();
    for (Item<HerokuMapping> m : mappings) {
      Item<HerokuMapping> before = mappingRefs.putIfAbsent(m.ref(), m);
      if (before != null) {
        problems.add(m.source() + ": HerokuMapping " + m.ref() + " is also defined in " + before.source());
        continue;
      }
      String conn = m.namespace() + "/" + m.object().getSpec().getConnectionRef().getName();
      if (!byRef.containsKey(conn)) {
        problems.add(m.source() + ": HerokuMapping " + m.ref() + ": spec.connectionRef.name '"
            + m.object().getSpec().getConnectionRef().getName() + "' names no HerokuConnection in namespace " + m.namespace()
            + " among the manifests given: fix the name, or add the HerokuConnection's manifest with -f");
        continue;
      }
      String key = conn + "|" + dev.herokuconnect.operator.reconciler.cluster.Binding.objectKey(m.object().getSpec().getObjectName());
      Item<HerokuMapping> same = objects.putIfAbsent(key, m);
      if (same != null) {
        problems.add(m.source() + ": HerokuMapping " + m.ref() + " maps " + m.object().getSpec().getObjectName() + " on HerokuConnection "
            + conn + ", as HerokuMapping " + same.ref() + " (" + same.source() + ") does: only one may own it; remove one");
      }
    }
  }
}
