package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.crd.Crds;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** Reading the herokuconnect.dev annotations: the reconcile policy and the requested-at actions. */
final class Annotations {
  private Annotations() {}

  static String get(HasMetadata o, String key) {
    var a = o.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(key);
    return v == null || v.isBlank() ? null : v;
  }

  /** The requested-at value when it differs from the one last handled (the action is due), else null. */
  static String requested(HasMetadata o, String key, String lastHandled) {
    String v = get(o, key);
    return v != null && !v.equals(lastHandled) ? v : null;
  }

  /** observe keeps status fresh and writes nothing; on either object it wins. */
  static boolean observeOnly(HasMetadata... objects) {
    for (HasMetadata o : objects) {
      if (o != null && Crds.POLICY_OBSERVE.equals(get(o, Crds.RECONCILE_POLICY))) return true;
    }
    return false;
  }
}
