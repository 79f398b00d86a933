package dev.herokuconnect.operator.crd;

/**
 * The rule between spec.addon and spec.connectionId, in two forms that say the same: the CEL rule
 * on the spec (what the API server refuses at apply) and {@link #refusal} for the operator where
 * CEL is not enforced. spec.addon creates the add-on when none is found; a pinned connectionId
 * names one that exists: asking for both would leave it unclear which add-on is meant.
 */
public final class AddonRules {
  private AddonRules() {}

  public static final String CEL_NOT_PINNED = "!has(self.addon) || !has(self.connectionId) || self.connectionId == ''";
  public static final String NOT_PINNED = "spec.addon creates the add-on when discovery finds none, and spec.connectionId pins "
      + "one that exists: set one of the two (remove spec.connectionId to let spec.addon manage the add-on)";

  /** Why the spec may not be followed, or null. */
  public static String refusal(HerokuConnectionSpec spec) {
    boolean pinned = spec.getConnectionId() != null && !spec.getConnectionId().isBlank();
    return spec.getAddon() != null && pinned ? NOT_PINNED : null;
  }
}
