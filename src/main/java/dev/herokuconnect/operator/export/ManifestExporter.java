package dev.herokuconnect.operator.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.crd.Crds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes an existing connection and its mappings as HerokuConnection and HerokuMapping
 * manifests: every managed config key carried over, stable order and names, so that applying
 * them adopts everything with no write to the API.
 */
public final class ManifestExporter {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  /** What the manifests say about the connection. Null fields are left out. */
  public record ConnectionFacts(String app, String resourceName, String connectionId, String apiUrl, String dbKey,
                                String schemaName) {}

  /** One remote mapping: object name and config. */
  public record RemoteMapping(String objectName, MappingConfig config) {}

  /** Where the manifests go and how they behave. */
  public record Target(String namespace, String connectionName, String secretName, String secretKey, boolean observe,
                       String deletionPolicy) {}

  private ManifestExporter() {}

  public static String export(ConnectionFacts facts, List<RemoteMapping> mappings, Target target) {
    StringBuilder out = new StringBuilder();
    out.append("# Exported by heroku-connect-operator from app ").append(facts.app())
        .append(facts.resourceName() == null ? "" : " (" + facts.resourceName() + ")").append(".\n")
        .append("# The token is not exported. Create the Secret first:\n")
        .append("#   kubectl create secret generic ").append(target.secretName()).append(" -n ").append(target.namespace())
        .append(" --from-literal=").append(target.secretKey()).append("=\"$(heroku auth:token)\"\n");
    if (target.observe()) {
      out.append("# reconcile-policy: observe. Apply, check that status.drift is empty, then remove the annotation.\n");
    }
    out.append(document(connection(facts, target)));
    List<RemoteMapping> sorted = new ArrayList<>(mappings);
    sorted.sort(Comparator.comparing(m -> m.objectName().toLowerCase(Locale.ROOT)));
    Set<String> names = new HashSet<>();
    for (RemoteMapping m : sorted) out.append("---\n").append(document(mapping(m, uniqueName(dnsName(m.objectName()), names), target)));
    return out.toString();
  }

  private static Map<String, Object> connection(ConnectionFacts f, Target t) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("appName", f.app());
    putIfSet(spec, "resourceName", f.resourceName());
    putIfSet(spec, "connectionId", f.connectionId());
    putIfSet(spec, "apiUrl", f.apiUrl());
    spec.put("credentials", Map.of("secretRef", ordered("name", t.secretName(), "key", t.secretKey())));
    spec.put("database", ordered("configVar", f.dbKey() == null ? "DATABASE_URL" : f.dbKey(),
        "schema", f.schemaName() == null ? "salesforce" : f.schemaName()));
    return object("HerokuConnection", t.connectionName(), t, spec);
  }

  private static Map<String, Object> mapping(RemoteMapping m, String name, Target t) {
    MappingConfig c = m.config();
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("connectionRef", Map.of("name", t.connectionName()));
    spec.put("objectName", m.objectName());
    putIfSet(spec, "access", c.access());
    spec.put("fields", new ArrayList<>(new TreeSet<>(c.fields().keySet())));
    if (!c.indexes().isEmpty()) {
      List<Map<String, Object>> indexes = new ArrayList<>();
      new TreeSet<>(c.indexes().keySet()).forEach(f -> indexes.add(ordered("field", f, "unique", c.indexes().get(f).unique())));
      spec.put("indexes", indexes);
    }
    putIfSet(spec, "sfNotifyEnabled", c.sfNotifyEnabled());
    putIfSet(spec, "sfPollingSeconds", c.sfPollingSeconds());
    putIfSet(spec, "sfMaxDailyApiCalls", c.sfMaxDailyApiCalls());
    putIfSet(spec, "upsertField", c.upsertField());
    spec.put("deletionPolicy", t.deletionPolicy());
    return object("HerokuMapping", name, t, spec);
  }

  private static Map<String, Object> object(String kind, String name, Target t, Map<String, Object> spec) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    metadata.put("namespace", t.namespace());
    if (t.observe()) metadata.put("annotations", Map.of(Crds.RECONCILE_POLICY, Crds.POLICY_OBSERVE));
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("apiVersion", Crds.GROUP + "/" + Crds.VERSION);
    o.put("kind", kind);
    o.put("metadata", metadata);
    o.put("spec", spec);
    return o;
  }

  /** A DNS-1123 name from a Salesforce object name: Custom_Object__c becomes custom-object-c. */
  public static String dnsName(String objectName) {
    String n = objectName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (n.isEmpty()) n = "mapping";
    return n.length() > 63 ? n.substring(0, 63).replaceAll("-+$", "") : n;
  }

  private static String uniqueName(String base, Set<String> taken) {
    String name = base;
    for (int i = 2; !taken.add(name); i++) name = base + "-" + i;
    return name;
  }

  private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  private static void putIfSet(Map<String, Object> m, String key, Object value) {
    if (value != null && !(value instanceof String s && s.isBlank())) m.put(key, value);
  }

  private static String document(Map<String, Object> o) {
    try {
      return YAML.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
