package dev.herokuconnect.operator.cli;

import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.health.KubernetesRequestMetrics;
import dev.herokuconnect.operator.health.StartupFailure;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** Runs the operator until the process is stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Cli.VersionProvider.class,
    description = {
        "Runs the operator against the cluster of the current kubeconfig (or the in-cluster service account). "
            + "Install the CRDs first: kubectl apply --server-side -f crds/",
        "",
        "Settings come from environment variables: HEROKU_CONNECT_DISCOVERY_URL, HEROKU_CONNECT_API_HOSTS (where the "
            + "token may be sent; default *.heroku.com), HEROKU_CONNECT_DAILY_BUDGET, WATCH_NAMESPACES, "
            + "HEROKU_CONNECT_REFRESH_INTERVAL, METRICS_PORT (8080), HEALTH_PORT (8081), ... (README).",
        "",
        "A start that cannot succeed (Kubernetes API unreachable, CRDs missing, RBAC denied, a port taken, a metrics "
            + "TLS or token file that cannot be read, a "
            + "setting that cannot be read such as a duration of 1.5h) prints one line saying what to fix and exits "
            + "with status 1.",
        ""})
final class RunCommand implements Callable<Integer> {
  private final Cli.Io io;

  RunCommand(Cli.Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    OperatorConfig config = settings(io.env(), io.err());
    if (config == null) return Cli.ERROR;
    KubernetesClient client = new KubernetesClientBuilder().withHttpClientBuilderConsumer(KubernetesRequestMetrics::addTo).build();
    HerokuConnectOperator operator;
    try {
      operator = HerokuConnectOperator.start(client, config, Clock.systemUTC());
    } catch (StartupFailure e) {
      io.err().println("heroku-connect-operator cannot start: " + e.getMessage());
      client.close();
      return Cli.ERROR;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      client.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return Integer.MIN_VALUE; // the shutdown hook is running; let it finish
  }

  /** The settings, or null after one line on {@code err} that names the setting that cannot be read. */
  static OperatorConfig settings(Map<String, String> env, PrintStream err) {
    try {
      return OperatorConfig.fromEnv(env);
    } catch (IllegalArgumentException e) {
      err.println("heroku-connect-operator cannot start: " + e.getMessage());
      return null;
    }
  }
}
