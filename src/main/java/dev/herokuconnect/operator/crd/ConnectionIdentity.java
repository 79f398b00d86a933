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

  /** How to leave an add-on recorded before binding, for every message that refuses an edit of it. */
  public static final String HOW_TO_LEAVE_RECORDED = "set it back, or delete this HerokuConnection (spec.addon.deletionPolicy "
      + "decides what becomes of the add-on) and create a new one for the other app or add-on";

  private static final String ADDON_UNRECORDED = "!has(oldSelf.status) || !has(oldSelf.status.addon)"
      + " || !has(oldSelf.status.addon.app) || oldSelf.status.addon.app == ''";

  public static final List<Rule> CEL_RULES = List.of(
      new Rule(ADDON_UNRECORDED + " || self.spec.appName == oldSelf.spec.appName || self.spec.appName == oldSelf.status.addon.app",
          "spec.appName is immutable once spec.addon's add-on is recorded (status.addon.app), also before status.connectionId "
          + "is set: " + HOW_TO_LEAVE_RECORDED),
      new Rule(ADDON_UNRECORDED + " || !has(self.spec.resourceName) || self.spec.resourceName == ''"
          + " || (has(oldSelf.spec.resourceName) && self.spec.resourceName == oldSelf.spec.resourceName)"
          + " || (has(oldSelf.status.addon.name) && self.spec.resourceName == oldSelf.status.addon.name)"
          + " || (has(oldSelf.status.addon.createRequestedName) && self.spec.resourceName == oldSelf.status.addon.createRequestedName)",
          "spec.resourceName may only name spec.addon's add-on already recorded (status.addon.name, "
          + "status.addon.createRequestedName): " + HOW_TO_LEAVE_RECORDED),
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

  /**
   * Why the spec may not be followed, or null: spec.addon's add-on is recorded ({@code recorded}:
   * status.addon with its app; the create intent, or the add-on found or created) and the spec now
   * names another app or add-on. Cleanup and lookups use the record, never an edited spec.
   */
  public static String refusal(AddonStatus recorded, HerokuConnectionSpec spec) {
    if (recorded == null || blank(recorded.getApp())) return null; // nothing recorded: the spec may still be fixed
    String which = "spec.addon's add-on " + describe(recorded) + " on app '" + recorded.getApp() + "'";
    if (!recorded.getApp().equals(spec.getAppName())) {
      return recordedChanged("spec.appName", which, "status.addon.app", recorded.getApp(), spec.getAppName());
    }
    String name = !blank(recorded.getName()) ? recorded.getName() : recorded.getCreateRequestedName();
    if (!blank(spec.getResourceName()) && !blank(name) && !spec.getResourceName().equals(name)) {
      return recordedChanged("spec.resourceName", which, "status.addon.name", name, spec.getResourceName());
    }
    return null;
  }

  private static String describe(AddonStatus r) {
    String name = !blank(r.getName()) ? r.getName() : r.getCreateRequestedName();
    return (blank(name) ? "" : name + " ") + (blank(r.getId()) ? "(create requested)" : "(" + r.getId() + ")");
  }

  private static String recordedChanged(String field, String which, String recordField, String was, String now) {
    return field + " would point this HerokuConnection at another add-on: " + which + " is recorded (" + recordField + " '" + was
        + "') and the spec now says '" + now + "'; nothing is sent, and deleting this object acts on the recorded add-on only. "
        + "The operator never follows such a change: " + HOW_TO_LEAVE_RECORDED;
  }

  private static String changed(String field, String boundId, String was, String now) {
    return field + " would point this HerokuConnection at another add-on: it is bound to add-on " + boundId + " ('" + was
        + "') and the spec now says '" + now + "'; nothing is sent. The operator never follows such a change: " + HOW_TO_MOVE;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
