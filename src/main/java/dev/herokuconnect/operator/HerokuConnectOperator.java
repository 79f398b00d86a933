package dev.herokuconnect.operator;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.health.Endpoints;
import dev.herokuconnect.operator.health.JvmProcessMetrics;
import dev.herokuconnect.operator.health.KubernetesRequestMetrics;
import dev.herokuconnect.operator.health.Leadership;
import dev.herokuconnect.operator.health.ObjectMetrics;
import dev.herokuconnect.operator.health.PrometheusApiMetrics;
import dev.herokuconnect.operator.health.ReconcileMetrics;
import dev.herokuconnect.operator.health.StartupCheck;
import dev.herokuconnect.operator.health.StartupFailure;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.Controllers;
import dev.herokuconnect.operator.reconciler.loop.SpecOrAnnotationChange;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator process: both controllers, the shared API budget, health and metrics. */
public final class HerokuConnectOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HerokuConnectOperator.class);

  private final Operator operator;
  private final ApiBudget budget;
  private final Controllers controllers;
  private final Endpoints endpoints;
  private final String identity;
  private final JvmProcessMetrics jvm;

  private HerokuConnectOperator(Operator operator, ApiBudget budget, Controllers controllers, Endpoints endpoints, String identity,
                                JvmProcessMetrics jvm) {
    this.jvm = jvm;
    this.operator = operator;
    this.budget = budget;
    this.controllers = controllers;
    this.endpoints = endpoints;
    this.identity = identity;
  }

  /** Starts the operator on {@code client}; a port setting of 0 picks a free port, -1 none. */
  public static HerokuConnectOperator start(KubernetesClient client, OperatorConfig config, Clock clock) throws IOException {
    return start(client, config, clock, true);
  }

  /**
   * As above; {@code exitOnLostLease} false keeps the process alive when leadership is lost
   * (in-process tests). In a pod, exiting is right: the restarted pod waits for the lease.
   *
   * @throws StartupFailure with one line saying what to fix when the Kubernetes API cannot be
   *     reached, a CRD is missing, RBAC denies the watched kinds, a port is taken, or a metrics TLS/token file is bad
   */
  public static HerokuConnectOperator start(KubernetesClient client, OperatorConfig config, Clock clock,
                                            boolean exitOnLostLease) throws IOException {
    Leadership leadership = config.leaderElection() ? Leadership.electing(NO_LEASE_HOLDER_LIMIT) : Leadership.off();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JvmProcessMetrics.configure(registry); // before any meter: Micrometer warns of a filter configured later
    KubernetesRequestMetrics.of(client).ifPresent(requests -> requests.bindTo(registry));
    ApiBudget budget = new ApiBudget(config.dailyBudget(), clock, new PrometheusApiMetrics(registry));
    // the Platform API's own budget (spec.addon), separate from the Connect one, with its metrics
    var platform = new dev.herokuconnect.operator.platform.PlatformBudget(clock,
        new dev.herokuconnect.operator.health.PrometheusPlatformMetrics(registry));
    Controllers controllers = new Controllers(client, config, clock, budget, Controllers.http(config, budget, platform, clock));
    // Per-object series, computed when Prometheus scrapes from the caches, the snapshots and the budget: no API request.
    registry.getPrometheusRegistry().register(
        new ObjectMetrics(controllers.directory(), controllers.snapshots(), budget, leadership::leading, clock));
    String identity = System.getenv().getOrDefault("POD_NAME", "heroku-connect-operator-" + UUID.randomUUID());
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withUseSSAToPatchPrimaryResource(false) // the same path in production and against the mock API
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withMetrics(new ReconcileMetrics(registry))
          // an informer that cannot list/watch or sync at start fails the start (and `run` exits) in bounded time
          .withStopOnInformerErrorDuringStartup(true)
          .withCacheSyncTimeout(CACHE_SYNC_TIMEOUT);
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(config.leaseName(),
            config.leaseNamespace().isBlank() ? null : config.leaseNamespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
            identity, leadership.callbacks(), exitOnLostLease));
      }
    });
    operator.register(controllers.connections(), o -> namespaces(o, config));
    operator.register(controllers.mappings(), o -> namespaces(o, config));
    Endpoints endpoints = Endpoints.start(config, operator, registry.getPrometheusRegistry(), leadership);
    JvmProcessMetrics jvm = JvmProcessMetrics.bindTo(registry); // here: every failure after this closes it
    try {
      StartupCheck.check(client, config, List.of(HerokuConnection.class, HerokuMapping.class));
      operator.start();
    } catch (RuntimeException e) {
      endpoints.close();
      jvm.close();
      throw StartupCheck.explain(e, client.getMasterUrl().toString(), null, null);
    }
    log.info("heroku-connect-operator " + Version.get() + " started: namespaces {}, daily budget {} per connection, refresh every {}, leader election {}",
        config.watchNamespaces().isEmpty() ? "all" : config.watchNamespaces(), config.dailyBudget(),
        config.refreshInterval(), config.leaderElection() ? "on" : "off");
    return new HerokuConnectOperator(operator, budget, controllers, endpoints, identity, jvm);
  }

  /** How long each informer may take to list at start before the start fails (the SDK's default, made explicit). */
  private static final Duration CACHE_SYNC_TIMEOUT = Duration.ofMinutes(2);

  /** With leader election on, how long no Lease holder at all may be seen before /healthz fails. */
  private static final Duration NO_LEASE_HOLDER_LIMIT = Duration.ofSeconds(60);

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> void namespaces(
      ControllerConfigurationOverrider<R> o, OperatorConfig config) {
    if (!config.watchNamespaces().isEmpty()) o.settingNamespaces(config.watchNamespaces());
    o.withGenerationAware(false).withOnUpdateFilter(new SpecOrAnnotationChange<>());
  }

  /** Both controllers and what they share (the directory of objects, the snapshot cache). */
  public Controllers controllers() { return controllers; }

  /** The API budget shared by both controllers. */
  public ApiBudget budget() { return budget; }

  public Operator operator() { return operator; }

  /** The name this instance holds the leader-election Lease under. */
  public String identity() { return identity; }

  public int healthPort() { return endpoints.healthPort(); }

  public int metricsPort() { return endpoints.metricsPort(); }

  /** Stops at once without recording anything, as a crash would (tests of restarts). */
  public void crash() {
    operator.stop();
    endpoints.close();
    jvm.close();
  }

  @Override
  public void close() {
    budget.recordAll(); // a graceful stop records the true spend (while the caches still know the objects)
    operator.stop();
    endpoints.close();
    jvm.close();
  }
}
