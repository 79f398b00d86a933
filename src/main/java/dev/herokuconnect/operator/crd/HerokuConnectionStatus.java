package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonClassDescription("What the operator last read of the add-on from the Connect API (GET /connections/{id}?deep=true), its API budget, and the Ready, Reconciling and Stalled conditions. Written by the operator only.")
public class HerokuConnectionStatus extends ConditionedStatus implements Validated {
  @JsonPropertyDescription("The add-on (connection) UUID in use: spec.connectionId, or the one discovery found. Kept "
      + "so discovery runs once.")
  private String connectionId;
  @JsonPropertyDescription("The add-on's resource name (-> resource_name), as discovery found it.")
  private String resourceName;
  @JsonPropertyDescription("spec.appName when the add-on was resolved. Once status.connectionId is set, spec.appName, "
      + "spec.resourceName and spec.connectionId may not point the object at another add-on (CEL, and the operator where "
      + "CEL is not enforced: Stalled, InvalidSpec). Set by the operator.")
  private String appName;

  public String getAppName() { return appName; }
  public void setAppName(String appName) { this.appName = appName; }
  @JsonPropertyDescription("The region API root in use (-> region_url + /api/v3).")
  private String apiUrl;
  /** The API's connection state, verbatim. */
  @JsonPropertyDescription("The API's connection state, verbatim (-> state), e.g. IDLE, POLLING_DB_CHANGES, NEW, "
      + "NEED_AUTHENTICATION, PAUSED, DB_UNAVAILABLE.")
  private String state;
  @JsonPropertyDescription("-> mappings_summary_state: OK when every mapping of the connection is fine.")
  private String mappingsSummaryState;
  @JsonPropertyDescription("The Salesforce org id (-> organization_id).")
  private String organizationId;
  /** Open this URL to authorize Salesforce; set only while authorization is needed. */
  @JsonPropertyDescription("Set only while Salesforce authorization is needed (NEED_AUTHENTICATION, UNAUTHORIZED): "
      + "open it and log in to Salesforce. From POST authorize_url (-> redirect); cleared once "
      + "authorized.")
  private String authorizationUrl;
  /** The state for which authorizationUrl was asked, so it is asked once per entry. */
  @JsonPropertyDescription("The state for which authorizationUrl was asked, so a URL is asked once per entry into that "
      + "state (bookkeeping).")
  private String authorizationUrlForState;
  @JsonPropertyDescription("This operator's API budget on this connection (one token bucket per connection; "
      + "HEROKU_CONNECT_DAILY_BUDGET). Survives restarts.")
  private RateLimitStatus rateLimit;
  @JsonPropertyDescription("The value of the herokuconnect.dev/restart-requested-at annotation last acted on (POST "
      + "actions/restart), so a restart never repeats.")
  private String lastHandledRestartAt;
  @JsonPropertyDescription("-> schema_name, as the API has it.")
  private String schemaName;
  @JsonPropertyDescription("-> db_key, as the API has it.")
  private String dbKey;

  // Notifications (issue 18): read at most once per HEROKU_CONNECT_NOTIFICATIONS_INTERVAL (reconciler/connection/Notifications).
  @JsonPropertyDescription("The newest unacknowledged notifications of the connection (at most 5, newest first), from GET "
      + "/connections/{id}/notifications; each new one is also an Event. Emptied by an acknowledge.")
  private java.util.List<NotificationStatus> notifications = new java.util.ArrayList<>();
  @JsonPropertyDescription("When the notifications were read, how many are unacknowledged by type, and the newest already turned "
      + "into Events.")
  private NotificationsReadStatus notificationsRead;
  @JsonPropertyDescription("The value of the herokuconnect.dev/acknowledge-requested-at annotation last acted on (POST "
      + "notifications/acknowledge), so an acknowledge never repeats.")
  private String lastHandledAcknowledgeAt;

