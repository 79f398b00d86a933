package dev.herokuconnect.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Kubernetes Events about an object: what the operator did, or what a person must do. */
public interface Events {
  void normal(HasMetadata object, String reason, String message);

  void warning(HasMetadata object, String reason, String message);

  /** The object is gone (its cleanup is done): nothing is kept about its events. */
  default void forget(HasMetadata object) {}
}
