package dev.herokuconnect.operator.crd;

public class HerokuConnectionStatus extends ConditionedStatus {
  private String connectionId;
  private String resourceName;
  private String apiUrl;
  /** The API's connection state, verbatim. */
  private String state;
  private String mappingsSummaryState;
  private String organizationId;
  /** Open this URL to authorize Salesforce; set only while authorization is needed. */
  private String authorizationUrl;
  /** The state for which authorizationUrl was asked, so it is asked once per entry. */
  private String authorizationUrlForState;
  private RateLimitStatus rateLimit;
  private String lastHandledRestartAt;
  private String schemaName;
  private String dbKey;

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
  private String credentialsSecret;

  public String getCredentialsSecret() { return credentialsSecret; }
  public void setCredentialsSecret(String v) { this.credentialsSecret = v; }
}
