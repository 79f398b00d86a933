package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The operator process: restarts, health and metrics, namespaces, leader election. */
class OperatorLifecycleTest extends OperatorTestBase {

  @Test
  void aRestartBetweenCreateAndStatusWriteDoesNotCreateTwice() throws Exception {
    readyConnection();
    apply(mapping("account", "Account", ""));
    assertTrue(Sandbox.await(WAIT, () -> fake.mappings(connectionId).size() == 1), "created remotely");
    sb.stopOperator();
    // As if the process died before its status write: the object does not know its mapping id. A status
    // write the stopped process had already sent may still land: clear the id until it stays cleared.
    assertTrue(Sandbox.await(WAIT, () -> {
      sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account")
          .subresource("status").patch(MERGE, "{\"status\":{\"mappingId\":null}}");
      String version = map("account").getMetadata().getResourceVersion();
      letItRun(java.time.Duration.ofMillis(300));
      HerokuMapping now = map("account");
      return version.equals(now.getMetadata().getResourceVersion()) && now.getStatus().getMappingId() == null;
    }), "the stopped operator's last writes have landed, and the id stays cleared");
    assertNull(map("account").getStatus().getMappingId());
    sb.startOperator(config());
    HerokuMapping m = awaitMappingReady("account");
    assertEquals(fake.mappings(connectionId).get(0).id(), m.getStatus().getMappingId());
    assertEquals(1, count("POST", "/mappings"), "adopted, not created again");
    assertEquals(1, fake.mappings(connectionId).size());
  }

  @Test
  void aReloadIsNotRepeatedByANewProcess() throws Exception {
    readyConnection();
    apply(mapping("account", "Account", ""));
    awaitMappingReady("account");
    annotateMapping("account", Crds.RELOAD_REQUESTED_AT, "2026-11-22T09:00:00Z");
    awaitMapping("account", x -> "2026-11-22T09:00:00Z".equals(x.getStatus().getLastHandledReloadAt()), "reloaded");
    sb.stopOperator();
    sb.startOperator(config());
    reconcileMappingNow("account");
    assertEquals(1, count("POST", "/actions/reload"));
  }

  @Test
  void healthAndMetricsEndpoints() throws Exception {
    sb.stopOperator();
    HerokuConnectOperator op = sb.startOperator(config().withHealthPort(0).withMetricsPort(0));
    readyConnection();
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + op.healthPort();
    assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
        "/metrics is not on the health port");
    for (String other : new String[] {"/healthzz", "/readyz/x", "/"}) {
      assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + other)).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
          other + ": only the probes' own paths");
    }
    String metricsBase = "http://127.0.0.1:" + op.metricsPort();
    assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(metricsBase + "/readyz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
        "the probes are not on the metrics port");
    String metrics = http.send(HttpRequest.newBuilder(URI.create(metricsBase + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(metrics.contains("heroku_connect_api_requests_total{endpoint=\"GET /connections/{id}?deep\",status=\"200\"}"), metrics);
    assertTrue(metrics.contains("heroku_connect_connection_api_tokens_left{connection_id=\"" + connectionId + "\",name=\"sales\",namespace=\"crm\"}"), metrics);
    assertTrue(metrics.contains("heroku_connect_operator_reconcile_total{kind=\"HerokuConnection\",result=\"success\"}"),
        "the controllers' own series are there too: " + metrics);
    assertTrue(!metrics.contains("operator_sdk_") && !metrics.contains("resource_name"), "no per-resource series from the SDK");
  }

  @Test
  void watchNamespacesLimitsTheOperator() throws Exception {
    sb.stopOperator();
    OperatorConfig only = config().withWatchNamespaces(Set.of("crm"));
    sb.startOperator(only);
    sb.ensureNamespace("other");
    apply((secret(TOKEN) + "---\n" + connection("")).replace("namespace: crm", "namespace: other"));
    readyConnection();
    var other = sb.client().resources(dev.herokuconnect.operator.crd.HerokuConnection.class).inNamespace("other").withName("sales").get();
    assertNull(other.getStatus(), "not watched, not touched");
    assertNull(other.getMetadata().getFinalizers() == null || other.getMetadata().getFinalizers().isEmpty() ? null : "finalizer");
  }

  @Test
  void withLeaderElectionOnlyOneInstanceWorksAndTheOtherTakesOver() throws Exception {
    sb.stopOperator();
    OperatorConfig le = config().withLeaderElection(true, "hco-test", NS);
    sb.ensureNamespace(NS);
    HerokuConnectOperator first = HerokuConnectOperator.start(sb.client(), le, Clock.systemUTC(), false);
    HerokuConnectOperator second = HerokuConnectOperator.start(sb.client(), le, Clock.systemUTC(), false);
    try {
      readyConnection();
      apply(mapping("account", "Account", ""));
      awaitMappingReady("account");
      assertEquals(1, count("POST", "/mappings"));
      var lease = sb.client().leases().inNamespace(NS).withName("hco-test").get();
      String holder = lease.getSpec().getHolderIdentity();
      assertTrue(holder != null && !holder.isBlank());
      HerokuConnectOperator leader = holder.equals(first.identity()) ? first : second;
      assertEquals(holder, leader.identity());
      leader.close(); // the follower must take over
      apply(mapping("contact", "Contact", ""));
      assertTrue(Sandbox.await(java.time.Duration.ofSeconds(60), () -> {
        HerokuMapping c = map("contact");
        return c != null && Conditions.isTrue(c.getStatus(), Conditions.READY);
      }), "the remaining instance finishes the work");
      assertEquals(2, count("POST", "/mappings"), "no duplicate work");
    } finally {
      first.close();
      second.close();
    }
  }
}
