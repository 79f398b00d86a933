package dev.herokuconnect.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Kubernetes Events about an object: what the operator did, or what a person must do. */
public interface Events {
  void normal(HasMetadata object, String reason, String message);

  void warning(HasMetadata object, String reason, String message);
}
