package dev.herokuconnect.operator.reconciler.loop;

/** Condition reasons (CamelCase), all in one place. The README explains what to do for each. */
public final class Reasons {
  public static final String SYNCED = "Synced";
  public static final String PROGRESSING = "Progressing";
  public static final String PAUSED = "Paused";
  public static final String PAUSING = "Pausing";
  public static final String RATE_LIMITED = "RateLimited";
  public static final String THROTTLED = "Throttled";
  public static final String NEEDS_SALESFORCE_AUTHORIZATION = "NeedsSalesforceAuthorization";
  public static final String CONNECTION_NOT_READY = "ConnectionNotReady";
  public static final String CONNECTION_NOT_FOUND = "ConnectionNotFound";
  public static final String CONNECTION_AMBIGUOUS = "ConnectionAmbiguous";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String UNAUTHORIZED = "Unauthorized";
  public static final String REMOTE_ERROR = "RemoteError";
  public static final String DELETING = "Deleting";
  public static final String OBSERVING = "Observing";
  public static final String ABORTED = "Aborted";
  public static final String CONFLICT = "Conflict";
  /** A HerokuMapping's connection now stands for another add-on than the one it is bound to: it follows it nowhere. */
  public static final String ADDON_CHANGED = "AddonChanged";
  /** An exception the operator did not expect (a bug): retried with backoff; the message and the log say what. */
  public static final String INTERNAL_ERROR = "InternalError";
  /** A change of the Salesforce API version is under way (preview, pause, change, resume). */
  public static final String CHANGING_API_VERSION = "ChangingApiVersion";
  /** The previewed change of the Salesforce API version may not go on: fields dropped, or unsafe changes not accepted. */
  public static final String API_VERSION_CHANGE_BLOCKED = "ApiVersionChangeBlocked";
  /** The add-on spec.addon asked for is being created or provisioned (Platform API): the operator looks again with backoff. */
  public static final String PROVISIONING_ADDON = "ProvisioningAddon";
  public static final String WAITING_FOR_SNAPSHOT = "WaitingForSnapshot";

  private Reasons() {}
}
