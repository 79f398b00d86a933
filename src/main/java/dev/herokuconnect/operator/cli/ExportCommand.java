package dev.herokuconnect.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.connect.ConnectApi;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectHttp;
import dev.herokuconnect.operator.connect.ConnectionFinder;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.ExportedConfiguration;
import dev.herokuconnect.operator.connect.RequestGate;
import dev.herokuconnect.operator.crd.Patterns;
import dev.herokuconnect.operator.export.ManifestExporter.ConnectionFacts;
import dev.herokuconnect.operator.export.ManifestExporter.RemoteMapping;
import dev.herokuconnect.operator.export.ManifestExporter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code export}: writes an existing connection (read through the API, or from an export
 * file) as manifests that the operator adopts without a single write.
 */
public final class ExportCommand {
  static final String USAGE = """
      Usage: java -jar heroku-connect-operator.jar export --app APP --namespace NS --connection-name NAME
               [--resource-name R] [--secret NAME] [--secret-key KEY] [--observe] [--deletion-policy Orphan|Delete]
               [--from-file EXPORT.json] [--token-file FILE] [--discovery-url URL]
               [-o|--output yaml|json] [--output-file FILE]

      Reads the app's Heroku Connect add-on (discovery as the operator does; token from
      HEROKU_API_KEY or --token-file) and writes a HerokuConnection and one HerokuMapping per
      remote mapping. The token is sent only to hosts in HEROKU_CONNECT_API_HOSTS (default
      *.heroku.com), as by the operator. With --from-file it works offline from a file that the dashboard's or the
      CLI's export produced. --observe marks everything observe-only, so you can apply, check
      that status.drift is empty, then switch to manage. Mappings are exported with
      deletionPolicy Orphan unless --deletion-policy Delete is given.

      Output: YAML documents (-o yaml, the default) or one JSON v1 List (-o json), on standard
      output or into --output-file FILE. Both can be applied with kubectl apply -f.
      (-o FILE, the old way to name the file, still works and says so.)
      """;

  private ExportCommand() {}

  /** A mistake in how the command was called; exit code 2. */
  static final class UsageError extends RuntimeException {
    UsageError(String message) { super(message); }
  }

  static int run(String[] args) {
    return run(args, System.getenv(), System.out, System.err);
  }

  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    try {
      Map<String, String> opts = parse(args);
      if (opts.containsKey("help")) {
        out.print(USAGE);
        return 0;
      }
      String format = opts.getOrDefault("o", "yaml");
      if (!format.equals("yaml") && !format.equals("json")) {
        if (opts.containsKey("output-file")) throw new UsageError("-o/--output is yaml or json, not '" + format + "'");
        // before --output-file existed, -o named the file
        err.println("export: -o FILE is deprecated and will be removed: use --output-file " + format
            + " (-o/--output now picks the format: yaml or json)");
        opts.put("output-file", format);
        format = "yaml";
      }
      String yaml = export(opts, env);
      String text = format.equals("json") ? asJsonList(yaml) : yaml;
      if (opts.containsKey("output-file")) Files.writeString(Path.of(opts.get("output-file")), text, StandardCharsets.UTF_8);
      else out.print(text);
      return 0;
    } catch (UsageError e) {
      err.println("export: " + e.getMessage());
      err.println();
      err.print(USAGE);
      return 2;
    } catch (ConnectionFinder.NotFound | ConnectApiException | IllegalArgumentException e) {
      err.println("export: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("export: " + e.getMessage());
      return 1;
    }
  }

  static String export(Map<String, String> o, Map<String, String> env) throws IOException {
    List<String> missing = java.util.stream.Stream.of("app", "namespace", "connection-name")
        .filter(k -> o.get(k) == null || o.get(k).isBlank()).map(k -> "--" + k).toList();
    if (!missing.isEmpty()) throw new UsageError(String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " required");
    String app = o.get("app");
    if (!app.matches(Patterns.APP)) throw new UsageError("--app '" + app + "' is not a Heroku app name or UUID");
    String policy = o.getOrDefault("deletion-policy", "Orphan");
    if (!policy.equals("Orphan") && !policy.equals("Delete")) throw new UsageError("--deletion-policy is Orphan or Delete, not '" + policy + "'");
    String connectionName = o.get("connection-name");
    String namespace = o.get("namespace");
    for (String name : List.of(connectionName, namespace)) {
      if (!name.matches(Patterns.DNS_SUBDOMAIN)) throw new UsageError("'" + name + "' is not a valid Kubernetes name");
    }
    ManifestExporter.Target target = new ManifestExporter.Target(namespace, connectionName,
        o.getOrDefault("secret", "heroku-api"), o.getOrDefault("secret-key", "token"), o.containsKey("observe"), policy);
    return o.containsKey("from-file") ? fromFile(Path.of(o.get("from-file")), app, o, target) : fromApi(app, o, env, target);
  }

