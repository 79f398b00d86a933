package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.config.OperatorConfig;
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
  static final OperatorConfig CONFIG = OperatorConfig.fromEnv(Map.of()).withHealthPort(-1);
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
}
