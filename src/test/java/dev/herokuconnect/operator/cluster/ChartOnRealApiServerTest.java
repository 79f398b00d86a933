package dev.herokuconnect.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.crd.CrdSchema;
import dev.herokuconnect.operator.delivery.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chart against a real kube-apiserver (1.20.2, {@link KubeApiServerExtension}), with the real
 * helm and kubectl: what {@code helm template} renders per values is accepted by the server
 * ({@code kubectl apply --dry-run=server}), and {@code helm upgrade} replaces the CRDs (they are
 * templates), {@code helm rollback} restores them and {@code helm uninstall} keeps them
 * ({@code crds.keep}), with the custom resources in place throughout.
 *
 * <p>What 1.20 cannot take is adjusted, and only that, each named here: the CEL rules
 * ({@code x-kubernetes-validations}, from 1.25) are removed from the CRDs, as for every test on
 * this server; the lifecycle runs on a copy of the chart whose {@code kubeVersion} admits 1.20
 * (the chart asks for 1.25 because of CEL); {@code policy/v1} PodDisruptionBudgets (1.21) are
 * skipped in the dry run, counted, and nothing else may be.
 */
class ChartOnRealApiServerTest {
  @RegisterExtension
  static final KubeApiServerExtension CLUSTER = KubeApiServerExtension.withoutCrds();

  /** Kinds this server does not serve but a cluster the chart supports does (apiVersion kind). */
  static final Set<String> NOT_IN_1_20 = Set.of("policy/v1 PodDisruptionBudget");
  static final String NS = "hco-system";
  static final ObjectMapper JSON = new ObjectMapper();

  KubernetesClient kube;
  @TempDir Path dir;

  @BeforeEach
  void server() {
    CLUSTER.assumeRunning();
    kube = CLUSTER.client();
    if (kube.namespaces().withName(NS).get() == null) {
      kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    }
  }

