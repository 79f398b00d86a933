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
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code export}: writes an existing connection (read through the API, or from an export
 * file) as manifests that the operator adopts without a single write.
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Cli.VersionProvider.class,
    description = {
        "Reads the app's Heroku Connect add-on (discovery as the operator does; token from HEROKU_API_KEY or "
            + "--token-file) and writes a HerokuConnection and one HerokuMapping per remote mapping. The token is sent "
            + "only to hosts in HEROKU_CONNECT_API_HOSTS (default *.heroku.com), as by the operator. With --from-file "
            + "it works offline from a file that the dashboard's or the CLI's export produced. --observe marks "
            + "everything observe-only, so you can apply, check that status.drift is empty, then switch to manage. "
            + "Mappings are exported with deletionPolicy Orphan unless --deletion-policy Delete is given.",
        "",
        "Output: YAML documents (-o yaml, the default) or one JSON v1 List (-o json), on standard output or into "
            + "--output-file FILE. Both can be applied with kubectl apply -f.",
        ""})
public final class ExportCommand implements Callable<Integer> {
  private final Cli.Io io;
  @Spec CommandSpec spec;

  @Option(names = "--app", required = true, paramLabel = "APP", description = "the Heroku app (name or UUID)")
  String app;
  @Option(names = "--namespace", required = true, paramLabel = "NS", description = "the namespace of the manifests")
  String namespace;
  @Option(names = "--connection-name", required = true, paramLabel = "NAME", description = "the HerokuConnection's name")
  String connectionName;
  @Option(names = "--resource-name", paramLabel = "R", description = "the add-on, when the app has several")
  String resourceName;
  @Option(names = "--secret", paramLabel = "NAME", description = "the token Secret's name (default: heroku-api)")
  String secret;
  @Option(names = "--secret-key", paramLabel = "KEY", description = "the token's key in it (default: token)")
  String secretKey;
  @Option(names = "--observe", description = "mark everything observe-only")
  boolean observe;
  @Option(names = "--deletion-policy", paramLabel = "Orphan|Delete", completionCandidates = DeletionPolicies.class,
      description = "the mappings' deletionPolicy (default: Orphan)")
  String deletionPolicy;
  @Option(names = "--from-file", paramLabel = "EXPORT.json", description = "work offline from a Heroku Connect export")
  String fromFile;
  @Mixin ApiAccess api;
  @Option(names = {"-o", "--output"}, paramLabel = "yaml|json", completionCandidates = Formats.class,
      description = "the format (default: yaml)")
  String format = "yaml";
  @Option(names = "--output-file", paramLabel = "FILE", description = "write into FILE instead of standard output")
  String outputFile;

  static final class Formats extends java.util.ArrayList<String> {
    Formats() { super(List.of("yaml", "json")); }
  }

  static final class DeletionPolicies extends java.util.ArrayList<String> {
    DeletionPolicies() { super(List.of("Orphan", "Delete")); }
  }

  ExportCommand(Cli.Io io) {
    this.io = io;
  }

  /** A mistake in how the command was called: a usage error. */
  static final class UsageError extends RuntimeException {
    UsageError(String message) { super(message); }
  }

  /** A problem only the caller's environment can fix (no token): an error. */
  static final class ExportError extends RuntimeException {
    ExportError(String message) { super(message); }
  }

  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    String[] all = new String[args.length + 1];
    all[0] = "export";
    System.arraycopy(args, 0, all, 1, args.length);
    return Cli.execute(new Cli.Io(env, InputStream.nullInputStream(), out, err), all);
  }

  @Override
  public Integer call() {
    PrintStream err = io.err();
    try {
      if (!format.equals("yaml") && !format.equals("json")) {
        // before --output-file existed, -o named the file; now it only picks the format
        throw new UsageError("-o/--output is yaml or json, not '" + format + "'"
            + (format.contains(".") || format.contains("/") ? "; write to a file with --output-file " + format : ""));
      }
      String yaml = export(options(), io.env());
      String text = format.equals("json") ? asJsonList(yaml) : yaml;
      if (outputFile != null) Files.writeString(Path.of(outputFile), text, StandardCharsets.UTF_8);
      else io.out().print(text);
      return Cli.OK;
    } catch (UsageError e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } catch (ExportError | ConnectionFinder.NotFound | ConnectApiException | IllegalArgumentException e) {
      err.println("export: " + e.getMessage());
      return Cli.ERROR;
    } catch (IOException e) {
      err.println("export: " + e.getMessage());
      return Cli.ERROR;
    }
  }

  /** The options as the exporter reads them. */
  private Map<String, String> options() {
    Map<String, String> o = new HashMap<>();
    o.put("app", app);
    o.put("namespace", namespace);
    o.put("connection-name", connectionName);
    if (resourceName != null) o.put("resource-name", resourceName);
    if (secret != null) o.put("secret", secret);
    if (secretKey != null) o.put("secret-key", secretKey);
    if (observe) o.put("observe", "");
    if (deletionPolicy != null) o.put("deletion-policy", deletionPolicy);
    if (fromFile != null) o.put("from-file", fromFile);
    if (api.tokenFile != null) o.put("token-file", api.tokenFile);
    if (api.discoveryUrl != null) o.put("discovery-url", api.discoveryUrl);
    return o;
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
    if (v == null || v.isBlank()) throw new ExportError("no token: set HEROKU_API_KEY or pass --token-file (or use --from-file)");
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
}
