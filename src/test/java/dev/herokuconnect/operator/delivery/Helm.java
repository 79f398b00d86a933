package dev.herokuconnect.operator.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the real helm binary (fetched by `make tools`) on the chart. Public for the real-API-server tests (cluster/). */
public final class Helm {
  public static final Path CHART = Path.of("helm/heroku-connect-operator");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public record Result(int exitCode, String output) {}

  public static String binary() {
    String fromEnv = System.getenv("HELM_BIN");
    Path local = Path.of(".tools/helm/helm");
    String helm = fromEnv != null && Files.isExecutable(Path.of(fromEnv)) ? fromEnv
        : Files.isExecutable(local) ? local.toString() : null;
    if (helm == null && System.getenv("CI") != null) {
      throw new IllegalStateException("helm not found: CI must run `make test`, which fetches it (make tools)");
    }
    Assumptions.assumeTrue(helm != null, "helm not found: run `make tools` (make test does)");
    return helm;
  }

  public static Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("helm timed out: " + cmd);
    }
    return new Result(p.exitValue(), out);
  }

  /** helm template with --set pairs; the rendered objects. */
  public static List<JsonNode> template(String... sets) throws IOException, InterruptedException {
    return templateIn("ops", sets);
  }

  /** helm template of release hco into {@code namespace} with --set pairs; the rendered objects. */
  public static List<JsonNode> templateIn(String namespace, String... sets) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("template", "hco", CHART.toString(), "--namespace", namespace));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    Result r = run(args.toArray(String[]::new));
    if (r.exitCode() != 0) throw new IllegalStateException("helm template failed:\n" + r.output());
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(r.output())) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode() && n.has("kind")) docs.add(n);
      }
    }
    return docs;
  }

  public static JsonNode find(List<JsonNode> docs, String kind, String name) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)
        && (name == null || d.path("metadata").path("name").asText().equals(name))).findFirst().orElse(null);
  }

  public static List<JsonNode> all(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  private Helm() {}
}
