package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart, rendered by the real helm binary, with each option. */
class HelmChartTest {
  static JsonNode container(List<JsonNode> docs) {
    return Helm.find(docs, "Deployment", null).path("spec").path("template").path("spec").path("containers").get(0);
  }

  static Map<String, String> env(List<JsonNode> docs) {
    Map<String, String> env = new HashMap<>();
    container(docs).path("env").forEach(e -> env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : "<from>"));
    return env;
  }

  static List<String> rules(JsonNode role) {
    List<String> out = new ArrayList<>();
    role.path("rules").forEach(r -> r.path("resources").forEach(res -> out.add(
        r.path("apiGroups").get(0).asText() + "/" + res.asText() + ":" + r.path("verbs").toString())));
    return out;
  }

  @Test
  void lintStrict() throws Exception {
    Helm.Result r = Helm.run("lint", "--strict", Helm.CHART.toString());
    assertEquals(0, r.exitCode(), r.output());
  }

  @Test
  void defaultsAreLeastPrivilegeAndLockedDown() throws Exception {
    List<JsonNode> docs = Helm.template();
    JsonNode role = Helm.find(docs, "ClusterRole", null);
    assertNotNull(role, "cluster-wide RBAC by default");
    assertEquals(List.of(
        "herokuconnect.dev/herokuconnections:[\"get\",\"list\",\"watch\",\"patch\",\"update\"]",
        "herokuconnect.dev/herokumappings:[\"get\",\"list\",\"watch\",\"patch\",\"update\"]",
        "herokuconnect.dev/herokuconnections/status:[\"get\",\"patch\",\"update\"]",
        "herokuconnect.dev/herokumappings/status:[\"get\",\"patch\",\"update\"]",
        "herokuconnect.dev/herokuconnections/finalizers:[\"update\"]",
        "herokuconnect.dev/herokumappings/finalizers:[\"update\"]",
        "/secrets:[\"get\",\"list\",\"watch\",\"patch\"]",
        "/events:[\"create\",\"patch\"]"), rules(role));
    assertTrue(Helm.all(docs, "Role").isEmpty(), "no lease Role without leader election");
    JsonNode pod = Helm.find(docs, "Deployment", null).path("spec").path("template").path("spec");
    assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
    assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText());
    JsonNode sc = container(docs).path("securityContext");
    assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
    assertEquals(false, sc.path("allowPrivilegeEscalation").asBoolean(true));
    assertEquals("[\"ALL\"]", sc.path("capabilities").path("drop").toString());
    assertEquals("/healthz", container(docs).path("livenessProbe").path("httpGet").path("path").asText());
    assertEquals("/readyz", container(docs).path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals("/healthz", container(docs).path("startupProbe").path("httpGet").path("path").asText());
    assertEquals("512Mi", container(docs).path("resources").path("limits").path("memory").asText());
    Map<String, String> env = env(docs);
    assertEquals("4500", env.get("HEROKU_CONNECT_DAILY_BUDGET"));
    assertEquals("https://hc-central.heroku.com", env.get("HEROKU_CONNECT_DISCOVERY_URL"));
    assertEquals("", env.get("WATCH_NAMESPACES"));
    assertEquals("false", env.get("LEADER_ELECTION_ENABLED"));
    assertTrue(env.get("JAVA_TOOL_OPTIONS").contains("MaxRAMPercentage"));
    assertEquals("Recreate", Helm.find(docs, "Deployment", null).path("spec").path("strategy").path("type").asText());
    assertNotNull(Helm.find(docs, "Service", "hco-heroku-connect-operator-metrics"));
    assertNull(Helm.find(docs, "ServiceMonitor", null));
    assertNull(Helm.find(docs, "ConfigMap", null));
  }

  @Test
  void watchNamespacesGivesNamespacedRoles() throws Exception {
    List<JsonNode> docs = Helm.template("operator.watchNamespaces={crm,sales}");
    assertNull(Helm.find(docs, "ClusterRole", null));
    List<JsonNode> roles = Helm.all(docs, "Role");
    assertEquals(List.of("crm", "sales"), roles.stream().map(r -> r.path("metadata").path("namespace").asText()).toList());
    assertEquals(rules(roles.get(0)), rules(roles.get(1)));
    assertEquals(2, Helm.all(docs, "RoleBinding").size());
    assertEquals("crm,sales", env(docs).get("WATCH_NAMESPACES"));
  }

  @Test
  void moreReplicasTurnLeaderElectionOn() throws Exception {
    List<JsonNode> docs = Helm.template("replicaCount=2");
    Map<String, String> env = env(docs);
    assertEquals("true", env.get("LEADER_ELECTION_ENABLED"));
    assertEquals("ops", env.get("LEADER_ELECTION_NAMESPACE"));
    JsonNode lease = Helm.find(docs, "Role", "hco-heroku-connect-operator-leader-election");
    assertEquals(List.of("coordination.k8s.io/leases:[\"get\",\"create\",\"update\"]"), rules(lease));
    assertEquals("ops", lease.path("metadata").path("namespace").asText());
    assertEquals("RollingUpdate", Helm.find(docs, "Deployment", null).path("spec").path("strategy").path("type").asText());
    assertEquals("/readyz?standby=true", container(docs).path("readinessProbe").path("httpGet").path("path").asText(),
        "a synced standby is ready, or a rollout with maxUnavailable 0 would wait for a Lease the old pod holds");
    assertEquals("true", env(Helm.template("leaderElection.enabled=true")).get("LEADER_ELECTION_ENABLED"));
  }

  @Test
  void everyOptionReachesTheDeployment() throws Exception {
    List<JsonNode> docs = Helm.template("image.repository=registry.example/hco", "image.tag=1.2.3",
        "operator.dailyBudget=1000", "operator.refreshInterval=10m", "operator.discoveryUrl=https://hc.example",
        "logging.level=DEBUG", "logging.format=text", "extraEnv[0].name=HTTPS_PROXY", "extraEnv[0].value=http://proxy:3128",
        "nodeSelector.pool=ops", "tolerations[0].key=dedicated", "tolerations[0].operator=Exists",
        "metrics.serviceMonitor.enabled=true", "argocd.healthChecks.enabled=true", "resources.limits.memory=1Gi");
    Map<String, String> env = env(docs);
    assertEquals("registry.example/hco:1.2.3", container(docs).path("image").asText());
    assertEquals("1000", env.get("HEROKU_CONNECT_DAILY_BUDGET"));
    assertEquals("10m", env.get("HEROKU_CONNECT_REFRESH_INTERVAL"));
    assertEquals("https://hc.example", env.get("HEROKU_CONNECT_DISCOVERY_URL"));
    assertEquals("DEBUG", env.get("LOG_LEVEL"));
    assertEquals("text", env.get("LOG_FORMAT"));
    assertEquals("http://proxy:3128", env.get("HTTPS_PROXY"));
    JsonNode pod = Helm.find(docs, "Deployment", null).path("spec").path("template").path("spec");
    assertEquals("ops", pod.path("nodeSelector").path("pool").asText());
    assertEquals("dedicated", pod.path("tolerations").get(0).path("key").asText());
    assertEquals("1Gi", container(docs).path("resources").path("limits").path("memory").asText());
    assertNotNull(Helm.find(docs, "ServiceMonitor", null));
    JsonNode health = Helm.find(docs, "ConfigMap", "hco-heroku-connect-operator-argocd-health");
    assertEquals("argocd", health.path("metadata").path("namespace").asText());
    String lua = Files.readString(Helm.CHART.resolve("files/health.lua"));
    assertEquals(lua.strip(), health.path("data").path("resource.customizations.health.herokuconnect.dev_HerokuMapping").asText().strip());
  }

  @Test
  void theSchemaRejectsBadValues(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        operator:
          dailyBudget: 9000
          watchNamespaces: [Not_A_Namespace]
        logging:
          format: xml
        replicaCount: 0
        """);
    Helm.Result r = Helm.run("template", "hco", Helm.CHART.toString(), "-f", bad.toString());
    assertNotEquals(0, r.exitCode());
    for (String field : List.of("dailyBudget", "watchNamespaces", "format", "replicaCount")) {
      assertTrue(r.output().contains(field), field + " not reported in:\n" + r.output());
    }
    Helm.Result typo = Helm.run("template", "hco", Helm.CHART.toString(), "--set", "operatr.dailyBudget=1");
    assertNotEquals(0, typo.exitCode(), "unknown keys are rejected: " + typo.output());
  }
}
