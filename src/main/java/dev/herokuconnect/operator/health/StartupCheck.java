package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.Version;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.crd.CrdSchema;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.MissingCRDException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the operator checks before it starts its controllers, so that the usual mistakes (no
 * cluster, CRDs not installed, RBAC not granted) end the process at once with one line saying
 * what to fix, instead of a stack trace and a pod that looks alive. CRDs older than the operator
 * needs (their herokuconnect.dev/crd-schema label, {@link CrdSchema}) are refused the same way. Each watched kind is listed
 * once (one object at most) in each watched namespace, as the controllers' informers will.
 */
public final class StartupCheck {
  private static final Pattern USER = Pattern.compile("User \"([^\"]+)\"");
  /** Connect and request timeouts of the check, and how often a failed connection is tried again. */
  static final int CONNECT_TIMEOUT_MS = 5_000;
  static final int REQUEST_TIMEOUT_MS = 10_000;
  static final int RETRIES = 2;

  private StartupCheck() {}

  /** Throws {@link StartupFailure} with the first problem found. */
  public static void check(KubernetesClient client, OperatorConfig config, List<Class<? extends HasMetadata>> kinds) {
    Config bounded = new ConfigBuilder(client.getConfiguration())
        .withConnectionTimeout(CONNECT_TIMEOUT_MS)
        .withRequestTimeout(REQUEST_TIMEOUT_MS)
        .withRequestRetryBackoffLimit(RETRIES)
        .withRequestRetryBackoffInterval(200)
        .build();
    try (KubernetesClient quick = new KubernetesClientBuilder().withConfig(bounded).build()) {
      List<String> namespaces = new ArrayList<>(config.watchNamespaces());
      namespaces.sort(null);
      for (Class<? extends HasMetadata> kind : kinds) installed(quick, kind);
      for (Class<? extends HasMetadata> kind : kinds) recentEnough(quick, kind);
      for (Class<? extends HasMetadata> kind : kinds) {
        if (namespaces.isEmpty()) {
          listOne(quick, kind, null);
        } else {
          for (String ns : namespaces) listOne(quick, kind, ns);
        }
      }
    }
  }

