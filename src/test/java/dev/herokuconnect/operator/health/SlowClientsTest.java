package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.config.MetricsAccess;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that send half a request (slowloris) hold a JDK server thread each while its headers
 * are read: a probe or a scrape must still be answered while a few such connections are open
 * (with the earlier three threads, three of them left the kubelet's probes unanswered).
 */
class SlowClientsTest {
  /** More half-requests than the earlier pools had threads, well under {@link HealthServer#THREADS}. */
  static final int HELD = 8;

  @Test
  void probesAreAnsweredWhileHalfRequestsHoldConnections() throws Exception {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:1").build()).build();
    try (client; HealthServer health = HealthServer.start(0, new Operator(o -> o.withKubernetesClient(client)), Leadership.off())) {
      assertAnsweredWhileHeld(health.port(), "/healthz");
    }
  }

  @Test
  void scrapesAreAnsweredWhileHalfRequestsHoldConnections() throws Exception {
    try (MetricsServer metrics = MetricsServer.start(0, new PrometheusRegistry(), MetricsAccess.OPEN)) {
      assertAnsweredWhileHeld(metrics.port(), "/metrics");
    }
  }

  @Test
  void theRequestTimeIsBoundedUnlessSetByWhoeverRunsTheProcess() {
    // set before any server in this process started (the fake's included) or by the first start here
    assertTrue(System.getProperty(HealthServer.MAX_REQUEST_TIME) != null, "bounded once a server has started");
    String before = System.getProperty(HealthServer.MAX_REQUEST_TIME);
    HealthServer.boundRequestTime();
    assertEquals(before, System.getProperty(HealthServer.MAX_REQUEST_TIME), "a value already set (-D) is kept");
  }

  private static void assertAnsweredWhileHeld(int port, String path) throws IOException {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < HELD; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.US_ASCII)); // no blank line: never ends
        s.getOutputStream().flush();
        held.add(s);
      }
      try (Socket probe = new Socket("127.0.0.1", port)) {
        probe.setSoTimeout(5_000); // the chart's probe timeout: no answer by then is a failed probe
        probe.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String status = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        assertTrue(status != null && status.startsWith("HTTP/1.1 "), "answered while " + HELD + " half-requests are open: " + status);
      }
    } finally {
      for (Socket s : held) s.close();
    }
  }
}
