package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.crd.Crds;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** The reconcile-policy annotation: observe keeps status fresh and writes nothing. */
final class Policies {
  private Policies() {}

  static boolean observeOnly(HasMetadata... objects) {
    for (HasMetadata o : objects) {
      if (o != null && Crds.POLICY_OBSERVE.equals(ConnectionReconciler.annotation(o, Crds.RECONCILE_POLICY))) return true;
    }
    return false;
  }
}
