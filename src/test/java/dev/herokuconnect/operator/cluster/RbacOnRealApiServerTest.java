package dev.herokuconnect.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herokuconnect.operator.HerokuConnectOperator;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.delivery.Helm;
import dev.herokuconnect.operator.health.StartupFailure;
import dev.herokuconnect.operator.reconciler.connection.CredentialsGuard;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import dev.herokuconnect.operator.testing.Manifests;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator as the chart installs it, as far as the Kubernetes API can tell: its ServiceAccount,
 * Roles and RoleBindings rendered by the real helm binary and applied to a real kube-apiserver
 * (1.20.2, RBAC authorization; see {@link KubeApiServerExtension}), its settings taken from the
 * rendered Deployment's environment, and every request it sends made as that service account
 * (impersonation). What RBAC refuses here, it refuses in a cluster.
 *
 * <p>The chart is rendered per test with {@code operator.watchNamespaces} = the test's namespace
 * (a Role and RoleBinding there) and {@code leaderElection.enabled} (a Lease Role in the release's
 * namespace), the release in a namespace of its own ({@code <ns>-op}) as an install would be. The
 * default install (no watchNamespaces) grants the same rules in a ClusterRole: checked below, not
 * run (an operator watching every namespace would see the other tests' objects).
 */
class RbacOnRealApiServerTest extends ClusterTestBase {
  @RegisterExtension
  static final KubeApiServerExtension CLUSTER = new KubeApiServerExtension();

  @Override
  KubeApiServerExtension cluster() { return CLUSTER; }

  /** What every authenticated user may do by the API server's default roles (system:basic-user): JOSDK's lease-access check. */
  private static final Set<String> DEFAULT_GRANTS = Set.of("create authorization.k8s.io/selfsubjectrulesreviews");

  /** The release's namespace: the ServiceAccount, the Lease and its Role. */
  String opNs;
  List<JsonNode> chart;
  String fullname;
  String user;
  List<String> groups;
  Map<String, String> env;
  RequestLog requests;
  /** The service account's own client, for access reviews. */
  KubernetesClient asSa;
  final List<Instance> others = new ArrayList<>();

  /** One more operator process, as a second replica. */
  record Instance(HerokuConnectOperator operator, KubernetesClient client, WriteRecorder recorder, RequestLog requests) {}

  /** The operator as the chart runs it: the chart's RBAC applied first (once per test), then the service account's client. */
  @Override
  void startOperator() throws Exception {
    if (chart == null) installChart();
    recorder = new WriteRecorder();
    requests = new RequestLog();
    operatorClient = CLUSTER.newClientAs(user, groups, recorder, requests);
    operator = HerokuConnectOperator.start(operatorClient, config(), Clock.systemUTC(), false);
  }

  Instance startInstance() throws Exception {
    WriteRecorder w = new WriteRecorder();
    RequestLog r = new RequestLog();
    KubernetesClient c = CLUSTER.newClientAs(user, groups, w, r);
    Instance i = new Instance(HerokuConnectOperator.start(c, config(), Clock.systemUTC(), false), c, w, r);
    others.add(i);
    return i;
  }

  /**
   * The rendered Deployment's environment (its plain values: namespaces, leader election, the fake
   * Connect API as discovery URL and only allowed host), with the base's quick intervals (the
   * chart's floor for the settling interval is 1 s) and no health port.
   */
  @Override
  OperatorConfig config() {
    OperatorConfig quick = super.config();
    return OperatorConfig.fromEnv(env).withIntervals(quick.refreshInterval(), quick.settlingInterval(), quick.maxBackoff())
        .withoutEndpoints();
  }

  /** helm template, then the ServiceAccount and the RBAC objects applied as the chart renders them. */
  private void installChart() throws Exception {
    opNs = ns + "-op";
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(opNs).endMetadata().build()).create();
    chart = Helm.templateIn(opNs,
        "operator.watchNamespaces={" + ns + "}",
        "leaderElection.enabled=true",
        "fullnameOverride=" + opNs, // the cluster-scoped CRD reader (<fullname>-crds) is one per test
        "operator.discoveryUrl=" + fake.baseUrl(),
        "operator.apiHosts={" + fake.host() + "}");
    JsonNode sa = Helm.find(chart, "ServiceAccount", null);
    assertNotNull(sa, "the chart renders a ServiceAccount");
    String saName = sa.path("metadata").path("name").asText();
    fullname = Helm.find(chart, "Deployment", null).path("metadata").path("name").asText();
    user = "system:serviceaccount:" + opNs + ":" + saName;
    groups = List.of("system:serviceaccounts", "system:serviceaccounts:" + opNs, "system:authenticated");
    env = new LinkedHashMap<>();
    for (JsonNode e : Helm.find(chart, "Deployment", null).path("spec").path("template").path("spec").path("containers").get(0).path("env")) {
      if (e.has("value")) env.put(e.path("name").asText(), e.path("value").asText());
    }
    asSa = CLUSTER.newClientAs(user, groups);
    assertFalse(can("list", "herokuconnect.dev", "herokuconnections", ns), "before the chart, the service account may do nothing");
    for (JsonNode doc : chart) {
      if (isTenantRole(doc)) continue; // not the operator's: the tenants' view/edit roles (cluster-wide, shared by the tests)
      if (Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding").contains(doc.path("kind").asText())) {
        kube.resource(kube.getKubernetesSerialization().convertValue(doc, HasMetadata.class)).create();
      }
    }
    // The API server's RBAC authorizer reads roles from its own cache: wait until the grants are in.
    awaitAccess("list", "herokuconnect.dev", "herokuconnections", ns, true);
    awaitAccess("update", "coordination.k8s.io", "leases", env.get("LEADER_ELECTION_LEASE_NAME"), opNs, true);
  }

  @AfterEach
  void stopOthers() {
    for (Instance i : others) {
      i.operator().close();
      i.client().close();
    }
    others.clear();
    if (asSa != null) asSa.close();
  }

  boolean can(String verb, String group, String resource, String namespace) {
    return can(verb, group, resource, null, namespace);
  }

  /** With {@code name}: may the service account do it to that one object (rules limited by resourceNames count). */
  boolean can(String verb, String group, String resource, String name, String namespace) {
    SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
        .withVerb(verb).withGroup(group).withResource(resource).withName(name).withNamespace(namespace)
        .endResourceAttributes().endSpec().build();
    return asSa.authorization().v1().selfSubjectAccessReview().create(review).getStatus().getAllowed();
  }

  void awaitAccess(String verb, String group, String resource, String namespace, boolean allowed) {
    awaitAccess(verb, group, resource, null, namespace, allowed);
  }

  void awaitAccess(String verb, String group, String resource, String name, String namespace, boolean allowed) {
    assertTrue(Sandbox.await(WAIT, () -> can(verb, group, resource, name, namespace) == allowed),
        () -> user + (allowed ? " never allowed to " : " still allowed to ") + verb + " " + group + "/" + resource
            + (name == null ? "" : " " + name) + " in " + namespace);
  }

  /** The aggregated view/edit ClusterRoles for tenants (rbac.aggregatedRoles): bound to no one by the chart. */
  static boolean isTenantRole(JsonNode doc) {
    var it = doc.path("metadata").path("labels").fieldNames();
    while (it.hasNext()) if (it.next().startsWith("rbac.authorization.k8s.io/aggregate-to-")) return true;
    return false;
  }

  /** "verb group/resource" for every verb the chart's Roles and ClusterRoles grant the operator. */
  static Set<String> grants(List<JsonNode> docs, String kind) {
    Set<String> out = new TreeSet<>();
    for (JsonNode role : Helm.all(docs, kind)) {
      if (isTenantRole(role)) continue;
      for (JsonNode rule : role.path("rules")) {
        for (JsonNode g : rule.path("apiGroups")) {
          for (JsonNode r : rule.path("resources")) {
            for (JsonNode v : rule.path("verbs")) out.add(v.asText() + " " + g.asText() + "/" + r.asText());
          }
        }
      }
    }
    return out;
  }

  List<Event> operatorEvents(String kind) {
    return kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "heroku-connect-operator".equals(e.getReportingComponent()) && kind.equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  Lease lease() {
    return kube.leases().inNamespace(opNs).withName(env.get("LEADER_ELECTION_LEASE_NAME")).get();
  }

  @Test
  void underTheChartsServiceAccountAConnectionAndAMappingGoReadyAndAreDeleted() throws Exception {
    assertEquals(ns, env.get("WATCH_NAMESPACES"));
    assertEquals("true", env.get("LEADER_ELECTION_ENABLED"));
    readyConnection();
    apply(Manifests.mapping("account", "Account", ""));
    String id = awaitMappingReady("account").getStatus().getMappingId();

    // The token Secret was read and held (get, patch), status written, finalizers added, Events created.
    Secret secret = kube.secrets().inNamespace(ns).withName("heroku-api").get();
    assertTrue(secret.getMetadata().getFinalizers().contains(CredentialsGuard.FINALIZER), "held: " + secret.getMetadata().getFinalizers());
    assertEquals("true", secret.getMetadata().getLabels().get(CredentialsGuard.LABEL));
    assertTrue(conn().getMetadata().getFinalizers().contains(Crds.FINALIZER), describe(conn()));
    assertTrue(map("account").getMetadata().getFinalizers().contains(Crds.FINALIZER), describe(map("account")));
    assertEquals(connectionId, conn().getStatus().getConnectionId());
    assertFalse(operatorEvents("HerokuConnection").isEmpty(), "Events on the connection");
    assertFalse(operatorEvents("HerokuMapping").isEmpty(), "Events on the mapping");
    // The lease: held by this instance, in the release's namespace, and renewed (every 2 s).
    Lease lease = lease();
    assertNotNull(lease, "the Lease " + env.get("LEADER_ELECTION_LEASE_NAME") + " in " + opNs);
    assertEquals(operator.identity(), lease.getSpec().getHolderIdentity());
    assertTrue(Sandbox.await(WAIT, () -> lease().getSpec().getRenewTime().isAfter(lease.getSpec().getAcquireTime())),
        () -> "the Lease was never renewed: " + lease().getSpec());
    assertEquals(operator.identity(), lease().getSpec().getHolderIdentity());
    // Only its own Lease: another component's Lease in the release's namespace is out of reach; create is by kind.
    for (String verb : List.of("get", "update", "patch")) {
      assertTrue(can(verb, "coordination.k8s.io", "leases", env.get("LEADER_ELECTION_LEASE_NAME"), opNs), verb + " its own Lease");
      assertFalse(can(verb, "coordination.k8s.io", "leases", "another-controller", opNs), verb + " another component's Lease");
    }
    assertFalse(can("list", "coordination.k8s.io", "leases", opNs), "list Leases");
    assertTrue(can("create", "coordination.k8s.io", "leases", opNs), "create cannot be limited by name");

    kube.resources(HerokuMapping.class).inNamespace(ns).withName("account").delete();
    assertTrue(Sandbox.await(WAIT, () -> map("account") == null), () -> "mapping still there: " + describe(map("account")) + writes());
    assertEquals(1, count("DELETE", "/mappings/" + id));
    kube.resources(HerokuConnection.class).inNamespace(ns).withName("sales").delete();
    assertTrue(Sandbox.await(WAIT, () -> conn() == null), () -> "connection still there: " + describe(conn()) + writes());
    assertTrue(Sandbox.await(WAIT, () -> {
      List<String> f = kube.secrets().inNamespace(ns).withName("heroku-api").get().getMetadata().getFinalizers();
      return f == null || !f.contains(CredentialsGuard.FINALIZER);
    }), "the Secret is released");
    assertEquals(List.of(), fake.mappings(connectionId));

    // Every request the operator sent was allowed: also those whose refusal it would only log (Events).
    List<RequestLog.Call> calls = requests.calls();
    List<RequestLog.Call> refused = calls.stream().filter(c -> c.code() == 401 || c.code() == 403).toList();
    assertEquals(List.of(), refused, "requests RBAC refused");
    Set<String> used = calls.stream().map(RequestLog.Call::rbac).filter(r -> r != null).collect(Collectors.toCollection(TreeSet::new));
    Set<String> granted = grants(chart, "Role");
    granted.addAll(grants(chart, "ClusterRole")); // get on the two CRDs, read at start
    Set<String> beyond = new TreeSet<>(used);
    beyond.removeAll(granted);
    beyond.removeAll(DEFAULT_GRANTS);
    assertEquals(Set.of(), beyond, "what the operator did that the chart does not grant (it got it some other way?)");
    Set<String> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    System.out.printf("operator requests as %s: %d; verbs used: %s%nchart grants not used in this run: %s%n", user, calls.size(), used, unused);

    // The default install (no watchNamespaces) grants the same rules cluster-wide: what ran here is what it grants.
    List<JsonNode> byDefault = Helm.templateIn(opNs);
    Set<String> clusterWide = grants(byDefault, "ClusterRole");
    clusterWide.removeAll(grants(chart, "ClusterRole")); // the CRD reader, cluster-wide in both
    assertEquals(grants(chart, "Role").stream().filter(g -> !g.endsWith("/leases")).collect(Collectors.toSet()),
        clusterWide, "the ClusterRole of the default install and the Role of watchNamespaces");
  }

  @Test
  void withoutPatchOnSecretsTheConnectionStallsUnauthorizedNamingThePermissionAndRecoversWhenGranted() {
    // The operator needs it: it holds the token Secret (a finalizer and a label, one patch) before
    // it sends the token anywhere, so a namespace deletion cannot take the token from its cleanup.
    editSecretsRule(verbs -> verbs.remove("patch"));
    awaitAccess("patch", "", "secrets", ns, false);
    apply(Manifests.secret(TOKEN) + "---\n" + Manifests.connection(""));
    HerokuConnection c = awaitConnection(x -> Conditions.isTrueWith(x.getStatus(), Conditions.STALLED, Reasons.UNAUTHORIZED),
        "Stalled Unauthorized");
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    System.out.println("without patch on secrets: " + msg);
    assertTrue(msg.contains("403") && msg.contains("cannot patch resource \"secrets\"") && msg.contains(user)
        && msg.contains("service account lacks a permission"), msg);
    assertFalse(Conditions.isTrue(c.getStatus(), Conditions.READY));
    assertEquals(List.of(), fake.requests(), "nothing goes to the Connect API before the token is held");
    assertTrue(Sandbox.await(WAIT, () -> operatorEvents("HerokuConnection").stream()
            .anyMatch(e -> "Warning".equals(e.getType()) && Reasons.UNAUTHORIZED.equals(e.getReason()))),
        () -> "a Warning Event Unauthorized: " + operatorEvents("HerokuConnection"));
    assertTrue(requests.calls().stream().anyMatch(x -> x.code() == 403 && "patch /secrets".equals(x.rbac())), requests.calls()::toString);
    List<String> f = kube.secrets().inNamespace(ns).withName("heroku-api").get().getMetadata().getFinalizers();
    assertTrue(f == null || f.isEmpty(), "not held: " + f);

    // Granted again: the retry (backoff, at most HEROKU_CONNECT_MAX_BACKOFF) holds the Secret and goes on.
    editSecretsRule(verbs -> verbs.add("patch"));
    awaitAccess("patch", "", "secrets", ns, true);
    awaitConnection(x -> x.getStatus().getAuthorizationUrl() != null
        && !Conditions.isTrueWith(x.getStatus(), Conditions.STALLED, Reasons.UNAUTHORIZED), "going on after the grant (asks for authorization)");
    assertTrue(kube.secrets().inNamespace(ns).withName("heroku-api").get().getMetadata().getFinalizers().contains(CredentialsGuard.FINALIZER));
  }

  private void editSecretsRule(java.util.function.Consumer<List<String>> change) {
    kube.rbac().roles().inNamespace(ns).withName(fullname).edit(r -> {
      for (PolicyRule rule : r.getRules()) {
        if (rule.getResources().equals(List.of("secrets"))) {
          List<String> verbs = new ArrayList<>(rule.getVerbs());
          change.accept(verbs);
          rule.setVerbs(verbs);
          return r;
        }
      }
      throw new AssertionError("no secrets rule in the chart's Role: " + r.getRules());
    });
  }

  @Test
  void withoutTheRoleBindingInAWatchedNamespaceTheStartStopsWithOneLineNamingTheServiceAccount() {
    crashOperator();
    kube.rbac().roleBindings().inNamespace(ns).withName(fullname).delete();
    awaitAccess("list", "herokuconnect.dev", "herokuconnections", ns, false);
    KubernetesClient client = CLUSTER.newClientAs(user, groups);
    try {
      StartupFailure f = assertThrows(StartupFailure.class, () -> HerokuConnectOperator.start(client, config(), Clock.systemUTC(), false));
      System.out.println("start without the RoleBinding: " + f.getMessage());
      assertEquals("RBAC: the service account " + opNs + ":" + user.substring(user.lastIndexOf(':') + 1)
          + " cannot list/watch herokuconnections.herokuconnect.dev in namespace " + ns + ": install the chart's ClusterRole and "
          + "ClusterRoleBinding (or, with WATCH_NAMESPACES, its Role and RoleBinding in each watched namespace)", f.getMessage());
    } finally {
      client.close();
    }
  }

  @Test
  void twoReplicasUnderTheChartsRbacShareOneLeaseAndTheOtherTakesOver() throws Exception {
    Instance second = startInstance();
    readyConnection();
    apply(Manifests.mapping("account", "Account", ""));
    awaitMappingReady("account");
    assertEquals(1, count("POST", "/mappings"));
    Lease lease = lease();
    String holder = lease.getSpec().getHolderIdentity();
    boolean firstLeads = operator.identity().equals(holder);
    assertTrue(firstLeads || second.operator().identity().equals(holder), "the Lease names one of the two: " + holder);
    WriteRecorder followerWrites = firstLeads ? second.recorder() : recorder;
    assertEquals(List.of(), followerWrites.writes(), "the follower wrote nothing to either kind");
    HerokuConnectOperator follower = firstLeads ? second.operator() : operator;
    int transitions = lease.getSpec().getLeaseTransitions() == null ? 0 : lease.getSpec().getLeaseTransitions();

    long stopped = System.nanoTime();
    if (firstLeads) {
      operator.close(); // a rolling update stops the leader
      operator = null;
    } else {
      second.operator().close();
    }
    assertTrue(Sandbox.await(WAIT, () -> follower.identity().equals(lease().getSpec().getHolderIdentity())),
        () -> "the follower never took the Lease: " + lease());
    System.out.printf("lease taken over in %d ms (transitions %d -> %d)%n", (System.nanoTime() - stopped) / 1_000_000,
        transitions, lease().getSpec().getLeaseTransitions());
    assertNotEquals(holder, lease().getSpec().getHolderIdentity());
    apply(Manifests.mapping("contact", "Contact", ""));
    awaitMappingReady("contact");
    assertEquals(2, count("POST", "/mappings"), "no duplicate work");
    assertFalse(followerWrites.writes().isEmpty(), "the new leader did the work");
    RequestLog followerRequests = firstLeads ? second.requests() : requests;
    assertEquals(List.of(), followerRequests.calls().stream().filter(c -> c.code() == 403).toList(), "nothing refused");
  }
}