  /** API discovery, which every authenticated user may read, knows whether the CRD is served. */
  private static void installed(KubernetesClient client, Class<? extends HasMetadata> kind) {
    String resource = HasMetadata.getFullResourceName(kind);
    APIResourceList served;
    try {
      served = client.getApiResources(HasMetadata.getApiVersion(kind));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) throw missingCrd(resource, e);
      throw explain(e, client.getMasterUrl().toString(), resource, null);
    }
    String plural = HasMetadata.getPlural(kind);
    if (served == null || served.getResources() == null || served.getResources().stream().noneMatch(r -> plural.equals(r.getName()))) {
      throw missingCrd(resource, null);
    }
  }

  /** The CRD's herokuconnect.dev/crd-schema label must be at least {@link CrdSchema#SCHEMA}; none counts as older. */
  private static void recentEnough(KubernetesClient client, Class<? extends HasMetadata> kind) {
    String name = HasMetadata.getFullResourceName(kind);
    CustomResourceDefinition crd;
    try {
      crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        throw new StartupFailure("RBAC: " + who(e) + " cannot get customresourcedefinitions " + name
            + " (read at start to check its version): install the chart's ClusterRole and ClusterRoleBinding <release>-crds", e);
      }
      throw explain(e, client.getMasterUrl().toString(), "customresourcedefinitions.apiextensions.k8s.io", null);
    }
    if (crd == null) throw missingCrd(name, null);
    String refusal = tooOld(crd, CrdSchema.SCHEMA, Version.get());
    if (refusal != null) throw new StartupFailure(refusal);
  }

  /** One line refusing a CRD whose schema is below {@code needed} (or unlabelled), else null. */
  public static String tooOld(CustomResourceDefinition crd, int needed, String operatorVersion) {
    Map<String, String> labels = crd.getMetadata().getLabels() == null ? Map.of() : crd.getMetadata().getLabels();
    String schema = labels.get(CrdSchema.SCHEMA_LABEL);
    Integer have = null;
    try {
      if (schema != null) have = Integer.valueOf(schema.strip());
    } catch (NumberFormatException e) {
      have = null;
    }
    if (have != null && have >= needed) return null;
    String version = labels.get(CrdSchema.VERSION_LABEL);
    return "CRD " + crd.getMetadata().getName() + " is older than this operator needs ("
        + (version == null ? "no " + CrdSchema.VERSION_LABEL + " label" : "version " + version) + ", "
        + (schema == null ? "no " + CrdSchema.SCHEMA_LABEL + " label" : "schema " + schema)
        + "; operator " + operatorVersion + " needs schema " + needed + "): apply the CRDs of version " + operatorVersion
        + ": helm upgrade the release with chart " + operatorVersion + " (crds.enabled=true), or kubectl apply --server-side -f crds/ of "
        + operatorVersion;
  }

  private static void listOne(KubernetesClient client, Class<? extends HasMetadata> kind, String namespace) {
    var options = new ListOptionsBuilder().withLimit(1L).build();
    try {
      if (namespace == null) client.resources(kind).inAnyNamespace().list(options);
      else client.resources(kind).inNamespace(namespace).list(options);
    } catch (KubernetesClientException e) {
      throw explain(e, client.getMasterUrl().toString(), HasMetadata.getFullResourceName(kind), namespace);
    }
  }

  /** One line for a failure of the operator's start: what failed and what to do. */
  public static StartupFailure explain(Throwable failure, String apiUrl, String resource, String namespace) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StartupFailure s) return s;
      if (t instanceof MissingCRDException m) return missingCrd(m.getCrdName(), failure);
    }
    KubernetesClientException k = find(failure, KubernetesClientException.class);
    String where = namespace == null ? "in any namespace (cluster-wide)" : "in namespace " + namespace;
    String api = redact(apiUrl);
    if (k != null && k.getCode() > 0) {
      String what = k.getFullResourceName() != null ? k.getFullResourceName() : resource != null ? resource : "a resource";
      String ns = k.getNamespace() != null ? "in namespace " + k.getNamespace() : where;
      switch (k.getCode()) {
        case 401:
          return new StartupFailure("the Kubernetes API at " + api + " rejected the credentials (401 Unauthorized): "
              + "check the user of the kubeconfig's current context, or the pod's service account token", failure);
        case 403:
          return new StartupFailure("RBAC: " + who(k) + " cannot list/watch " + what + " " + ns
              + ": install the chart's ClusterRole and ClusterRoleBinding (or, with WATCH_NAMESPACES, its Role and RoleBinding "
              + "in each watched namespace)", failure);
        case 404:
          if (what != null && what.endsWith(".herokuconnect.dev")) return missingCrd(what, failure);
          return new StartupFailure("the Kubernetes API at " + api + " has no " + what + " (404): " + statusMessage(k), failure);
        default:
          return new StartupFailure("the Kubernetes API at " + api + " answered " + k.getCode() + " to a list of " + what
              + " " + ns + ": " + statusMessage(k), failure);
      }
    }
    IOException io = find(failure, IOException.class);
    if (io != null || k != null) {
      Throwable root = io != null ? io : k;
      return new StartupFailure("cannot reach the Kubernetes API at " + api + ": " + describe(root)
          + "; check the kubeconfig (KUBECONFIG, current context) or, in a pod, the service account and the network", failure);
    }
    return new StartupFailure("the operator could not start: " + describe(rootCause(failure)), failure);
  }

  private static StartupFailure missingCrd(String crd, Throwable cause) {
    return new StartupFailure("CRD " + crd + " is not installed: kubectl apply --server-side -f crds/", cause);
  }

  private static String who(KubernetesClientException k) {
    Matcher m = USER.matcher(statusMessage(k));
    if (!m.find()) return "the operator's user";
    String user = m.group(1);
    return user.startsWith("system:serviceaccount:") ? "the service account " + user.substring("system:serviceaccount:".length())
        : "the user " + user;
  }

  private static String statusMessage(KubernetesClientException k) {
    String m = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
    return m == null ? "" : m.replaceAll("\\s+", " ").strip();
  }

  private static String describe(Throwable t) {
    String m = t.getMessage() == null ? "" : t.getMessage().replaceAll("\\s+", " ").strip();
    boolean plain = t.getClass() == IOException.class || t.getClass() == KubernetesClientException.class;
    return plain && !m.isEmpty() ? m : t.getClass().getSimpleName() + (m.isEmpty() ? "" : " (" + m + ")");
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t;
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (; t != null; t = t.getCause()) {
      if (type.isInstance(t)) return type.cast(t);
    }
    return null;
  }

  /** The API's address without any user-info part. */
  static String redact(String url) {
    try {
      URI u = URI.create(url);
      if (u.getUserInfo() == null) return url.replaceAll("/+$", "");
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString().replaceAll("/+$", "");
    } catch (Exception e) {
      return "(the configured server)";
    }
  }
}