  public java.util.List<NotificationStatus> getNotifications() { return notifications; }
  public void setNotifications(java.util.List<NotificationStatus> v) { this.notifications = v == null ? new java.util.ArrayList<>() : v; }
  public NotificationsReadStatus getNotificationsRead() { return notificationsRead; }
  public void setNotificationsRead(NotificationsReadStatus v) { this.notificationsRead = v; }
  public String getLastHandledAcknowledgeAt() { return lastHandledAcknowledgeAt; }
  public void setLastHandledAcknowledgeAt(String v) { this.lastHandledAcknowledgeAt = v; }

  public String getConnectionId() { return connectionId; }
  public void setConnectionId(String connectionId) { this.connectionId = connectionId; }
  public String getResourceName() { return resourceName; }
  public void setResourceName(String resourceName) { this.resourceName = resourceName; }
  public String getApiUrl() { return apiUrl; }
  public void setApiUrl(String apiUrl) { this.apiUrl = apiUrl; }
  public String getState() { return state; }
  public void setState(String state) { this.state = state; }
  public String getMappingsSummaryState() { return mappingsSummaryState; }
  public void setMappingsSummaryState(String v) { this.mappingsSummaryState = v; }
  public String getOrganizationId() { return organizationId; }
  public void setOrganizationId(String organizationId) { this.organizationId = organizationId; }
  public String getAuthorizationUrl() { return authorizationUrl; }
  public void setAuthorizationUrl(String authorizationUrl) { this.authorizationUrl = authorizationUrl; }
  public String getAuthorizationUrlForState() { return authorizationUrlForState; }
  public void setAuthorizationUrlForState(String v) { this.authorizationUrlForState = v; }
  public RateLimitStatus getRateLimit() { return rateLimit; }
  public void setRateLimit(RateLimitStatus rateLimit) { this.rateLimit = rateLimit; }
  public String getLastHandledRestartAt() { return lastHandledRestartAt; }
  public void setLastHandledRestartAt(String v) { this.lastHandledRestartAt = v; }
  public String getSchemaName() { return schemaName; }
  public void setSchemaName(String schemaName) { this.schemaName = schemaName; }
  public String getDbKey() { return dbKey; }
  public void setDbKey(String dbKey) { this.dbKey = dbKey; }

  /** The Secret that holds this operator's credentials-in-use finalizer for this connection. */
  @JsonPropertyDescription("Name of the Secret (in this namespace) on which the operator holds the finalizer "
      + "herokuconnect.dev/credentials-in-use for this connection; released when spec.credentials.secretRef moves or the "
      + "connection is deleted and no other HerokuConnection names it. Set by the operator.")
  private String credentialsSecret;

  public String getCredentialsSecret() { return credentialsSecret; }
  public void setCredentialsSecret(String v) { this.credentialsSecret = v; }

  @JsonPropertyDescription("The connection's live Salesforce API version (-> api_version), e.g. 62.0.")
  private String apiVersion;
  @JsonPropertyDescription("The change of the Salesforce API version that spec.salesforce.apiVersion asks for, previewed and "
      + "then applied step by step; kept once Complete until the next change.")
  private ApiVersionChangeStatus apiVersionChange;
  @JsonPropertyDescription("The last herokuconnect.dev/validate-requested-at value handled (the validation ran for it).")
  private String lastHandledValidateAt;
  @JsonPropertyDescription("The last validation run and its findings.")
  private ValidationStatus validation;

  @JsonPropertyDescription("The add-on spec.addon manages, as the Platform API last showed it; whether this object created "
      + "it; the create intent; the Platform API budget.")
  private AddonStatus addon;

  public AddonStatus getAddon() { return addon; }
  public void setAddon(AddonStatus v) { this.addon = v; }

  public String getApiVersion() { return apiVersion; }
  public void setApiVersion(String v) { this.apiVersion = v; }
  public ApiVersionChangeStatus getApiVersionChange() { return apiVersionChange; }
  public void setApiVersionChange(ApiVersionChangeStatus v) { this.apiVersionChange = v; }
  public String getLastHandledValidateAt() { return lastHandledValidateAt; }
  public void setLastHandledValidateAt(String v) { this.lastHandledValidateAt = v; }
  public ValidationStatus getValidation() { return validation; }
  public void setValidation(ValidationStatus v) { this.validation = v; }
}
