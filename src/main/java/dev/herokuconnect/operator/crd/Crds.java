package dev.herokuconnect.operator.crd;

/** Names shared by both kinds: API group, annotations, condition types and reasons. */
public final class Crds {
  public static final String GROUP = "herokuconnect.dev";
  public static final String VERSION = "v1alpha1";
  public static final String CATEGORY = "herokuconnect";
  static final String READY_JSON_PATH = ".status.conditions[?(@.type==\"Ready\")].status";
  static final String READY_REASON_JSON_PATH = ".status.conditions[?(@.type==\"Ready\")].reason";

  public static final String FINALIZER = GROUP + "/finalizer";

  public static final String RESTART_REQUESTED_AT = GROUP + "/restart-requested-at";
  public static final String RELOAD_REQUESTED_AT = GROUP + "/reload-requested-at";
  public static final String ABORT_REQUESTED_AT = GROUP + "/abort-requested-at";
  public static final String VALIDATE_REQUESTED_AT = GROUP + "/validate-requested-at";
  public static final String ACKNOWLEDGE_REQUESTED_AT = GROUP + "/acknowledge-requested-at";
  public static final String RECONCILE_REQUESTED_AT = GROUP + "/reconcile-requested-at";
  public static final String RECONCILE_POLICY = GROUP + "/reconcile-policy";
  public static final String POLICY_OBSERVE = "observe";
  public static final String POLICY_MANAGE = "manage";

  private Crds() {}
}