  private static String fromApi(String app, Map<String, String> o, Map<String, String> env, ManifestExporter.Target target)
      throws IOException {
    ApiToken token = token(o, env);
    String discovery = o.getOrDefault("discovery-url", env.getOrDefault(OperatorConfig.DISCOVERY_URL, OperatorConfig.DEFAULT_DISCOVERY_URL));
    ConnectHttp http = new ConnectHttp(token, RequestGate.OPEN, ConnectHttp.Options.defaults().withHosts(OperatorConfig.apiHosts(env)),
        java.time.Clock.systemUTC());
    ConnectionFinder.Found found = new ConnectionFinder(http, discovery, RequestGate.Priority.USER)
        .find(new ConnectionFinder.Query(app, o.get("resource-name"), null, null));
    Connection c = new ConnectApi(http, found.apiRoot(), found.connectionId(), RequestGate.Priority.USER)
        .getConnection(found.connectionId(), true);
    ConnectionFacts facts = new ConnectionFacts(app, found.resourceName(), found.connectionId(), found.apiRoot(), c.dbKey(), c.schemaName());
    List<RemoteMapping> mappings = c.mappingsOrEmpty().stream().map(m -> new RemoteMapping(m.objectName(), m.config())).toList();
    return ManifestExporter.export(facts, mappings, target);
  }

  private static String fromFile(Path file, String app, Map<String, String> o, ManifestExporter.Target target) throws IOException {
    if (!Files.isReadable(file)) throw new IOException("cannot read " + file);
    ExportedConfiguration exported;
    try {
      JsonNode tree = new ObjectMapper().readTree(Files.readAllBytes(file));
      if (tree == null || !tree.path("mappings").isArray()) {
        throw new IllegalArgumentException(file + " is not a Heroku Connect export: it has no \"mappings\" list");
      }
      exported = new ObjectMapper().convertValue(tree, ExportedConfiguration.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage());
    }
    JsonNode conn = exported.connection();
    ConnectionFacts facts = new ConnectionFacts(app, o.get("resource-name"), null, null,
        conn == null ? null : conn.path("db_key").asText(null), conn == null ? null : conn.path("schema_name").asText(null));
    List<RemoteMapping> mappings = exported.mappings().stream().map(m -> {
      if (m.objectName() == null || m.config() == null) {
        throw new IllegalArgumentException(file + " has a mapping without object_name or config");
      }
      return new RemoteMapping(m.objectName(), m.config());
    }).toList();
    return ManifestExporter.export(facts, mappings, target);
  }

  private static ApiToken token(Map<String, String> o, Map<String, String> env) throws IOException {
    if (o.containsKey("token-file")) {
      Path f = Path.of(o.get("token-file"));
      if (!Files.isReadable(f)) throw new IOException("cannot read the token file " + f);
      return new ApiToken(Files.readString(f));
    }
    String v = env.get("HEROKU_API_KEY");
    if (v == null || v.isBlank()) throw new UsageError("no token: set HEROKU_API_KEY or pass --token-file (or use --from-file)");
    return new ApiToken(v);
  }

  /** The YAML documents as one {@code v1 List}, which kubectl applies like the documents. */
  static String asJsonList(String yaml) throws IOException {
    ObjectMapper json = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode list = json.createObjectNode().put("apiVersion", "v1").put("kind", "List");
    com.fasterxml.jackson.databind.node.ArrayNode items = list.putArray("items");
    com.fasterxml.jackson.dataformat.yaml.YAMLFactory yamlFactory = new com.fasterxml.jackson.dataformat.yaml.YAMLFactory();
    try (var parser = yamlFactory.createParser(yaml)) {
      var docs = new ObjectMapper(yamlFactory).readValues(parser, JsonNode.class);
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) items.add(doc);
      }
    }
    return json.writerWithDefaultPrettyPrinter().writeValueAsString(list) + "\n";
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> o.put("help", "");
        case "--observe" -> o.put("observe", "");
        default -> {
          if (!a.startsWith("-")) throw new UsageError("unexpected argument '" + a + "'");
          String key = a.replaceFirst("^--?", "");
          if (!List.of("app", "resource-name", "namespace", "connection-name", "secret", "secret-key", "o", "output",
              "output-file", "from-file", "token-file", "discovery-url", "deletion-policy").contains(key)) {
            throw new UsageError("unknown option " + a);
          }
          if (i + 1 >= args.length) throw new UsageError(a + " needs a value");
          o.put(key.equals("output") ? "o" : key, args[++i]);
        }
      }
    }
    return o;
  }
}
