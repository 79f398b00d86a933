package dev.herokuconnect.operator.crd;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

public class HerokuConnectionSpec {
  /** Heroku app name or UUID that holds the Heroku Connect add-on. */
  @Required
  @Pattern(Patterns.APP)
  private String appName;

  /** Picks one add-on when the app has several. */
  @Pattern(Patterns.RESOURCE_NAME)
  private String resourceName;

  /** Pins the add-on (connection) UUID and skips the search. */
  @Pattern(Patterns.OPTIONAL_UUID)
  private String connectionId;

  /** Region API root ending in /api/v3; discovered when empty. */
  @Pattern(Patterns.API_URL)
  private String apiUrl;

  @Required
  private Credentials credentials;

  @Required
  private DatabaseSpec database;

  private SalesforceSpec salesforce = new SalesforceSpec();

  /** true pauses the connection (actions/pause), false resumes it. */
  @Default("false")
  private boolean paused;

  public String getAppName() { return appName; }
  public void setAppName(String appName) { this.appName = appName; }
  public String getResourceName() { return resourceName; }
  public void setResourceName(String resourceName) { this.resourceName = resourceName; }
  public String getConnectionId() { return connectionId; }
  public void setConnectionId(String connectionId) { this.connectionId = connectionId; }
  public String getApiUrl() { return apiUrl; }
  public void setApiUrl(String apiUrl) { this.apiUrl = apiUrl; }
  public Credentials getCredentials() { return credentials; }
  public void setCredentials(Credentials credentials) { this.credentials = credentials; }
  public DatabaseSpec getDatabase() { return database; }
  public void setDatabase(DatabaseSpec database) { this.database = database; }
  public SalesforceSpec getSalesforce() { return salesforce == null ? new SalesforceSpec() : salesforce; }
  public void setSalesforce(SalesforceSpec salesforce) { this.salesforce = salesforce; }
  public boolean isPaused() { return paused; }
  public void setPaused(boolean paused) { this.paused = paused; }

  public static class Credentials {
    /** Secret in the same namespace holding the Heroku API token. */
    @Required
    private SecretKeyRef secretRef;

    public Credentials() {}
    public Credentials(SecretKeyRef secretRef) { this.secretRef = secretRef; }
    public SecretKeyRef getSecretRef() { return secretRef; }
    public void setSecretRef(SecretKeyRef secretRef) { this.secretRef = secretRef; }
  }

  public static class DatabaseSpec {
    /** Config var of the Heroku Postgres database (db_key). */
    @Required
    @Pattern(Patterns.CONFIG_VAR)
    private String configVar;

    /** Postgres schema for the Salesforce data (schema_name). */
    @Required
    @Pattern(Patterns.SCHEMA)
    private String schema;

    public DatabaseSpec() {}
    public DatabaseSpec(String configVar, String schema) {
      this.configVar = configVar;
      this.schema = schema;
    }
    public String getConfigVar() { return configVar; }
    public void setConfigVar(String configVar) { this.configVar = configVar; }
    public String getSchema() { return schema; }
    public void setSchema(String schema) { this.schema = schema; }
  }
}
