package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herokuconnect.operator.health.ObjectMetrics;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The chart's alert rules (files/alerts.yaml): promtool's unit tests, rendering, and the dashboard ConfigMap. */
class AlertRulesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The rules as Prometheus loads them: the rendered PrometheusRule's spec, with {@code sets} applied. */
  static String renderedRules(String... sets) throws Exception {
    List<String> all = new ArrayList<>(List.of("prometheusRule.enabled=true"));
    all.addAll(List.of(sets));
    JsonNode rule = Helm.find(Helm.template(all.toArray(String[]::new)), "PrometheusRule", null);
    assertNotNull(rule, "PrometheusRule rendered");
    return YAML.writeValueAsString(rule.path("spec"));
  }

  static String promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) return p.toString();
    }
    Assumptions.assumeTrue(false, "promtool is not on the PATH: install prometheus (apt-get install -y prometheus; .ci/run does) "
        + "to run the alert rules' unit tests");
    return null;
  }

  @Test
  void promtoolUnitTestsOfTheRules() throws Exception {
    String promtool = promtool();
    Path dir = Files.createTempDirectory("alerts");
    Files.writeString(dir.resolve("alerts.yaml"), renderedRules());
    Files.copy(Path.of("src/test/resources/alerts/alerts-test.yaml"), dir.resolve("alerts-test.yaml"));
    String check = run(dir, promtool, "check", "rules", "alerts.yaml");
    assertTrue(check.contains("SUCCESS: 11 rules found"), check);
    String test = run(dir, promtool, "test", "rules", "alerts-test.yaml");
    assertTrue(test.contains("SUCCESS"), test);
  }

  /** The floor is off by default (0); set, it fires for a connection below it, and not for one at or above it. */
  @Test
  void theSalesforceApiVersionFloor() throws Exception {
    String promtool = promtool();
    Path dir = Files.createTempDirectory("alerts-floor");
    Files.writeString(dir.resolve("alerts.yaml"), renderedRules("prometheusRule.thresholds.salesforceApiVersionFloor=55"));
    Files.copy(Path.of("src/test/resources/alerts/alerts-version-floor-test.yaml"), dir.resolve("alerts-version-floor-test.yaml"));
    String test = run(dir, promtool, "test", "rules", "alerts-version-floor-test.yaml");
    assertTrue(test.contains("SUCCESS"), test);
    assertTrue(renderedRules().contains("heroku_connect_connection_salesforce_api_version < 0"), "off by default");
  }

  private static String run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool timed out");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
    return out;
  }

  @Test
  void thePrometheusRuleRendersOnlyWhenEnabledWithTheThresholds() throws Exception {
    assertNull(Helm.find(Helm.template(), "PrometheusRule", null), "off by default");
    List<JsonNode> docs = Helm.template("prometheusRule.enabled=true", "prometheusRule.thresholds.connectionNotReadyFor=42m",
        "prometheusRule.thresholds.pollStaleFactor=7", "prometheusRule.thresholds.budgetRemainingRatio=0.05",
        "prometheusRule.thresholds.notificationsUnacknowledgedFor=36h", "prometheusRule.thresholds.reconcileErrorRatio=0.25",
        "prometheusRule.thresholds.reconcileErrorsWindow=30m", "prometheusRule.thresholds.reconcileErrorsFor=1h",
        "prometheusRule.labels.release=kube-prometheus-stack", "prometheusRule.job=my-job");
    JsonNode rule = Helm.find(docs, "PrometheusRule", "hco-heroku-connect-operator");
    assertNotNull(rule);
    assertEquals("ops", rule.path("metadata").path("namespace").asText());
    assertEquals("kube-prometheus-stack", rule.path("metadata").path("labels").path("release").asText());
    String text = rule.path("spec").toString();
    assertFalse(text.contains("${"), "every placeholder filled: " + text);
    JsonNode rules = rule.path("spec").path("groups").get(0).path("rules");
    assertEquals(11, rules.size());
    for (JsonNode r : rules) {
      assertTrue(r.path("annotations").path("runbook_url").asText().startsWith(
          "https://github.com/herokuconnect-dev/heroku-connect-operator/blob/main/README.md#herokuconnect"), r.toString());
      assertTrue(r.path("annotations").path("description").asText().contains("README.md#"), "the description links the README");
      assertTrue(Set.of("critical", "warning").contains(r.path("labels").path("severity").asText()));
    }
    assertEquals("42m", alert(rules, "HerokuConnectConnectionNotReady").path("for").asText());
    assertEquals("36h", alert(rules, "HerokuConnectNotificationsUnacknowledged").path("for").asText());
    assertTrue(alert(rules, "HerokuConnectMappingPollStale").path("expr").asText().contains("7 * heroku_connect_mapping_sf_polling_seconds"));
    assertTrue(alert(rules, "HerokuConnectApiBudgetLow").path("expr").asText().contains("< 0.05"));
    assertTrue(alert(rules, "HerokuConnectOperatorDown").path("expr").asText().contains("up{job=\"my-job\"}"));
    JsonNode reconcileErrors = alert(rules, "HerokuConnectOperatorReconcileErrors");
    assertEquals("1h", reconcileErrors.path("for").asText());
    assertTrue(reconcileErrors.path("expr").asText().contains("{job=\"my-job\",result=~\"error|retry_exhausted\"}[30m]")
        && reconcileErrors.path("expr").asText().contains("> 0.25"), reconcileErrors.path("expr").asText());
    String defaults = Helm.find(Helm.template("prometheusRule.enabled=true"), "PrometheusRule", null).path("spec").toString();
    assertTrue(defaults.contains("up{job=\\\"hco-heroku-connect-operator-metrics\\\"}"), "job defaults to the metrics Service's name");
    assertTrue(defaults.contains("3 * heroku_connect_mapping_sf_polling_seconds") && defaults.contains("< 0.1"), defaults);
    assertTrue(defaults.contains("\"for\":\"24h\""), "notifications: 24h by default: " + defaults);

    // values.schema.json keeps the thresholds strict
    Helm.Result unknown = Helm.run("template", "hco", Helm.CHART.toString(), "--set", "prometheusRule.thresholds.typo=1");
    assertNotEquals(0, unknown.exitCode(), unknown.output());
    Helm.Result badRatio = Helm.run("template", "hco", Helm.CHART.toString(), "--set", "prometheusRule.thresholds.reconcileErrorRatio=2");
    assertNotEquals(0, badRatio.exitCode(), "a ratio above 1: " + badRatio.output());
    Helm.Result badDuration = Helm.run("template", "hco", Helm.CHART.toString(), "--set", "prometheusRule.thresholds.mappingErrorFor=5 minutes");
    assertNotEquals(0, badDuration.exitCode(), badDuration.output());
  }

  private static JsonNode alert(JsonNode rules, String name) {
    for (JsonNode r : rules) if (name.equals(r.path("alert").asText())) return r;
    throw new AssertionError("no alert " + name);
  }

  @Test
  void theMappingErrorAlertCoversExactlyTheErrorStates() throws Exception {
    String rules = Files.readString(Path.of("helm/heroku-connect-operator/files/alerts.yaml"));
    Matcher m = Pattern.compile("heroku_connect_mapping_state\\{state=~\"([A-Z_|]+)\"}").matcher(rules);
    assertTrue(m.find(), "the error alert's state matcher");
    Set<String> inAlert = new TreeSet<>(List.of(m.group(1).split("\\|")));
    Set<String> errors = new TreeSet<>();
    for (String s : ObjectMetrics.MAPPING_STATES) {
      if (StateTable.MAPPING.known(s) && StateTable.MAPPING.kind(s) == StateTable.Kind.ERROR) errors.add(s);
    }
    assertEquals(errors, inAlert);
  }

  @Test
  void theDashboardConfigMapRendersOnlyWhenEnabled() throws Exception {
    assertNull(Helm.find(Helm.template(), "ConfigMap", "hco-heroku-connect-operator-dashboard"), "off by default");
    JsonNode cm = Helm.find(Helm.template("grafanaDashboard.enabled=true", "grafanaDashboard.annotations.grafana_folder=Heroku Connect"),
        "ConfigMap", "hco-heroku-connect-operator-dashboard");
    assertNotNull(cm);
    assertEquals("1", cm.path("metadata").path("labels").path("grafana_dashboard").asText());
    assertEquals("Heroku Connect", cm.path("metadata").path("annotations").path("grafana_folder").asText());
    JsonNode dashboard = new ObjectMapper().readTree(cm.path("data").path("heroku-connect.json").asText());
    assertEquals(new ObjectMapper().readTree(Path.of("helm/heroku-connect-operator/files/dashboard.json").toFile()), dashboard);
    assertTrue(DashboardQueries.of(dashboard).size() >= 10, "panels with queries");
  }
}
