package dev.herokuconnect.operator.delivery;

import static dev.herokuconnect.operator.delivery.HelmChartTest.container;
import static dev.herokuconnect.operator.delivery.HelmChartTest.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart's metrics and probe ports, /metrics protection (TLS, bearer token), ServiceMonitor and PodMonitor, rendered by helm. */
class MetricsChartTest {
  static final String[] TLS = {"metrics.tls.enabled=true", "metrics.tls.secretName=metrics-cert"};
  static final String[] BEARER = {"metrics.bearerToken.enabled=true", "metrics.bearerToken.secretName=scrape-token",
      "metrics.bearerToken.key=bearer"};

  static String[] with(String[]... groups) {
    List<String> all = new ArrayList<>();
    for (String[] g : groups) all.addAll(List.of(g));
    return all.toArray(String[]::new);
  }

  static JsonNode pod(List<JsonNode> docs) {
    return Helm.find(docs, "Deployment", null).path("spec").path("template").path("spec");
  }

  static JsonNode byName(JsonNode list, String name) {
    for (JsonNode n : list) if (n.path("name").asText().equals(name)) return n;
    return null;
  }

  @Test
  void metricsAndProbesHaveTheirOwnPortsAndTheServiceOnlyMetrics() throws Exception {
    for (String replicas : List.of("1", "2")) {
      List<JsonNode> docs = Helm.template("replicaCount=" + replicas);
      JsonNode c = container(docs);
      assertEquals("[{\"name\":\"metrics\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"name\":\"health\",\"containerPort\":8081,\"protocol\":\"TCP\"}]",
          c.path("ports").toString());
      Map<String, String> env = env(docs);
      assertEquals("8080", env.get("METRICS_PORT"));
      assertEquals("8081", env.get("HEALTH_PORT"));
      for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        assertEquals("health", c.path(probe).path("httpGet").path("port").asText(), probe + " on the health port");
        assertFalse(c.path(probe).path("httpGet").has("scheme"), probe + ": plain HTTP, whatever metrics.tls says");
      }
      JsonNode ports = Helm.find(docs, "Service", "hco-heroku-connect-operator-metrics").path("spec").path("ports");
      assertEquals("[{\"name\":\"http-metrics\",\"port\":8080,\"targetPort\":\"metrics\",\"protocol\":\"TCP\"}]", ports.toString(),
          "the Service exposes /metrics only");
      assertFalse(env.containsKey("METRICS_TLS_CERT_FILE") || env.containsKey("METRICS_BEARER_TOKEN_FILE"), "open by default");
      assertEquals(1, pod(docs).path("volumes").size(), "only /tmp by default");
    }
    assertEquals("health", container(Helm.template(TLS)).path("readinessProbe").path("httpGet").path("port").asText());
  }

  @Test
  void tlsAndBearerMountTheirSecretsReadOnlyAndSetTheEnvironment() throws Exception {
    List<JsonNode> docs = Helm.template(with(TLS, BEARER, new String[] {"metrics.tls.keyKey=key.pk8"}));
    Map<String, String> env = env(docs);
    JsonNode c = container(docs);
    JsonNode tlsMount = byName(c.path("volumeMounts"), "metrics-tls");
    JsonNode tokenMount = byName(c.path("volumeMounts"), "metrics-token");
    assertTrue(tlsMount.path("readOnly").asBoolean() && tokenMount.path("readOnly").asBoolean());
    assertFalse(tlsMount.has("subPath") || tokenMount.has("subPath"), "a subPath mount would never see a rotated Secret");
    String dir = tlsMount.path("mountPath").asText();
    assertEquals(dir + "/tls.crt", env.get("METRICS_TLS_CERT_FILE"));
    assertEquals(dir + "/tls.key", env.get("METRICS_TLS_KEY_FILE"));
    assertEquals(tokenMount.path("mountPath").asText() + "/token", env.get("METRICS_BEARER_TOKEN_FILE"));
    JsonNode tls = byName(pod(docs).path("volumes"), "metrics-tls").path("secret");
    assertEquals("metrics-cert", tls.path("secretName").asText());
    assertEquals("[{\"key\":\"tls.crt\",\"path\":\"tls.crt\"},{\"key\":\"key.pk8\",\"path\":\"tls.key\"}]", tls.path("items").toString());
    assertEquals(0440, tls.path("defaultMode").asInt());
    JsonNode token = byName(pod(docs).path("volumes"), "metrics-token").path("secret");
    assertEquals("scrape-token", token.path("secretName").asText());
    assertEquals("[{\"key\":\"bearer\",\"path\":\"token\"}]", token.path("items").toString());
    assertEquals("https-metrics", Helm.find(docs, "Service", null).path("spec").path("ports").get(0).path("name").asText());

    for (String option : List.of("metrics.tls", "metrics.bearerToken")) {
      Helm.Result r = Helm.run("template", "hco", Helm.CHART.toString(), "--set", option + ".enabled=true");
      assertNotEquals(0, r.exitCode());
      assertTrue(r.output().contains(option + ".secretName: name the Secret"), r.output());
    }
  }

  @Test
  void serviceMonitorOptionsAndScrapeSecurity() throws Exception {
    List<JsonNode> plain = Helm.template("metrics.serviceMonitor.enabled=true");
    JsonNode sm = Helm.find(plain, "ServiceMonitor", null);
    assertEquals("ops", sm.path("metadata").path("namespace").asText());
    assertFalse(sm.path("spec").has("namespaceSelector"));
    JsonNode ep = sm.path("spec").path("endpoints").get(0);
    assertEquals("http-metrics", ep.path("port").asText());
    assertEquals("/metrics", ep.path("path").asText());
    assertEquals("60s", ep.path("interval").asText());
    for (String absent : List.of("scheme", "tlsConfig", "authorization", "scrapeTimeout", "relabelings", "metricRelabelings")) {
      assertFalse(ep.has(absent), absent + " only when asked: " + ep);
    }

    List<JsonNode> docs = Helm.template(with(TLS, BEARER, new String[] {"metrics.serviceMonitor.enabled=true",
        "metrics.serviceMonitor.namespace=monitoring", "metrics.serviceMonitor.labels.release=kps",
        "metrics.serviceMonitor.interval=30s", "metrics.serviceMonitor.scrapeTimeout=20s", "metrics.serviceMonitor.honorLabels=true",
        "metrics.serviceMonitor.relabelings[0].targetLabel=cluster", "metrics.serviceMonitor.relabelings[0].replacement=eu-1",
        "metrics.serviceMonitor.metricRelabelings[0].action=drop", "metrics.serviceMonitor.metricRelabelings[0].regex=jvm_.*",
        "metrics.serviceMonitor.metricRelabelings[0].sourceLabels={__name__}"}));
    sm = Helm.find(docs, "ServiceMonitor", null);
    assertEquals("monitoring", sm.path("metadata").path("namespace").asText());
    assertEquals("kps", sm.path("metadata").path("labels").path("release").asText());
    assertEquals("[\"ops\"]", sm.path("spec").path("namespaceSelector").path("matchNames").toString(), "selects the Service in the release's namespace");
    ep = sm.path("spec").path("endpoints").get(0);
    assertEquals(Helm.find(docs, "Service", null).path("spec").path("ports").get(0).path("name").asText(), ep.path("port").asText());
    assertEquals("30s", ep.path("interval").asText());
    assertEquals("20s", ep.path("scrapeTimeout").asText());
    assertTrue(ep.path("honorLabels").asBoolean());
    assertEquals("[{\"replacement\":\"eu-1\",\"targetLabel\":\"cluster\"}]", ep.path("relabelings").toString());
    assertEquals("[{\"action\":\"drop\",\"regex\":\"jvm_.*\",\"sourceLabels\":[\"__name__\"]}]", ep.path("metricRelabelings").toString());
    assertEquals("https", ep.path("scheme").asText());
    assertEquals("{\"ca\":{\"secret\":{\"name\":\"metrics-cert\",\"key\":\"ca.crt\"}},\"serverName\":\"hco-heroku-connect-operator-metrics.ops.svc\"}",
        ep.path("tlsConfig").toString(), "verified with the Secret's CA against the Service's DNS name");
    assertEquals("{\"type\":\"Bearer\",\"credentials\":{\"name\":\"scrape-token\",\"key\":\"bearer\"}}", ep.path("authorization").toString());

    JsonNode own = Helm.find(Helm.template(with(TLS, new String[] {"metrics.serviceMonitor.enabled=true",
        "metrics.serviceMonitor.tlsConfig.insecureSkipVerify=true"})), "ServiceMonitor", null).path("spec").path("endpoints").get(0);
    assertEquals("{\"insecureSkipVerify\":true}", own.path("tlsConfig").toString(), "the values' tlsConfig replaces the default");
    assertFalse(own.has("authorization"));

    // prometheusRule.job names the job the alerts select: the ServiceMonitor's scrapes must carry it too
    // (its own job is the Service's name), or every alert selects nothing, as the PodMonitor's do.
    JsonNode jobbed = Helm.find(Helm.template("metrics.serviceMonitor.enabled=true", "prometheusRule.job=hco"), "ServiceMonitor", null)
        .path("spec").path("endpoints").get(0);
    assertEquals("[{\"targetLabel\":\"job\",\"replacement\":\"hco\"}]", jobbed.path("relabelings").toString(),
        "follows prometheusRule.job");

    Helm.Result noService = Helm.run("template", "hco", Helm.CHART.toString(), "--set", "metrics.serviceMonitor.enabled=true",
        "--set", "metrics.service.enabled=false");
    assertNotEquals(0, noService.exitCode());
    assertTrue(noService.output().contains("metrics.serviceMonitor.enabled needs metrics.service.enabled"), noService.output());
  }

  @Test
  void podMonitorScrapesThePodsMetricsPortUnderTheAlertsJob() throws Exception {
    assertNull(Helm.find(Helm.template(), "PodMonitor", null), "off by default");
    List<JsonNode> docs = Helm.template(with(TLS, BEARER, new String[] {"metrics.podMonitor.enabled=true", "metrics.service.enabled=false",
        "metrics.podMonitor.namespace=monitoring", "metrics.podMonitor.scrapeTimeout=5s", "metrics.podMonitor.interval=15s",
        "metrics.podMonitor.relabelings[0].targetLabel=cluster", "metrics.podMonitor.relabelings[0].replacement=eu-1",
        "metrics.podMonitor.metricRelabelings[0].action=labeldrop", "metrics.podMonitor.metricRelabelings[0].regex=pod"}));
    JsonNode pm = Helm.find(docs, "PodMonitor", "hco-heroku-connect-operator");
    assertEquals("monitoring", pm.path("metadata").path("namespace").asText());
    assertEquals("[\"ops\"]", pm.path("spec").path("namespaceSelector").path("matchNames").toString());
    assertEquals(Helm.find(docs, "Deployment", null).path("spec").path("selector").path("matchLabels"),
        pm.path("spec").path("selector").path("matchLabels"), "the operator's pods (not the helm test pod)");
    JsonNode ep = pm.path("spec").path("podMetricsEndpoints").get(0);
    assertEquals("metrics", ep.path("port").asText());
    assertTrue(byName(container(docs).path("ports"), ep.path("port").asText()) != null, "a named container port");
    assertEquals("15s", ep.path("interval").asText());
    assertEquals("5s", ep.path("scrapeTimeout").asText());
    assertEquals("[{\"targetLabel\":\"job\",\"replacement\":\"hco-heroku-connect-operator-metrics\"},"
        + "{\"replacement\":\"eu-1\",\"targetLabel\":\"cluster\"}]", ep.path("relabelings").toString(),
        "the job the alerts select first, then the values' relabelings");
    assertEquals("[{\"action\":\"labeldrop\",\"regex\":\"pod\"}]", ep.path("metricRelabelings").toString());
    assertEquals("https", ep.path("scheme").asText());
    assertEquals("metrics-cert", ep.path("tlsConfig").path("ca").path("secret").path("name").asText());
    assertEquals("scrape-token", ep.path("authorization").path("credentials").path("name").asText());

    JsonNode job = Helm.find(Helm.template("metrics.podMonitor.enabled=true", "prometheusRule.job=hco"), "PodMonitor", null);
    assertEquals("hco", job.path("spec").path("podMetricsEndpoints").get(0).path("relabelings").get(0).path("replacement").asText(),
        "follows prometheusRule.job");
  }

  /** Secret keys YAML would read as a number or a boolean ("2024", "true") stay strings in both monitors' secret references. */
  @Test
  void secretKeysThatLookLikeNumbersStayStringsInTheMonitors(@TempDir Path dir) throws Exception {
    Path values = Files.writeString(dir.resolve("keys.yaml"), """
        metrics:
          tls: {enabled: true, secretName: metrics-cert, caKey: "true"}
          bearerToken: {enabled: true, secretName: scrape-token, key: "2024"}
          serviceMonitor: {enabled: true}
          podMonitor: {enabled: true}
        """);
    Helm.Result r = Helm.run("template", "hco", Helm.CHART.toString(), "--namespace", "ops", "-f", values.toString());
    assertEquals(0, r.exitCode(), r.output());
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = new com.fasterxml.jackson.dataformat.yaml.YAMLFactory().createParser(r.output())) {
      yaml.readValues(parser, JsonNode.class).forEachRemaining(n -> { if (n != null && n.has("kind")) docs.add(n); });
    }
    for (String kind : List.of("ServiceMonitor", "PodMonitor")) {
      JsonNode monitor = Helm.find(docs, kind, null);
      JsonNode ep = monitor.path("spec").path(kind.equals("ServiceMonitor") ? "endpoints" : "podMetricsEndpoints").get(0);
      JsonNode ca = ep.path("tlsConfig").path("ca").path("secret").path("key");
      JsonNode token = ep.path("authorization").path("credentials").path("key");
      assertTrue(ca.isTextual() && ca.asText().equals("true"), kind + " tlsConfig CA key: " + ca);
      assertTrue(token.isTextual() && token.asText().equals("2024"), kind + " bearer token key: " + token);
    }
  }

  @Test
  void theSchemaRefusesBadMonitorAndProtectionValues(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        metrics:
          tls: {enabled: "yes", certKey: ""}
          bearerToken: {secretName: Not_A_Name}
          serviceMonitor: {scrapeTimeout: "10", honourLabels: true}
          podMonitor: {namespace: Monitoring, relabelings: {a: b}}
        """);
    Helm.Result r = Helm.run("template", "hco", Helm.CHART.toString(), "-f", bad.toString());
    assertNotEquals(0, r.exitCode());
    for (String field : List.of("tls/enabled", "certKey", "secretName", "scrapeTimeout", "honourLabels", "namespace", "relabelings")) {
      assertTrue(r.output().contains(field), field + " not reported in:\n" + r.output());
    }
  }
}
