package dev.herokuconnect.operator.health;

import com.sun.net.httpserver.HttpsConfigurator;
import dev.herokuconnect.operator.config.MetricsAccess;
import dev.herokuconnect.operator.config.OperatorConfig;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.ExecutorService;

/**
 * /metrics on its own port ({@value OperatorConfig#METRICS_PORT}, as controller-runtime's metrics
 * port), served by the Prometheus client's own exporter: it negotiates the format (Prometheus text
 * by default, OpenMetrics for {@code Accept: application/openmetrics-text}), gzips for
 * {@code Accept-Encoding: gzip}, and filters by {@code name[]=}. Optionally HTTPS and a bearer
 * token ({@link MetricsAccess}). Besides /metrics the exporter answers {@code /-/healthy} (its own,
 * always 200). The JDK server matches a context by prefix and the exporter's handlers do not check
 * the path, so {@code /metrics/x} answers as /metrics; the authenticator guards every context.
 * Every other path answers 404 (the probes are on {@link HealthServer}'s port).
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /**
   * Reads the token and TLS files first (a bad one stops the start, naming the setting and the
   * path), then binds. Throws {@link StartupFailure} naming METRICS_PORT when the port is taken.
   */
  public static MetricsServer start(int port, PrometheusRegistry registry, MetricsAccess access) throws IOException {
    HealthServer.boundRequestTime(); // before the exporter's class sets its own 60 s
    HTTPServer.Builder builder = HTTPServer.builder()
        .port(port)
        .registry(registry)
        .defaultHandler(HealthServer::notFound);
    if (access.bearer()) builder.authenticator(BearerTokenCheck.of(access.bearerTokenFile()));
    if (access.tls()) builder.httpsConfigurator(new HttpsConfigurator(TlsFiles.serverContext(access.tlsCertFile(), access.tlsKeyFile())));
    ExecutorService executor = HealthServer.threads("metrics");
    try {
      return new MetricsServer(builder.executorService(executor).buildAndStart());
    } catch (BindException e) {
      executor.shutdownNow();
      throw StartupFailure.portInUse(OperatorConfig.METRICS_PORT, port, e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** Stops the server and its threads. */
  @Override
  public void close() {
    server.close();
  }
}
