package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonClassDescription("What the connection should be: which add-on (appName, optionally resourceName, or a pinned connectionId and apiUrl), the Heroku API token to use, the database and schema to write to, how to authorize Salesforce, and whether it is paused.")
@ValidationRule(value = AddonRules.CEL_NOT_PINNED, message = AddonRules.NOT_PINNED)
public class HerokuConnectionSpec {
  /** Heroku app name or UUID that holds the Heroku Connect add-on. */
  @Required
  @Pattern(Patterns.APP)
  @JsonPropertyDescription("Heroku app (name or UUID) that holds the Heroku Connect add-on; discovery searches by it "
      + "(POST /auth/{app}, GET /connections?app=). Required. 3-30 characters (lower-case letters, "
      + "digits, dashes; starts with a letter) or the app's UUID. Immutable once the add-on is "
      + "resolved (status.connectionId): a change is refused (CEL; Stalled InvalidSpec where CEL is not enforced).")
  private String appName;

  /** Picks one add-on when the app has several. */
  @Pattern(Patterns.RESOURCE_NAME)
  @JsonPropertyDescription("Add-on resource name (-> resource_name of the discovery search) that picks one add-on when "
      + "the app has several. Optional; empty = the app's only add-on. Up to 100 characters: "
      + "letters, digits, '_' and '-'. Once the add-on is resolved it may be set only to "
      + "status.resourceName (or emptied): naming another add-on is refused.")
  private String resourceName;

  /** Pins the add-on (connection) UUID and skips the search. */
  @Pattern(Patterns.OPTIONAL_UUID)
  @JsonPropertyDescription("Pins the add-on (connection) UUID (-> the {id} of /connections/{id}) and skips the "
      + "discovery search. Optional; empty = discovered and kept in status.connectionId. Must be a "
      + "UUID. Once the add-on is resolved it may be set only to status.connectionId (or emptied): "
      + "naming another add-on is refused.")
  private String connectionId;

  /** Region API root ending in /api/v3; discovered when empty. */
  @Pattern(Patterns.API_URL)
  @JsonPropertyDescription("Region API root ending in /api/v3, e.g. https://connect-oregon.heroku.com/api/v3 (-> "
      + "region_url + /api/v3). Optional; empty = discovered and kept in status.apiUrl. With "
      + "connectionId also set no discovery call is made. Plain http is refused unless the host is "
      + "a loopback address.")
  private String apiUrl;

  @Required
  @JsonPropertyDescription("Where the Heroku API token is read from (sent as Authorization: Bearer). Required.")
  private Credentials credentials;

  @Required
  @JsonPropertyDescription("The Heroku Postgres database the add-on writes to (-> PATCH /connections/{id} with db_key "
      + "and schema_name). Required. May change: a difference from what the API has is PATCHed.")
  private DatabaseSpec database;

  @JsonPropertyDescription("What the operator sends to POST /connections/{id}/authorize_url when Salesforce "
      + "authorization is needed. Optional (default: environment production). Read each time a new "
      + "authorization URL is asked for.")
  private SalesforceSpec salesforce = new SalesforceSpec();

  /** true pauses the connection (actions/pause), false resumes it. */
  @Default("false")
  @JsonPropertyDescription("true pauses the connection (POST actions/pause; the API pauses only an IDLE connection, so "
      + "the operator retries until it is), false resumes it (POST actions/resume). Default false. "
      + "May change at any time; while paused, Ready is False with reason Paused.")
  private boolean paused;

  @JsonPropertyDescription("The Heroku Connect add-on itself, through the Heroku Platform API. Optional; without it the "
      + "add-on must exist and is found by discovery. With it, when discovery finds no add-on on spec.appName (or none named "
      + "spec.resourceName), the operator creates one (POST /apps/{app}/addons) with this plan, waits until it is "
      + "provisioned and carries on; a plan change is applied to the add-on. Not with spec.connectionId (CEL).")
  private AddonSpec addon;

  public AddonSpec getAddon() { return addon; }
  public void setAddon(AddonSpec addon) { this.addon = addon; }

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
    @JsonPropertyDescription("Key of a Secret in the same namespace holding the Heroku API token (no namespace field: a "
        + "connection can only read its own namespace's Secrets). Required. Changes (and changes to "
        + "the Secret) are picked up at once.")
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
    @JsonPropertyDescription("Config var of the app holding the Heroku Postgres URL, e.g. DATABASE_URL or "
        + "HEROKU_POSTGRESQL_AQUA_URL (-> db_key). Required. Pattern ^[A-Z][A-Z0-9_]{0,99}$. May "
        + "change.")
    private String configVar;

    /** Postgres schema for the Salesforce data (schema_name). */
    @Required
    @Pattern(Patterns.SCHEMA)
    @JsonPropertyDescription("Postgres schema the Salesforce data is written to, e.g. salesforce (-> schema_name). "
        + "Required. Lower-case unquoted identifier, at most 63 characters. May change.")
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
