package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
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

  /** "group/resource:[verbs]", and "@[names]" when the rule is limited by resourceNames. */
  static List<String> rules(JsonNode role) {
    List<String> out = new ArrayList<>();
    role.path("rules").forEach(r -> r.path("resources").forEach(res -> out.add(
        r.path("apiGroups").get(0).asText() + "/" + res.asText() + ":" + r.path("verbs").toString()
            + (r.has("resourceNames") ? "@" + r.path("resourceNames") : ""))));
    return out;
  }

  @Test
  void lintStrict() throws Exception {
    Helm.Result r = Helm.run("lint", "--strict", Helm.CHART.toString());
    assertEquals(0, r.exitCode(), r.output());
  }

  /** Chart.yaml's kubeVersion: one clear line on a cluster too old for the CRDs' CEL rules. */
  @Test
  void olderClustersAreRefusedWithOneLine() throws Exception {
    Helm.Result old = Helm.run("template", "hco", Helm.CHART.toString(), "--kube-version", "1.24.0");
    assertNotEquals(0, old.exitCode(), old.output());
    assertTrue(old.output().contains(
        "chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.24.0"), old.output());
    for (String supported : List.of("1.25.0", "1.31.0", "v1.29.3-eks-4b9e1a2")) {
      Helm.Result r = Helm.run("template", "hco", Helm.CHART.toString(), "--kube-version", supported);
      assertEquals(0, r.exitCode(), supported + ": " + r.output());
    }
  }

  @Test
  void defaultsAreLeastPrivilegeAndLockedDown() throws Exception {
    List<JsonNode> docs = Helm.template();
    JsonNode role = Helm.find(docs, "ClusterRole", "hco-heroku-connect-operator");
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
    assertEquals("*.heroku.com", env.get("HEROKU_CONNECT_API_HOSTS"), "the token goes to Heroku's hosts only");
    assertFalse(env.containsKey("HEROKU_PLATFORM_API_URL"), "unset: the operator's default, checked only when an add-on is asked for");
    assertEquals("", env.get("WATCH_NAMESPACES"));
    assertEquals("1h", env.get("HEROKU_CONNECT_NOTIFICATIONS_INTERVAL"));
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
    assertNull(Helm.find(docs, "ClusterRole", "hco-heroku-connect-operator"), "only the CRD reader (CrdChartTest) is cluster-wide");
    for (JsonNode binding : Helm.all(docs, "ClusterRoleBinding")) {
      assertEquals("hco-heroku-connect-operator-crds", binding.path("metadata").path("name").asText(),
          "nothing cluster-wide is bound to the operator but the CRD reader");
    }
    for (JsonNode cluster : Helm.all(docs, "ClusterRole")) {
      assertFalse(cluster.path("rules").toString().contains("secrets"), "Secrets only in the watched namespaces: " + cluster);
    }
    List<JsonNode> roles = Helm.all(docs, "Role");
    assertEquals(List.of("crm", "sales"), roles.stream().map(r -> r.path("metadata").path("namespace").asText()).toList());
    assertEquals(rules(roles.get(0)), rules(roles.get(1)));
    assertEquals(2, Helm.all(docs, "RoleBinding").size());
    assertEquals("crm,sales", env(docs).get("WATCH_NAMESPACES"));
  }

  /** Tenants' roles, aggregated into the cluster's view, edit and admin (as Flux ships them). */
  @Test
  void aggregatedViewAndEditRolesForTenants() throws Exception {
    for (List<JsonNode> docs : List.of(Helm.template(), Helm.template("operator.watchNamespaces={crm}"))) {
      JsonNode view = Helm.find(docs, "ClusterRole", "hco-heroku-connect-operator-view");
      JsonNode edit = Helm.find(docs, "ClusterRole", "hco-heroku-connect-operator-edit");
      assertNotNull(view, "on by default");
      assertNotNull(edit, "on by default");
      assertEquals(List.of(
          "herokuconnect.dev/herokuconnections:[\"get\",\"list\",\"watch\"]",
          "herokuconnect.dev/herokumappings:[\"get\",\"list\",\"watch\"]",
          "herokuconnect.dev/herokuconnections/status:[\"get\",\"list\",\"watch\"]",
          "herokuconnect.dev/herokumappings/status:[\"get\",\"list\",\"watch\"]"), rules(view));
      assertEquals(List.of(
          "herokuconnect.dev/herokuconnections:[\"create\",\"delete\",\"deletecollection\",\"patch\",\"update\"]",
          "herokuconnect.dev/herokumappings:[\"create\",\"delete\",\"deletecollection\",\"patch\",\"update\"]"), rules(edit),
          "no Secrets, no status writes, no finalizers");
      JsonNode viewLabels = view.path("metadata").path("labels");
      JsonNode editLabels = edit.path("metadata").path("labels");
      for (String to : List.of("view", "edit", "admin")) {
        assertEquals("true", viewLabels.path("rbac.authorization.k8s.io/aggregate-to-" + to).asText(), "view aggregates to " + to);
      }
      for (String to : List.of("edit", "admin")) {
        assertEquals("true", editLabels.path("rbac.authorization.k8s.io/aggregate-to-" + to).asText(), "edit aggregates to " + to);
      }
      assertFalse(editLabels.has("rbac.authorization.k8s.io/aggregate-to-view"), "view may not write");
      for (JsonNode binding : Helm.all(docs, "ClusterRoleBinding")) {
        assertFalse(binding.path("roleRef").path("name").asText().matches(".*-(view|edit)"), "the chart binds them to no one: " + binding);
      }
    }
    List<JsonNode> off = Helm.template("rbac.aggregatedRoles=false");
    assertEquals(List.of("hco-heroku-connect-operator", "hco-heroku-connect-operator-crds"),
        Helm.all(off, "ClusterRole").stream().map(r -> r.path("metadata").path("name").asText()).sorted().toList(),
        "rbac.aggregatedRoles=false: the operator's own roles only");
  }

  @Test
  void networkPolicyOnlyWhenEnabled() throws Exception {
    assertNull(Helm.find(Helm.template(), "NetworkPolicy", null), "off by default");
    List<JsonNode> docs = Helm.template("networkPolicy.enabled=true",
        "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=monitoring",
        "networkPolicy.apiServer.to[0].ipBlock.cidr=10.0.0.10/32", "networkPolicy.apiServer.ports={6443}");
    JsonNode spec = Helm.find(docs, "NetworkPolicy", "hco-heroku-connect-operator").path("spec");
    assertEquals(Helm.find(docs, "Deployment", null).path("spec").path("selector").path("matchLabels"),
        spec.path("podSelector").path("matchLabels"), "the operator's pods");
    assertEquals("[\"Ingress\",\"Egress\"]", spec.path("policyTypes").toString());
    assertEquals(1, spec.path("ingress").size());
    JsonNode in = spec.path("ingress").get(0);
    assertEquals("[{\"port\":\"http\",\"protocol\":\"TCP\"}]", in.path("ports").toString(), "only the metrics and probe port");
    assertEquals("test", in.path("from").get(0).path("podSelector").path("matchLabels").path("app.kubernetes.io/component").asText(),
        "the helm test pod");
    assertEquals("monitoring", in.path("from").get(1).path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText());
    assertEquals(2, in.path("from").size());
    JsonNode out = spec.path("egress");
    assertEquals(3, out.size(), "DNS, API server, Heroku: " + out);
    assertEquals("[{\"port\":53,\"protocol\":\"UDP\"},{\"port\":53,\"protocol\":\"TCP\"}]", out.get(0).path("ports").toString());
    assertEquals("kube-dns", out.get(0).path("to").get(0).path("podSelector").path("matchLabels").path("k8s-app").asText());
    assertEquals("[{\"port\":6443,\"protocol\":\"TCP\"}]", out.get(1).path("ports").toString());
    assertEquals("10.0.0.10/32", out.get(1).path("to").get(0).path("ipBlock").path("cidr").asText());
    assertEquals("[{\"port\":443,\"protocol\":\"TCP\"}]", out.get(2).path("ports").toString());
    assertFalse(out.get(2).has("to"), "Heroku: any address on 443 unless herokuTo says");
    JsonNode plain = Helm.find(Helm.template("networkPolicy.enabled=true"), "NetworkPolicy", null).path("spec");
    assertEquals(1, plain.path("ingress").get(0).path("from").size(), "by default only the helm test pod (and the kubelet)");
    assertEquals("[{\"port\":443,\"protocol\":\"TCP\"},{\"port\":6443,\"protocol\":\"TCP\"}]",
        plain.path("egress").get(1).path("ports").toString());
    assertEquals(4, Helm.find(Helm.template("networkPolicy.enabled=true", "networkPolicy.extraEgress[0].ports[0].port=3128"),
        "NetworkPolicy", null).path("spec").path("egress").size(), "extraEgress is appended");
  }

  @Test
  void moreReplicasTurnLeaderElectionOn() throws Exception {
    List<JsonNode> docs = Helm.template("replicaCount=2");
    Map<String, String> env = env(docs);
    assertEquals("true", env.get("LEADER_ELECTION_ENABLED"));
    assertEquals("ops", env.get("LEADER_ELECTION_NAMESPACE"));
    JsonNode lease = Helm.find(docs, "Role", "hco-heroku-connect-operator-leader-election");
    assertEquals(List.of("coordination.k8s.io/leases:[\"get\",\"update\",\"patch\"]@[\"heroku-connect-operator\"]",
        "coordination.k8s.io/leases:[\"create\"]"), rules(lease), "only its own Lease; create cannot be limited by name");
    assertEquals(List.of("coordination.k8s.io/leases:[\"get\",\"update\",\"patch\"]@[\"hco-lock\"]",
        "coordination.k8s.io/leases:[\"create\"]"),
        rules(Helm.find(Helm.template("replicaCount=2", "leaderElection.leaseName=hco-lock"), "Role", "hco-heroku-connect-operator-leader-election")),
        "the name follows leaderElection.leaseName");
    assertEquals("ops", lease.path("metadata").path("namespace").asText());
    assertEquals("RollingUpdate", Helm.find(docs, "Deployment", null).path("spec").path("strategy").path("type").asText());
    assertEquals("/readyz?standby=true", container(docs).path("readinessProbe").path("httpGet").path("path").asText(),
        "a synced standby is ready, or a rollout with maxUnavailable 0 would wait for a Lease the old pod holds");
    assertEquals("true", env(Helm.template("leaderElection.enabled=true")).get("LEADER_ELECTION_ENABLED"));
  }

  @Test
  void everyOptionReachesTheDeployment() throws Exception {
    List<JsonNode> docs = Helm.template("image.repository=registry.example/hco", "image.tag=1.2.3",
        "operator.dailyBudget=1000", "operator.refreshInterval=10m", "operator.notificationsInterval=0", "operator.discoveryUrl=https://hc.example", "operator.apiHosts={hc.example}",
        "operator.platformApiUrl=https://platform.hc.example",
        "logging.level=DEBUG", "logging.format=text", "extraEnv[0].name=HTTPS_PROXY", "extraEnv[0].value=http://proxy:3128",
        "nodeSelector.pool=ops", "tolerations[0].key=dedicated", "tolerations[0].operator=Exists",
        "metrics.serviceMonitor.enabled=true", "resources.limits.memory=1Gi");
    Map<String, String> env = env(docs);
    assertEquals("registry.example/hco:1.2.3", container(docs).path("image").asText());
    assertEquals("1000", env.get("HEROKU_CONNECT_DAILY_BUDGET"));
    assertEquals("10m", env.get("HEROKU_CONNECT_REFRESH_INTERVAL"));
    assertEquals("0", env.get("HEROKU_CONNECT_NOTIFICATIONS_INTERVAL"), "0 turns the notification reads off");
    assertEquals("https://hc.example", env.get("HEROKU_CONNECT_DISCOVERY_URL"));
    assertEquals("https://platform.hc.example", env.get("HEROKU_PLATFORM_API_URL"));
    assertEquals("DEBUG", env.get("LOG_LEVEL"));
    assertEquals("text", env.get("LOG_FORMAT"));
    assertEquals("http://proxy:3128", env.get("HTTPS_PROXY"));
    JsonNode pod = Helm.find(docs, "Deployment", null).path("spec").path("template").path("spec");
    assertEquals("ops", pod.path("nodeSelector").path("pool").asText());
    assertEquals("dedicated", pod.path("tolerations").get(0).path("key").asText());
    assertEquals("1Gi", container(docs).path("resources").path("limits").path("memory").asText());
    assertNotNull(Helm.find(docs, "ServiceMonitor", null));
  }

  /** image.digest pins the image: repository@digest, the tag unused; only a sha256 digest is accepted. */
  @Test
  void imageDigestIsUsedInsteadOfTheTag() throws Exception {
    String digest = "sha256:" + "0123456789abcdef".repeat(4);
    assertEquals("registry.example/hco@" + digest, container(Helm.template(
        "image.repository=registry.example/hco", "image.tag=1.2.3", "image.digest=" + digest)).path("image").asText());
    assertTrue(container(Helm.template()).path("image").asText().endsWith(":" + ReleaseVersionTest.pomVersion()),
        "without a digest, the tag (the chart's appVersion)");
    for (String bad : List.of("0123abcd", "sha256:XYZ", "sha512:" + "ab".repeat(64))) {
      Helm.Result r = Helm.run("template", "hco", Helm.CHART.toString(), "--set", "image.digest=" + bad);
      assertNotEquals(0, r.exitCode(), bad + ": " + r.output());
      assertTrue(r.output().contains("digest"), r.output());
    }
  }

  /** The ConfigMap Argo CD never read is gone; asking for it says where the health checks went. */
  @Test
  void theRemovedArgoCdConfigMapExplainsItself() throws Exception {
    Helm.Result r = Helm.run("template", "hco", Helm.CHART.toString(), "--set", "argocd.healthChecks.enabled=true");
    assertNotEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("argocd.healthChecks was removed: Argo CD never read the ConfigMap it rendered"), r.output());
    assertTrue(Helm.all(Helm.template("argocd.healthChecks.enabled=false"), "ConfigMap").isEmpty());
  }

  static final List<String> RECOMMENDED_LABELS = List.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
      "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "app.kubernetes.io/component", "app.kubernetes.io/part-of");

  static JsonNode podSpec(List<JsonNode> docs) {
    return Helm.find(docs, "Deployment", null).path("spec").path("template").path("spec");
  }

  @Test
  void everyObjectCarriesTheRecommendedLabels() throws Exception {
    List<List<JsonNode>> renders = List.of(Helm.template(),
        Helm.template("replicaCount=2", "podDisruptionBudget.enabled=true", "metrics.serviceMonitor.enabled=true",
            "operator.watchNamespaces={crm}"));
    int checked = 0;
    for (List<JsonNode> docs : renders) {
      for (JsonNode d : docs) {
        String what = d.path("kind").asText() + "/" + d.path("metadata").path("name").asText();
        JsonNode labels = d.path("metadata").path("labels");
        for (String l : RECOMMENDED_LABELS) assertTrue(labels.hasNonNull(l), what + " lacks " + l + ": " + labels);
        assertEquals("heroku-connect-operator", labels.path("app.kubernetes.io/part-of").asText(), what);
        boolean test = d.path("metadata").path("annotations").path("helm.sh/hook").asText().equals("test");
        assertEquals(test ? "test" : "operator", labels.path("app.kubernetes.io/component").asText(), what);
        checked++;
      }
    }
    assertTrue(checked >= 15, "objects checked: " + checked);
    JsonNode podLabels = Helm.find(renders.get(0), "Deployment", null).path("spec").path("template").path("metadata").path("labels");
    for (String l : RECOMMENDED_LABELS) assertTrue(podLabels.hasNonNull(l), "the pods lack " + l);
    assertEquals("{\"app.kubernetes.io/name\":\"heroku-connect-operator\",\"app.kubernetes.io/instance\":\"hco\","
            + "\"app.kubernetes.io/component\":\"operator\"}",
        Helm.find(renders.get(0), "Deployment", null).path("spec").path("selector").path("matchLabels").toString(),
        "the selector is immutable: a change needs an upgrade note (README, \"Upgrading the chart\")");
  }

  static boolean selects(JsonNode matchLabels, JsonNode labels) {
    assertTrue(matchLabels.size() > 0, "an empty selector selects everything");
    var it = matchLabels.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) return false;
    }
    return true;
  }

  /** The Deployment, PDB, Service and ServiceMonitor select the operator's pods (its Service), never the helm test pod. */
  @Test
  void selectorsMatchTheOperatorsPodsAndNotTheTestPod() throws Exception {
    List<JsonNode> docs = Helm.template("replicaCount=2", "podDisruptionBudget.enabled=true", "metrics.serviceMonitor.enabled=true",
        "topologySpreadConstraints[0].maxSkew=1", "topologySpreadConstraints[0].topologyKey=kubernetes.io/hostname",
        "topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway");
    JsonNode deployment = Helm.find(docs, "Deployment", null);
    JsonNode operatorPod = deployment.path("spec").path("template").path("metadata").path("labels");
    JsonNode testPod = testPod(docs).path("metadata").path("labels");
    Map<String, JsonNode> selectors = Map.of(
        "Deployment", deployment.path("spec").path("selector").path("matchLabels"),
        "PodDisruptionBudget", Helm.find(docs, "PodDisruptionBudget", null).path("spec").path("selector").path("matchLabels"),
        "Service", Helm.find(docs, "Service", null).path("spec").path("selector"),
        "topologySpreadConstraints", podSpec(docs).path("topologySpreadConstraints").get(0).path("labelSelector").path("matchLabels"));
    selectors.forEach((what, selector) -> {
      assertTrue(selects(selector, operatorPod), what + " " + selector + " selects the operator's pods " + operatorPod);
      assertFalse(selects(selector, testPod), what + " " + selector + " selects the helm test pod " + testPod);
    });
    JsonNode service = Helm.find(docs, "Service", null).path("metadata").path("labels");
    assertTrue(selects(Helm.find(docs, "ServiceMonitor", null).path("spec").path("selector").path("matchLabels"), service),
        "the ServiceMonitor selects the metrics Service");
  }

  @Test
  void securityContextsCanBeOverriddenKeyByKey() throws Exception {
    List<JsonNode> docs = Helm.template("podSecurityContext.runAsUser=1000", "podSecurityContext.fsGroup=null",
        "securityContext.readOnlyRootFilesystem=false", "securityContext.capabilities.add={NET_BIND_SERVICE}");
    JsonNode pod = podSpec(docs).path("securityContext");
    assertEquals(1000, pod.path("runAsUser").asInt());
    assertFalse(pod.has("fsGroup"), "null drops a default: " + pod);
    assertEquals("RuntimeDefault", pod.path("seccompProfile").path("type").asText(), "other defaults stay");
    JsonNode sc = container(docs).path("securityContext");
    assertFalse(sc.path("readOnlyRootFilesystem").asBoolean(true));
    assertEquals("[\"NET_BIND_SERVICE\"]", sc.path("capabilities").path("add").toString());
    assertEquals("[\"ALL\"]", sc.path("capabilities").path("drop").toString());
    assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true));
  }

  /** Every probe has a timeoutSeconds of its own, from the values (defaults 2, 5, 5 s); 0 is refused by the schema. */
  @Test
  void probesHaveTimeoutsFromTheValues() throws Exception {
    JsonNode c = container(Helm.template());
    assertEquals(2, c.path("startupProbe").path("timeoutSeconds").asInt(-1));
    assertEquals(5, c.path("livenessProbe").path("timeoutSeconds").asInt(-1));
    assertEquals(5, c.path("readinessProbe").path("timeoutSeconds").asInt(-1));
    JsonNode set = container(Helm.template("probes.startup.timeoutSeconds=3", "probes.liveness.timeoutSeconds=7",
        "probes.readiness.timeoutSeconds=4"));
    assertEquals(3, set.path("startupProbe").path("timeoutSeconds").asInt(-1));
    assertEquals(7, set.path("livenessProbe").path("timeoutSeconds").asInt(-1));
    assertEquals(4, set.path("readinessProbe").path("timeoutSeconds").asInt(-1));
    Helm.Result zero = Helm.run("template", "hco", Helm.CHART.toString(), "--set", "probes.liveness.timeoutSeconds=0");
    assertNotEquals(0, zero.exitCode(), "timeoutSeconds 0 refused: " + zero.output());
    assertTrue(zero.output().contains("timeoutSeconds"), zero.output());
  }

  @Test
  void podDisruptionBudgetOnlyWhenEnabledWithMoreThanOneReplica() throws Exception {
    assertNull(Helm.find(Helm.template("replicaCount=2"), "PodDisruptionBudget", null), "off by default");
    assertNull(Helm.find(Helm.template("podDisruptionBudget.enabled=true"), "PodDisruptionBudget", null),
        "never with one replica: it would block every drain");
    List<JsonNode> docs = Helm.template("podDisruptionBudget.enabled=true", "replicaCount=3");
    JsonNode pdb = Helm.find(docs, "PodDisruptionBudget", "hco-heroku-connect-operator");
    assertNotNull(pdb);
    assertEquals("policy/v1", pdb.path("apiVersion").asText());
    assertEquals(1, pdb.path("spec").path("minAvailable").asInt());
    assertFalse(pdb.path("spec").has("maxUnavailable"));
    assertEquals(Helm.find(docs, "Deployment", null).path("spec").path("selector"), pdb.path("spec").path("selector"));
    JsonNode max = Helm.find(Helm.template("podDisruptionBudget.enabled=true", "replicaCount=2",
        "podDisruptionBudget.maxUnavailable=50%"), "PodDisruptionBudget", null).path("spec");
    assertEquals("50%", max.path("maxUnavailable").asText());
    assertFalse(max.has("minAvailable"));
  }

  @Test
  void namesHonourTheOverrides() throws Exception {
    List<JsonNode> full = Helm.template("fullnameOverride=hconnect");
    for (String kind : List.of("Deployment", "ClusterRole", "ClusterRoleBinding", "ServiceAccount")) {
      assertNotNull(Helm.find(full, kind, "hconnect"), kind + " named hconnect");
    }
    assertNotNull(Helm.find(full, "Service", "hconnect-metrics"));
    assertEquals("hconnect", podSpec(full).path("serviceAccountName").asText());
    List<JsonNode> named = Helm.template("nameOverride=connect");
    JsonNode deployment = Helm.find(named, "Deployment", "hco-connect");
    assertNotNull(deployment, "nameOverride replaces the chart's name");
    assertEquals("connect", deployment.path("metadata").path("labels").path("app.kubernetes.io/name").asText());
    assertEquals("connect", deployment.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/name").asText());
    assertEquals("connect", deployment.path("spec").path("template").path("metadata").path("labels").path("app.kubernetes.io/name").asText());
    assertEquals("connect", Helm.find(named, "Service", "hco-connect-metrics").path("spec").path("selector").path("app.kubernetes.io/name").asText());
    assertNotNull(Helm.find(Helm.template(), "Deployment", "hco-heroku-connect-operator"), "the default name");
  }

  @Test
  void schedulingAndPodMetadataReachThePods() throws Exception {
    List<JsonNode> docs = Helm.template("podAnnotations.team=crm", "podLabels.cost-center=sales",
        "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=pool",
        "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists",
        "topologySpreadConstraints[0].maxSkew=1", "topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone",
        "topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway",
        "topologySpreadConstraints[1].maxSkew=2", "topologySpreadConstraints[1].topologyKey=kubernetes.io/hostname",
        "topologySpreadConstraints[1].whenUnsatisfiable=DoNotSchedule",
        "topologySpreadConstraints[1].labelSelector.matchLabels.tier=ops");
    JsonNode template = Helm.find(docs, "Deployment", null).path("spec").path("template");
    assertEquals("crm", template.path("metadata").path("annotations").path("team").asText());
    assertEquals("sales", template.path("metadata").path("labels").path("cost-center").asText());
    JsonNode pod = template.path("spec");
    assertEquals("pool", pod.path("affinity").path("nodeAffinity").path("requiredDuringSchedulingIgnoredDuringExecution")
        .path("nodeSelectorTerms").get(0).path("matchExpressions").get(0).path("key").asText());
    JsonNode spread = pod.path("topologySpreadConstraints");
    assertEquals(2, spread.size());
    assertEquals("topology.kubernetes.io/zone", spread.get(0).path("topologyKey").asText());
    assertEquals("ScheduleAnyway", spread.get(0).path("whenUnsatisfiable").asText());
    assertEquals(Helm.find(docs, "Deployment", null).path("spec").path("selector").path("matchLabels"),
        spread.get(0).path("labelSelector").path("matchLabels"), "a constraint without a selector counts this release's pods");
    assertEquals("{\"tier\":\"ops\"}", spread.get(1).path("labelSelector").path("matchLabels").toString(), "a given selector is kept");
    JsonNode plain = podSpec(Helm.template());
    assertFalse(plain.has("topologySpreadConstraints") || plain.has("affinity"), "nothing by default: " + plain);
  }

  static JsonNode testPod(List<JsonNode> docs) {
    return docs.stream().filter(d -> d.path("kind").asText().equals("Pod")
        && d.path("metadata").path("annotations").path("helm.sh/hook").asText().equals("test")).findFirst().orElse(null);
  }

  @Test
  void helmTestHookChecksTheCrdsAndReadiness() throws Exception {
    List<JsonNode> docs = Helm.template("tests.image.repository=registry.example/curl", "tests.image.tag=8.0.0");
    JsonNode pod = testPod(docs);
    assertNotNull(pod, "a Pod with helm.sh/hook: test");
    assertEquals("registry.example/curl:8.0.0", pod.path("spec").path("containers").get(0).path("image").asText());
    assertEquals("Never", pod.path("spec").path("restartPolicy").asText());
    assertTrue(pod.path("spec").path("securityContext").path("runAsNonRoot").asBoolean());
    String sa = pod.path("spec").path("serviceAccountName").asText();
    JsonNode account = Helm.find(docs, "ServiceAccount", sa);
    assertEquals("test", account.path("metadata").path("annotations").path("helm.sh/hook").asText(), "its own account, a test hook too");
    assertTrue(Helm.all(docs, "Role").isEmpty() && Helm.all(docs, "RoleBinding").isEmpty(), "discovery needs no RBAC");
    String script = pod.path("spec").path("containers").get(0).path("args").get(0).asText();
    assertTrue(script.contains("http://hco-heroku-connect-operator-metrics.ops.svc:8080/readyz"), script);
    String noService = testPod(Helm.template("metrics.service.enabled=false")).path("spec").path("containers").get(0)
        .path("args").get(0).asText();
    assertFalse(noService.contains("/readyz\""), "no Service, no readiness check: " + noService);
  }

  /** The test hook's script, run by a real shell and curl against a stand-in API server and operator. */
  @Test
  void helmTestScriptPassesAndFailsForTheRightReasons(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(new java.io.File("/usr/bin/curl").canExecute() || new java.io.File("/bin/curl").canExecute(),
        "curl not installed");
    JsonNode container = testPod(Helm.template()).path("spec").path("containers").get(0);
    List<String> command = new ArrayList<>();
    container.path("command").forEach(c -> command.add(c.asText()));
    command.add(container.path("args").get(0).asText());
    Files.writeString(dir.resolve("token"), "sa-token-123");
    Files.writeString(dir.resolve("ca.crt"), "unused over http");

    AtomicReference<String> discovery = new AtomicReference<>();
    AtomicReference<Integer> readyz = new AtomicReference<>(200);
    AtomicReference<String> auth = new AtomicReference<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/apis/herokuconnect.dev/v1alpha1", ex -> {
      auth.set(ex.getRequestHeaders().getFirst("Authorization"));
      byte[] body = discovery.get().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.createContext("/readyz", ex -> {
      byte[] body = (readyz.get() == 200 ? "ready" : "starting").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(readyz.get(), body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      String both = "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"herokuconnect.dev/v1alpha1\",\"resources\":["
          + "{\"name\":\"herokuconnections\",\"singularName\":\"herokuconnection\",\"namespaced\":true,\"kind\":\"HerokuConnection\"},"
          + "{\"name\":\"herokuconnections/status\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"HerokuConnection\"},"
          + "{\"name\":\"herokumappings\",\"singularName\":\"herokumapping\",\"namespaced\":true,\"kind\":\"HerokuMapping\"}]}";
      String onlyStatus = both.replace("{\"name\":\"herokumappings\",", "{\"name\":\"herokumappings/status\",");

      discovery.set(both);
      Helm.Result ok = sh(command, dir, base);
      assertEquals(0, ok.exitCode(), ok.output());
      assertTrue(ok.output().contains("ok: herokuconnections and herokumappings are served"), ok.output());
      assertTrue(ok.output().contains("ok: the operator is ready"), ok.output());
      assertEquals("Bearer sa-token-123", auth.get(), "the pod's service account token is sent");

      discovery.set(onlyStatus);
      Helm.Result missing = sh(command, dir, base);
      assertEquals(1, missing.exitCode(), missing.output());
      assertTrue(missing.output().contains("FAIL: herokumappings is not served"), missing.output());

      discovery.set(both);
      readyz.set(503);
      Helm.Result notReady = sh(command, dir, base);
      assertEquals(1, notReady.exitCode(), notReady.output());
      assertTrue(notReady.output().contains("/readyz does not answer 200"), notReady.output());
    } finally {
      server.stop(0);
    }
  }

  private static Helm.Result sh(List<String> command, Path saDir, String base) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("SA_DIR", saDir.toString());
    pb.environment().put("KUBERNETES_API", base);
    pb.environment().put("READYZ_URL", base + "/readyz");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("the test script hung: " + out);
    }
    return new Helm.Result(p.exitValue(), out);
  }

  @Test
  void lintStrictWithEveryOption() throws Exception {
    Helm.Result r = Helm.run("lint", "--strict", Helm.CHART.toString(), "--set", "replicaCount=2",
        "--set", "networkPolicy.enabled=true", "--set", "rbac.aggregatedRoles=false",
        "--set", "podDisruptionBudget.enabled=true", "--set", "metrics.serviceMonitor.enabled=true",
        "--set", "nameOverride=connect", "--set", "topologySpreadConstraints[0].maxSkew=1",
        "--set", "topologySpreadConstraints[0].topologyKey=kubernetes.io/hostname",
        "--set", "topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway");
    assertEquals(0, r.exitCode(), r.output());
  }

  @Test
  void apiHostsReachTheDeploymentAndTheSchemaRefusesWhatIsNotAHost(@TempDir Path dir) throws Exception {
    assertEquals("hc.example.com,*.connect.example.com,[::1]",
        env(Helm.template("operator.apiHosts={hc.example.com,*.connect.example.com,[::1]}")).get("HEROKU_CONNECT_API_HOSTS"));
    for (String bad : List.of("[]", "[\"*\"]", "[\"https://hc.example.com\"]", "[\"hc.example.com:443\"]", "[\"a.*.example.com\"]")) {
      Path values = dir.resolve("hosts.yaml");
      Files.writeString(values, "operator:\n  apiHosts: " + bad + "\n");
      Helm.Result r = Helm.run("template", "hco", Helm.CHART.toString(), "-f", values.toString());
      assertNotEquals(0, r.exitCode(), bad + " is refused");
      assertTrue(r.output().contains("apiHosts"), bad + ": apiHosts not named in:\n" + r.output());
    }
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

    Path badChart = dir.resolve("bad-chart-values.yaml");
    Files.writeString(badChart, """
        nameOverride: Heroku_Connect
        podSecurityContext:
          runAsNonroot: true
        securityContext:
          readOnlyRootFilesystem: "yes"
        podAnnotations:
          enabled: true
        topologySpreadConstraints:
          - {maxSkew: 1, whenUnsatisfiable: Sometimes}
        podDisruptionBudget:
          enabled: true
          minAvailable: half
        tests:
          image: {repository: ""}
        """);
    Helm.Result r2 = Helm.run("template", "hco", Helm.CHART.toString(), "-f", badChart.toString());
    assertNotEquals(0, r2.exitCode());
    for (String field : List.of("nameOverride", "runAsNonroot", "readOnlyRootFilesystem", "podAnnotations",
        "topologyKey", "whenUnsatisfiable", "minAvailable", "repository")) {
      assertTrue(r2.output().contains(field), field + " not reported in:\n" + r2.output());
    }
  }
}