  /** Values a platform team sets, each rendered and sent to the server as a dry run. */
  @Test
  void everyRenderIsAcceptedByTheApiServer() throws Exception {
    for (String watched : List.of("team-a", "team-b")) {
      if (kube.namespaces().withName(watched).get() == null) {
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(watched).endMetadata().build()).create();
      }
    }
    Map<String, List<String>> renders = Map.of(
        "defaults", List.of(),
        "watched namespaces", List.of("operator.watchNamespaces={team-a,team-b}"),
        "everything on", List.of("replicaCount=2", "podDisruptionBudget.enabled=true", "leaderElection.enabled=true", "networkPolicy.enabled=true",
            "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.team=monitoring",
            "networkPolicy.apiServer.to[0].ipBlock.cidr=10.0.0.1/32", "grafanaDashboard.enabled=true",
            "image.digest=sha256:" + "a".repeat(64), "crds.keep=false",
            "metrics.tls.enabled=true", "metrics.tls.secretName=metrics-cert", "metrics.bearerToken.enabled=true",
            "metrics.bearerToken.secretName=scrape-token"));
    Set<String> skipped = new TreeSet<>();
    int applied = 0;
    for (Map.Entry<String, List<String>> render : new java.util.TreeMap<>(renders).entrySet()) {
      List<JsonNode> docs = Helm.templateIn(NS, render.getValue().toArray(String[]::new));
      assertFalse(docs.isEmpty(), render.getKey());
      List<JsonNode> served = new ArrayList<>();
      for (JsonNode doc : docs) {
        String kind = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
        if (NOT_IN_1_20.contains(kind)) {
          skipped.add(kind);
        } else {
          KubeApiServerExtension.strip(doc, "x-kubernetes-validations");
          served.add(doc);
        }
      }
      // kubectl apply -n checks each object's namespace against -n: one apply per namespace
      Map<String, List<JsonNode>> byNamespace = new java.util.TreeMap<>();
      for (JsonNode doc : served) byNamespace.computeIfAbsent(doc.path("metadata").path("namespace").asText(NS), k -> new ArrayList<>()).add(doc);
      for (Map.Entry<String, List<JsonNode>> group : byNamespace.entrySet()) {
        Path file = dir.resolve(render.getKey().replace(' ', '-') + "-" + group.getKey() + ".json");
        Files.writeString(file, JSON.writeValueAsString(Map.of("apiVersion", "v1", "kind", "List", "items", group.getValue())));
        Result r = kubectl("apply", "--dry-run=server", "-n", group.getKey(), "-f", file.toString());
        assertEquals(0, r.exit(), () -> "the server refused the chart rendered with " + render.getKey() + ":\n" + r.output());
      }
      applied += served.size();
    }
    System.out.printf("kubectl apply --dry-run=server: %d objects from %d renders accepted; skipped (not served by 1.20): %s%n",
        applied, renders.size(), skipped);
    assertEquals(NOT_IN_1_20, skipped, "the PDB (replicaCount=2) is rendered and skipped, nothing else");
  }

  /**
   * install → a HerokuConnection → upgrade to a chart whose CRD changed (a new schema label and
   * printer column: what a next version's CRD change looks like) → rollback → uninstall.
   */
  @Test
  void helmUpgradeReplacesTheCrdsRollbackRestoresThemUninstallKeepsThem() throws Exception {
    String crdName = "herokuconnections.herokuconnect.dev";
    Path v1 = chartCopy("v1", false);
    helmOk("install", "hco", v1.toString(), "-n", NS);
    awaitEstablished(crdName);
    assertEquals(Integer.toString(CrdSchema.SCHEMA), schemaLabel(crdName));

    Result created = kubectlWithInput("""
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuConnection
        metadata: {name: acme}
        spec:
          appName: acme-crm
          credentials: {secretRef: {name: heroku-api, key: token}}
          database: {configVar: DATABASE_URL, schema: salesforce}
        """, "apply", "-n", NS, "-f", "-");
    assertEquals(0, created.exit(), created.output());
    String uid = connection().getMetadata().getUid();

    Path v2 = chartCopy("v2", true);
    helmOk("upgrade", "hco", v2.toString(), "-n", NS);
    assertEquals(Integer.toString(CrdSchema.SCHEMA + 1), schemaLabel(crdName), "helm upgrade replaced the CRD");
    assertTrue(printerColumns(crdName).contains("Upgraded"), "the new CRD's printer column is served");
    assertEquals(uid, connection().getMetadata().getUid(), "the HerokuConnection survived the CRD upgrade");

    helmOk("rollback", "hco", "1", "-n", NS);
    assertEquals(Integer.toString(CrdSchema.SCHEMA), schemaLabel(crdName), "helm rollback restored the CRD");
    assertFalse(printerColumns(crdName).contains("Upgraded"));
    assertEquals(uid, connection().getMetadata().getUid());

    helmOk("uninstall", "hco", "-n", NS);
    assertNotNull(kube.apiextensions().v1().customResourceDefinitions().withName(crdName).get(),
        "crds.keep (the default): helm uninstall leaves the CRD");
    assertEquals(uid, connection().getMetadata().getUid(), "and every HerokuConnection");
    System.out.printf("helm install, upgrade (CRD schema %d -> %d), rollback, uninstall: CRD kept, HerokuConnection %s kept%n",
        CrdSchema.SCHEMA, CrdSchema.SCHEMA + 1, uid);
  }

  GenericKubernetesResource connection() {
    GenericKubernetesResource c = kube.genericKubernetesResources("herokuconnect.dev/v1alpha1", "HerokuConnection")
        .inNamespace(NS).withName("acme").get();
    assertNotNull(c, "HerokuConnection acme exists");
    return c;
  }

  String schemaLabel(String crd) {
    return kube.apiextensions().v1().customResourceDefinitions().withName(crd).get().getMetadata().getLabels().get(CrdSchema.SCHEMA_LABEL);
  }

  List<String> printerColumns(String crd) {
    CustomResourceDefinition c = kube.apiextensions().v1().customResourceDefinitions().withName(crd).get();
    return c.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream().map(p -> p.getName()).toList();
  }

  void awaitEstablished(String crd) {
    kube.apiextensions().v1().customResourceDefinitions().withName(crd).waitUntilCondition(c -> c != null && c.getStatus() != null
        && c.getStatus().getConditions() != null
        && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
        KubeApiServerExtension.WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * The chart copied, with what 1.20 needs (kubeVersion, no CEL); {@code next}: the HerokuConnection
   * CRD as a next version would change it (schema label + 1, one more printer column).
   */
  Path chartCopy(String name, boolean next) throws IOException {
    Path copy = dir.resolve(name).resolve(Helm.CHART.getFileName());
    try (Stream<Path> walk = Files.walk(Helm.CHART)) {
      for (Path p : walk.toList()) {
        Path target = copy.resolve(Helm.CHART.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
    Path chartYaml = copy.resolve("Chart.yaml");
    String chart = Files.readString(chartYaml);
    String relaxed = chart.replaceFirst("(?m)^kubeVersion: .*$", "kubeVersion: \">=1.20.0-0\"");
    assertFalse(chart.equals(relaxed), "Chart.yaml names a kubeVersion");
    Files.writeString(chartYaml, relaxed);
    try (Stream<Path> crds = Files.list(copy.resolve("templates/crds"))) {
      for (Path f : crds.toList()) {
        String text = withoutBlocks(Files.readString(f), "x-kubernetes-validations:");
        if (next && f.getFileName().toString().startsWith("herokuconnections.")) {
          String label = CrdSchema.SCHEMA_LABEL + ": \"" + CrdSchema.SCHEMA + "\"";
          assertTrue(text.contains(label), "the CRD template carries " + label);
          text = text.replace(label, CrdSchema.SCHEMA_LABEL + ": \"" + (CrdSchema.SCHEMA + 1) + "\"");
          Matcher m = Pattern.compile("(?m)^( *)(- )?additionalPrinterColumns:\\n").matcher(text);
          assertTrue(m.find(), "the CRD has printer columns");
          String indent = m.group(1) + (m.group(2) == null ? "  " : "    ");
          text = text.substring(0, m.end()) + indent + "- jsonPath: .spec.appName\n" + indent + "  name: Upgraded\n"
              + indent + "  type: string\n" + text.substring(m.end());
        }
        Files.writeString(f, text);
      }
    }
    return copy;
  }

  /** Removes each line starting with {@code key} and the lines indented under it. */
  static String withoutBlocks(String text, String key) {
    StringBuilder out = new StringBuilder();
    int skipDeeperThan = -1;
    for (String line : text.split("\n", -1)) {
      int indent = line.length() - line.stripLeading().length();
      if (skipDeeperThan >= 0 && (line.isBlank() || indent > skipDeeperThan)) continue;
      skipDeeperThan = -1;
      if (line.stripLeading().startsWith(key)) {
        skipDeeperThan = indent;
        continue;
      }
      out.append(line).append('\n');
    }
    return out.substring(0, out.length() - 1);
  }

  void helmOk(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--kubeconfig=" + CLUSTER.kubeconfig());
    Helm.Result r = Helm.run(all.toArray(String[]::new));
    assertEquals(0, r.exitCode(), () -> "helm " + String.join(" ", args) + ":\n" + r.output());
  }

  record Result(int exit, String output) {}

  Result kubectl(String... args) throws Exception {
    return kubectlWithInput(null, args);
  }

  /** kubectl on this server; {@code stdin} (may be null) is what it reads for {@code -f -}. */
  Result kubectlWithInput(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(KubeApiServerExtension.kubectlBinary().toString(), "--kubeconfig=" + CLUSTER.kubeconfig()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl timed out: " + args[0]);
    }
    return new Result(p.exitValue(), out);
  }
}
