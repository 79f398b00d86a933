package dev.herokuconnect.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a finalizer on the token Secret while a HerokuConnection uses it, so that when a whole
 * namespace is deleted at once the Secret outlives the connection and its mappings, whose
 * cleanup needs the token (even across an operator restart). Released by the connection's own
 * cleanup once no other connection uses the Secret.
 */
final class SecretGuard {
  static final String FINALIZER = "herokuconnect.dev/credentials-in-use";
  private static final Logger log = LoggerFactory.getLogger(SecretGuard.class);
  private final KubernetesClient client;

  SecretGuard(KubernetesClient client) {
    this.client = client;
  }

  void hold(Secret secret) {
    List<String> finalizers = secret.getMetadata().getFinalizers();
    if (finalizers != null && finalizers.contains(FINALIZER)) return;
    edit(secret.getMetadata().getNamespace(), secret.getMetadata().getName(), true);
  }

  void release(String namespace, String name) {
    edit(namespace, name, false);
  }

  private void edit(String namespace, String name, boolean add) {
    try {
      client.secrets().inNamespace(namespace).withName(name).edit(s -> {
        List<String> f = new ArrayList<>(s.getMetadata().getFinalizers() == null ? List.of() : s.getMetadata().getFinalizers());
        f.remove(FINALIZER);
        if (add) f.add(FINALIZER);
        s.getMetadata().setFinalizers(f);
        return s;
      });
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        log.warn("could not {} the finalizer on Secret {}/{}: {}", add ? "add" : "remove", namespace, name, e.getMessage());
      }
    }
  }
}
