package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The Kubernetes client's request metrics on a client that gets no answer, and a client built without them. */
class KubernetesRequestMetricsTest {

  @Test
  void aRequestWithoutAnswerCountsAsErrorAndIsNotTimed() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort(); // nothing listens there once the socket is closed
    }
    var config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + closed).withRequestRetryBackoffLimit(2)
        .withRequestRetryBackoffInterval(10).withConnectionTimeout(2_000).build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(KubernetesRequestMetrics::addTo).build()) {
      KubernetesRequestMetrics.of(client).orElseThrow().bindTo(registry);
      assertThrows(KubernetesClientException.class, () -> client.pods().inNamespace("crm").list());
    }
    PromText m = PromText.parse(registry.scrape());
    // three attempts (the request and two retries); fabric8 tells its interceptors of the failures it
    // retries, not of the last one
    assertEquals(2, m.one("heroku_connect_operator_kubernetes_requests_total", "method", "GET", "code", "<error>").value(),
        "the attempts fabric8 retried: " + m.samples("heroku_connect_operator_kubernetes_requests_total"));
    assertTrue(m.samples("heroku_connect_operator_kubernetes_request_duration_seconds_count").isEmpty(), "no answer, no time to it");
  }

  @Test
  void aClientBuiltWithoutThemHasNone() {
    var config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:1").build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      assertTrue(KubernetesRequestMetrics.of(client).isEmpty());
    }
  }
}
