package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuMappingSpec.DeletionPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The management policy of one object, decided once per reconcile: whether the operator may
 * write to the API (observe-only may not, on either the object or its connection), and whether
 * deleting the object deletes the remote thing.
 */
public record Management(boolean observeOnly, boolean deletesRemote, String why) {
  public static final Management MANAGE = new Management(false, true, "");

  public boolean writes() {
    return !observeOnly;
  }

  /** For a HerokuConnection: the add-on is never deleted remotely. */
  public static Management of(HasMetadata connection) {
    boolean observe = observeAnnotation(connection);
    return new Management(observe, false, observe ? "observe-only" : "");
  }

  /** For a HerokuMapping: observe on the mapping or its connection wins; then the deletion policy. */
  public static Management of(HasMetadata mapping, DeletionPolicy policy, HasMetadata connection) {
    boolean observe = observeAnnotation(mapping) || connection != null && observeAnnotation(connection);
    boolean orphan = policy == DeletionPolicy.Orphan;
    return new Management(observe, !observe && !orphan, observe ? "observe-only" : orphan ? "deletionPolicy: Orphan" : "");
  }

  private static boolean observeAnnotation(HasMetadata o) {
    var a = o.getMetadata().getAnnotations();
    return a != null && Crds.POLICY_OBSERVE.equals(a.get(Crds.RECONCILE_POLICY));
  }
}
