package dev.herokuconnect.operator.crd;

import java.util.List;

/**
 * A resolved HerokuConnection's identity: once status.connectionId names its add-on, spec.appName,
 * spec.resourceName and spec.connectionId may not point it at another one. The rule lives here
 * once, in two forms that say the same: {@link #refusal} for the operator (where the API server
 * does not enforce CEL) and {@link #CEL_RULES} for the CRD (transition rules at the root, since
 * they read the status).
 */
public final class ConnectionIdentity {
  private ConnectionIdentity() {}

  /** How to move a connection to another add-on, for every message that refuses it. */
  public static final String HOW_TO_MOVE = "set it back, or move: set deletionPolicy: Orphan on its HerokuMappings, delete "
      + "them and this HerokuConnection, and create new ones for the other add-on";

  /** A CEL transition rule and its message. */
  public record Rule(String rule, String message) {}

  private static final String UNRESOLVED = "!has(oldSelf.status) || !has(oldSelf.status.connectionId) || oldSelf.status.connectionId == ''";

  public static final List<Rule> CEL_RULES = List.of(
      new Rule(UNRESOLVED + " || self.spec.appName == oldSelf.spec.appName",
          "spec.appName is immutable once the add-on is resolved (status.connectionId): " + HOW_TO_MOVE),
      new Rule(UNRESOLVED + " || !has(self.spec.resourceName) || self.spec.resourceName == ''"
          + " || (has(oldSelf.spec.resourceName) && self.spec.resourceName == oldSelf.spec.resourceName)"
          + " || (has(oldSelf.status.resourceName) && self.spec.resourceName == oldSelf.status.resourceName)",
          "spec.resourceName may only name the add-on already resolved (status.resourceName): " + HOW_TO_MOVE),
      new Rule(UNRESOLVED + " || !has(self.spec.connectionId) || self.spec.connectionId == ''"
          + " || self.spec.connectionId == oldSelf.status.connectionId",
          "spec.connectionId may only name the add-on already resolved (status.connectionId): " + HOW_TO_MOVE));

  /**
   * Why the spec may not be followed, or null: {@code boundId}, {@code boundApp} and
   * {@code boundResource} are what status recorded when the add-on was resolved.
   */
  public static String refusal(String boundId, String boundApp, String boundResource, HerokuConnectionSpec spec) {
    if (blank(boundId)) return null; // not resolved yet: discovery follows the spec
    if (!blank(boundApp) && !boundApp.equals(spec.getAppName())) {
      return changed("spec.appName", boundId, boundApp, spec.getAppName());
    }
    if (!blank(spec.getResourceName()) && !blank(boundResource) && !spec.getResourceName().equals(boundResource)) {
      return changed("spec.resourceName", boundId, boundResource, spec.getResourceName());
    }
    if (!blank(spec.getConnectionId()) && !spec.getConnectionId().equals(boundId)) {
      return changed("spec.connectionId", boundId, boundId, spec.getConnectionId());
    }
    return null;
  }

  private static String changed(String field, String boundId, String was, String now) {
    return field + " would point this HerokuConnection at another add-on: it is bound to add-on " + boundId + " ('" + was
        + "') and the spec now says '" + now + "'; nothing is sent. The operator never follows such a change: " + HOW_TO_MOVE;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
