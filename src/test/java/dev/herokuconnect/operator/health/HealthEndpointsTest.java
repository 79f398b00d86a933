package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/** /healthz and /readyz over real HTTP, on an operator running against the mock Kubernetes API. */
class HealthEndpointsTest {
  static final Duration BOUND = Duration.ofSeconds(30);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  record Answer(int code, String body) {}

  Answer get(HerokuConnectOperator op, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + op.healthPort() + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body().strip());
    } catch (Exception e) {
      return new Answer(-1, e.toString());
    }
  }

  boolean eventually(HerokuConnectOperator op, String path, int code) {
    return Sandbox.await(BOUND, () -> get(op, path).code() == code);
  }

  /** The Kubernetes API going away after start breaks the watches: liveness fails, within a bound. */
  @Test
  void livenessFailsWhenTheInformersLoseTheApi() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    KubernetesMockServer kube = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new KubernetesMixedDispatcher(expectations), false);
    kube.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient client = kube.createClient();
    for (String crd : Sandbox.CRD_RESOURCES) {
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(crd)) {
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
    OperatorConfig config = OperatorConfig.fromEnv(Map.of()).withoutEndpoints().withHealthPort(0);
    try (HerokuConnectOperator op = HerokuConnectOperator.start(client, config, Clock.systemUTC(), false)) {
      assertTrue(eventually(op, "/readyz", 200), () -> "ready once synced: " + get(op, "/readyz"));
      assertEquals(new Answer(200, "ok"), get(op, "/healthz"));
      kube.destroy();
      long lost = System.nanoTime();
      assertTrue(eventually(op, "/healthz", 503), () -> "liveness fails: " + get(op, "/healthz"));
      System.out.printf("/healthz 503 %.1f s after the API went away%n", (System.nanoTime() - lost) / 1e9);
      Answer a = get(op, "/healthz");
      assertTrue(a.body().startsWith("event sources unhealthy (watch down or informer stopped): "), a.body());
      assertTrue(a.body().contains("herokuconnectionreconciler") || a.body().contains("connection"), a.body());
    } finally {
      client.close();
      kube.destroy();
    }
  }

  /** A mock Kubernetes API (CRUD mode) with the operator's CRDs, on {@code port} (0: any free port). */
  KubernetesMockServer mockApi(int port) throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    KubernetesMockServer kube = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new KubernetesMixedDispatcher(expectations), false);
    kube.init(InetAddress.getLoopbackAddress(), port);
    try (KubernetesClient client = kube.createClient()) {
      for (String crd : Sandbox.CRD_RESOURCES) {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(crd)) {
          client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
        }
      }
    }
    return kube;
  }

  /**
   * Watches down after start: /readyz answers 503 naming the unhealthy watches (a synced cache
   * that no longer follows the cluster is not ready); the API back on the same address: the
   * informers relist and watch again, and /readyz answers 200 again.
   */
  @Test
  void readinessFailsWhileTheWatchesAreDownAndRecovers() throws Exception {
    KubernetesMockServer kube = mockApi(0);
    int port = kube.getPort();
    KubernetesClient client = kube.createClient();
    KubernetesMockServer back = null;
    OperatorConfig config = OperatorConfig.fromEnv(Map.of()).withoutEndpoints().withHealthPort(0);
    try (HerokuConnectOperator op = HerokuConnectOperator.start(client, config, Clock.systemUTC(), false)) {
      assertTrue(eventually(op, "/readyz", 200), () -> "ready once synced: " + get(op, "/readyz"));
      kube.destroy();
      assertTrue(eventually(op, "/readyz", 503), () -> "not ready while the watches are down: " + get(op, "/readyz"));
      Answer down = get(op, "/readyz");
      assertTrue(down.body().startsWith("event sources unhealthy (watch down or informer stopped): "), down.body());
      assertTrue(down.body().contains("/"), "names controller/event source: " + down.body());
      back = mockApi(port);
      // the informers retry the watch with an exponential backoff (fabric8: up to 32 s between tries)
      assertTrue(Sandbox.await(Duration.ofSeconds(90), () -> get(op, "/readyz").code() == 200),
          () -> "ready again once the watches are back: " + get(op, "/readyz"));
      assertEquals(new Answer(200, "ok"), get(op, "/healthz"));
    } finally {
      client.close();
      kube.destroy();
      if (back != null) back.destroy();
    }
  }

  /** With leader election, only the holder of the Lease is ready; a synced standby is alive and ready with ?standby=true. */
  @Test
  void readinessFollowsLeadership() throws Exception {
    try (Sandbox sb = new Sandbox()) {
      OperatorConfig elected = sb.config().withHealthPort(0).withLeaderElection(true, "hco-test", "default");
      HerokuConnectOperator first = sb.startOperator(elected);
      assertTrue(eventually(first, "/readyz", 200), () -> "the first instance leads: " + get(first, "/readyz"));
      try (HerokuConnectOperator second = HerokuConnectOperator.start(sb.client(), elected, Clock.systemUTC(), false)) {
        assertTrue(eventually(second, "/readyz?standby=true", 200), () -> "synced standby: " + get(second, "/readyz?standby=true"));
        String expected = "standby: leader election is on and the Lease is held by " + first.identity();
        // synced may come before the standby's first read of the Lease: poll until it names the holder
        Answer[] standby = new Answer[1];
        Sandbox.await(java.time.Duration.ofSeconds(30), () -> expected.equals((standby[0] = get(second, "/readyz")).body()));
        assertEquals(503, standby[0].code(), standby[0].body());
        assertEquals(expected, standby[0].body());
        assertEquals(200, get(second, "/healthz").code(), "a standby is alive");
        assertEquals(200, get(first, "/readyz").code());
      }
    }
  }
}
