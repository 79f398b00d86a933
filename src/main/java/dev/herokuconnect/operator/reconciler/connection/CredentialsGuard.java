package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Holds a finalizer on the token Secret while a HerokuConnection uses it, so that when a whole
 * namespace is deleted at once the Secret outlives the connection and its mappings, whose
 * cleanup needs the token (even across an operator restart). The same edit labels the Secret
 * {@value #LABEL}{@code =true}: the operator watches only Secrets with that label. status.credentialsSecret names
 * the Secret held; when spec.credentials.secretRef moves, the old one is released. A Secret is
 * released only when no other HerokuConnection of its namespace still needs it (one being deleted
 * needs it until its mappings are gone).
 */
public final class CredentialsGuard {
  public static final String FINALIZER = "herokuconnect.dev/credentials-in-use";
  /** Marks the Secrets the operator watches (its Secret informer selects on it). */
  public static final String LABEL = "herokuconnect.dev/credentials";
  /** Where a Secret is edited: the Kubernetes API in production, a map in the middle test layer. */
  public interface SecretEditor {
    /** Applies {@code edit} to the Secret {@code namespace/name}; a Secret that is gone needs nothing. */
    void edit(String namespace, String name, java.util.function.UnaryOperator<Secret> edit);
  }

  private final SecretEditor secrets;
  private final Directory directory;

  public CredentialsGuard(SecretEditor secrets, Directory directory) {
    this.secrets = secrets;
    this.directory = directory;
  }

  /** The guard on the Kubernetes API. Failures other than a missing Secret are thrown. */
  public static CredentialsGuard on(KubernetesClient client, Directory directory) {
    return new CredentialsGuard((namespace, name, edit) -> {
      try {
        client.secrets().inNamespace(namespace).withName(name).edit(edit);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) throw e;
      }
    }, directory);
  }

  /** Holds the Secret the spec names (when it exists) and releases the one held before, if it moved. */
  void hold(HerokuConnection c, Optional<Secret> secret, HerokuConnectionStatus status) {
    String wanted = c.getSpec().getCredentials().getSecretRef().getName();
    String held = status.getCredentialsSecret();
    if (secret.isPresent() && secret.get().getMetadata().getDeletionTimestamp() == null) {
      List<String> f = secret.get().getMetadata().getFinalizers();
      var labels = secret.get().getMetadata().getLabels();
      boolean labelled = labels != null && "true".equals(labels.get(LABEL));
      if (f == null || !f.contains(FINALIZER) || !labelled) edit(c.getMetadata().getNamespace(), wanted, true);
      status.setCredentialsSecret(wanted);
    }
    if (held != null && !held.equals(wanted)) {
      releaseIfUnused(c, held);
      if (secret.isEmpty()) status.setCredentialsSecret(null);
    }
  }

  /** On deletion: releases every Secret this connection may hold, unless another connection needs it. */
  void releaseAll(HerokuConnection c) {
    Set<String> names = new TreeSet<>();
    names.add(c.getSpec().getCredentials().getSecretRef().getName());
    if (c.getStatus() != null && c.getStatus().getCredentialsSecret() != null) names.add(c.getStatus().getCredentialsSecret());
    for (String name : names) releaseIfUnused(c, name);
  }

  private void releaseIfUnused(HerokuConnection c, String name) {
    String ns = c.getMetadata().getNamespace();
    // Another connection needs it while it is not being deleted, or, being deleted, while its mappings'
    // cleanup still needs the token. (Two deleting connections that both lost their last mapping both release.)
    boolean needed = directory.connectionsIn(ns).stream()
        .filter(o -> !o.getMetadata().getUid().equals(c.getMetadata().getUid()))
        .filter(o -> name.equals(o.getSpec().getCredentials().getSecretRef().getName())
            || o.getStatus() != null && name.equals(o.getStatus().getCredentialsSecret()))
        .anyMatch(o -> o.getMetadata().getDeletionTimestamp() == null
            || !directory.mappingsOf(ns, o.getMetadata().getName()).isEmpty());
    if (!needed) edit(ns, name, false);
  }

  /** Adds or removes the finalizer and the label. */
  private void edit(String namespace, String name, boolean add) {
    secrets.edit(namespace, name, s -> {
      List<String> f = new ArrayList<>(s.getMetadata().getFinalizers() == null ? List.of() : s.getMetadata().getFinalizers());
      f.remove(FINALIZER);
      if (add) f.add(FINALIZER);
      s.getMetadata().setFinalizers(f);
      java.util.Map<String, String> labels = new java.util.LinkedHashMap<>(s.getMetadata().getLabels() == null ? java.util.Map.of()
          : s.getMetadata().getLabels());
      if (add) labels.put(LABEL, "true");
      else labels.remove(LABEL);
      s.getMetadata().setLabels(labels);
      return s;
    });
  }
}
