package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.Version;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.CrdSchema;
import dev.herokuconnect.operator.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.javaoperatorsdk.operator.OperatorException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A start that cannot succeed fails at once with one line naming what to fix (issue 10, case 6):
 * each against a real HTTP server on loopback (the fabric8 mock Kubernetes API) or a closed port.
 */
class StartupFailureTest {
  static final Duration BOUND = Duration.ofSeconds(30);
  static final OperatorConfig CONFIG = OperatorConfig.fromEnv(Map.of()).withoutEndpoints();
  static final String CONNECTIONS = "/apis/herokuconnect.dev/v1alpha1/herokuconnections";

  KubernetesMockServer kube;
  KubernetesClient client;

  @AfterEach
  void close() {
    if (client != null) client.close();
    if (kube != null) kube.destroy();
  }

  /** The mock Kubernetes API in CRUD mode, as the Sandbox builds it, optionally with our CRDs. */
  void mockKubernetes(boolean withCrds) throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    kube = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, new KubernetesMixedDispatcher(expectations), false);
    kube.init(InetAddress.getLoopbackAddress(), 0);
    client = kube.createClient();
    if (withCrds) {
      for (String crd : Sandbox.CRD_RESOURCES) {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(crd)) {
          client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
        }
      }
    }
  }

  StartupFailure startFails(OperatorConfig config) {
    return assertTimeoutPreemptively(BOUND, () -> assertThrows(StartupFailure.class, () -> {
      try (HerokuConnectOperator op = HerokuConnectOperator.start(client, config, Clock.systemUTC(), false)) {
        // not reached: the start throws
        assertTrue(op.operator() == null, "started although it should not");
      }
    }), "fails within " + BOUND);
  }

  static Status forbidden(String verb, String scope) {
    return new StatusBuilder().withKind("Status").withApiVersion("v1").withStatus("Failure").withReason("Forbidden").withCode(403)
        .withMessage("herokuconnections.herokuconnect.dev is forbidden: User \"system:serviceaccount:ops:hco\" cannot " + verb
            + " resource \"herokuconnections\" in API group \"herokuconnect.dev\" " + scope)
        .build();
  }

  @Test
  void unreachableApiIsOneLineNamingTheAddress() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:" + closed)
        .withOauthToken("sekret-token-never-shown").withTrustCerts(true).build()).build();
    long started = System.nanoTime();
    StartupFailure f = startFails(CONFIG);
    assertTrue(f.getMessage().startsWith("cannot reach the Kubernetes API at https://127.0.0.1:" + closed + ": "), f.getMessage());
    assertTrue(f.getMessage().endsWith("check the kubeconfig (KUBECONFIG, current context) or, in a pod, the service account and the network"),
        f.getMessage());
    assertTrue(!f.getMessage().contains("sekret") && !f.getMessage().contains("\n"), f.getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "bounded by the check's own retries");
  }

  @Test
  void missingCrdsNameTheCrdAndTheCommand() throws Exception {
    mockKubernetes(false);
    StartupFailure f = startFails(CONFIG);
    assertEquals("CRD herokuconnections.herokuconnect.dev is not installed: kubectl apply --server-side -f crds/", f.getMessage());
  }

  @Test
  void rbacDeniedClusterWide() throws Exception {
    mockKubernetes(true);
    kube.expect().get().withPath(CONNECTIONS + "?limit=1").andReturn(403, forbidden("list", "at the cluster scope")).always();
    StartupFailure f = startFails(CONFIG);
    assertEquals("RBAC: the service account ops:hco cannot list/watch herokuconnections.herokuconnect.dev in any namespace (cluster-wide): "
        + "install the chart's ClusterRole and ClusterRoleBinding (or, with WATCH_NAMESPACES, its Role and RoleBinding in each watched "
        + "namespace)", f.getMessage());
  }

  @Test
  void rbacDeniedInAWatchedNamespace() throws Exception {
    mockKubernetes(true);
    kube.expect().get().withPath("/apis/herokuconnect.dev/v1alpha1/namespaces/crm/herokumappings?limit=1")
        .andReturn(403, forbidden("list", "in the namespace \"crm\"")).always();
    StartupFailure f = startFails(CONFIG.withWatchNamespaces(Set.of("billing", "crm")));
    assertTrue(f.getMessage().startsWith("RBAC: the service account ops:hco cannot list/watch herokumappings.herokuconnect.dev in namespace crm: "),
        f.getMessage());
  }

  @Test
  void healthPortInUseNamesThePortAndTheVariable() throws Exception {
    try (Sandbox sb = new Sandbox(); ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      StartupFailure f = assertThrows(StartupFailure.class, () -> sb.startOperator(sb.config().withHealthPort(port)));
      assertTrue(f.getMessage().startsWith("HEALTH_PORT " + port + " is already in use ("), f.getMessage());
      assertTrue(f.getMessage().endsWith("): stop what listens there or set HEALTH_PORT to a free port"), f.getMessage());
    }
  }

  /** The metrics port taken after the health port was free: the line names METRICS_PORT, and nothing stays bound. */
  @Test
  void metricsPortInUseNamesItsVariable() throws Exception {
    try (Sandbox sb = new Sandbox(); ServerSocket taken = new ServerSocket(); ServerSocket free = new ServerSocket(0)) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      int healthPort = free.getLocalPort();
      free.close();
      StartupFailure f = assertThrows(StartupFailure.class,
          () -> sb.startOperator(sb.config().withHealthPort(healthPort).withMetricsPort(port)));
      assertTrue(f.getMessage().startsWith("METRICS_PORT " + port + " is already in use ("), f.getMessage());
      try (ServerSocket again = new ServerSocket(healthPort)) {
        assertEquals(healthPort, again.getLocalPort(), "the health port was not left bound");
      }
    }
  }

  /** Failures inside the SDK's own start (a watch denied after the list was allowed) read the same. */
  @Test
  void sdkStartFailuresAreExplainedToo() {
    KubernetesClientException denied = new KubernetesClientException(forbidden("watch", "at the cluster scope"));
    OperatorException fromSdk = new OperatorException("Couldn't start source ControllerEventSource",
        new OperatorException(new ExecutionException(denied)));
    String line = StartupCheck.explain(fromSdk, "https://10.0.0.1:443", null, null).getMessage();
    assertTrue(line.startsWith("RBAC: the service account ops:hco cannot list/watch "), line);
    assertEquals("CRD herokumappings.herokuconnect.dev is not installed: kubectl apply --server-side -f crds/",
        StartupCheck.explain(new OperatorException(new io.javaoperatorsdk.operator.MissingCRDException(
            "herokumappings.herokuconnect.dev", "v1")), "https://10.0.0.1", null, null).getMessage());
    assertEquals("https://10.0.0.1:6443", StartupCheck.redact("https://admin:pw@10.0.0.1:6443/"));
  }

  static final String CONNECTIONS_CRD = "herokuconnections.herokuconnect.dev";
  static final String MAPPINGS_CRD = "herokumappings.herokuconnect.dev";

  void relabel(String crd, Map<String, String> labels) {
    client.apiextensions().v1().customResourceDefinitions().withName(crd).edit(c -> {
      c.getMetadata().setLabels(labels);
      return c;
    });
  }

  /** Issue 19: CRDs of an older release (a lower herokuconnect.dev/crd-schema) stop the start with one line. */
  @Test
  void olderCrdsAreRefusedNamingTheCrdItsSchemaAndWhatToApply() throws Exception {
    mockKubernetes(true);
    relabel(CONNECTIONS_CRD, Map.of(CrdSchema.VERSION_LABEL, "0.0.9", CrdSchema.SCHEMA_LABEL, String.valueOf(CrdSchema.SCHEMA - 1)));
    StartupFailure f = startFails(CONFIG);
    String v = Version.get();
    assertEquals("CRD herokuconnections.herokuconnect.dev is older than this operator needs (version 0.0.9, schema " + (CrdSchema.SCHEMA - 1)
        + "; operator " + v + " needs schema " + CrdSchema.SCHEMA + "): apply the CRDs of version " + v + ": helm upgrade the release with chart "
        + v + " (crds.enabled=true), or kubectl apply --server-side -f crds/ of " + v, f.getMessage());
  }

  /** CRDs from before the labels (installed from the chart's old crds/ folder) count as older. */
  @Test
  void unlabelledCrdsCountAsOlder() throws Exception {
    mockKubernetes(true);
    relabel(MAPPINGS_CRD, null);
    StartupFailure f = startFails(CONFIG);
    assertTrue(f.getMessage().startsWith("CRD herokumappings.herokuconnect.dev is older than this operator needs (no app.kubernetes.io/version "
        + "label, no herokuconnect.dev/crd-schema label; operator " + Version.get() + " needs schema " + CrdSchema.SCHEMA + "): "), f.getMessage());
    assertFalse(f.getMessage().contains("\n"));
  }

  @Test
  void theSchemaComparison() {
    CustomResourceDefinition crd = new CustomResourceDefinition();
    crd.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(CONNECTIONS_CRD).build());
    for (String newEnough : List.of("3", "4", " 3")) {
      crd.getMetadata().setLabels(Map.of(CrdSchema.SCHEMA_LABEL, newEnough));
      assertNull(StartupCheck.tooOld(crd, 3, "1.0.0"), newEnough + " serves an operator that needs 3 (newer CRDs are supersets)");
    }
    for (String older : List.of("2", "0", "three", "")) {
      crd.getMetadata().setLabels(Map.of(CrdSchema.SCHEMA_LABEL, older));
      assertNotNull(StartupCheck.tooOld(crd, 3, "1.0.0"), "'" + older + "' is older than 3");
    }
  }

  @Test
  void crdReadDeniedNamesTheChartsCrdReaderRole() throws Exception {
    mockKubernetes(true);
    kube.expect().get().withPath("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + CONNECTIONS_CRD)
        .andReturn(403, new StatusBuilder().withKind("Status").withApiVersion("v1").withStatus("Failure").withReason("Forbidden").withCode(403)
            .withMessage("customresourcedefinitions.apiextensions.k8s.io \"" + CONNECTIONS_CRD + "\" is forbidden: User "
                + "\"system:serviceaccount:ops:hco\" cannot get resource \"customresourcedefinitions\" in API group \"apiextensions.k8s.io\" "
                + "at the cluster scope").build()).always();
    StartupFailure f = startFails(CONFIG);
    assertEquals("RBAC: the service account ops:hco cannot get customresourcedefinitions herokuconnections.herokuconnect.dev (read at start "
        + "to check its version): install the chart's ClusterRole and ClusterRoleBinding <release>-crds", f.getMessage());
  }
}
