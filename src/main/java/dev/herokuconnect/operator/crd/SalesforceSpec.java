package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** What the operator sends when it asks for the Salesforce authorization URL. */
@ValidationRule(
    value = "self.environment != 'custom' || (has(self.domain) && self.domain != '')",
    message = "salesforce.domain is required when salesforce.environment is custom")
public class SalesforceSpec {
  public enum Environment {
    @JsonProperty("production") PRODUCTION,
    @JsonProperty("sandbox") SANDBOX,
    @JsonProperty("custom") CUSTOM;

    public String apiValue() { return name().toLowerCase(java.util.Locale.ROOT); }
  }

  @Default("production")
  @JsonPropertyDescription("Salesforce environment to log in to (-> environment): production, sandbox, or custom (then "
      + "domain is required). Default production. May change; applies to the next authorization "
      + "URL.")
  private Environment environment = Environment.PRODUCTION;

  /** Custom login domain, e.g. example.my.salesforce.com; required for custom. */
  @Pattern(Patterns.DOMAIN)
  @JsonPropertyDescription("Custom login domain, e.g. example.my.salesforce.com (-> domain). Required when environment "
      + "is custom (CEL rule); otherwise optional. Lower-case DNS name.")
  private String domain;

  /** Salesforce API version such as "52.0"; latest when empty. */
  @Pattern(Patterns.SALESFORCE_API_VERSION)
  @JsonPropertyDescription("Salesforce API version such as \"62.0\" (-> api_version). Optional; empty = the API's "
      + "default. Pattern NN.0 or NNN.0, at least 32.0. Sent with the authorization URL; on a set-up connection running "
      + "another version, the operator previews the change (status.apiVersionChange) and applies it: pause, change, "
      + "resume. Never below the live version (status.apiVersion): the API does not downgrade.")
  private String apiVersion;

  /** Where Salesforce sends the person after authorizing (the API's "next"). */
  @Pattern(Patterns.URL)
  @JsonPropertyDescription("Where Salesforce sends the person after authorizing (-> next). Optional; an http(s) URL.")
  private String redirectUrl;

  public Environment getEnvironment() { return environment == null ? Environment.PRODUCTION : environment; }
  public void setEnvironment(Environment environment) { this.environment = environment; }
  public String getDomain() { return domain; }
  public void setDomain(String domain) { this.domain = domain; }
  public String getApiVersion() { return apiVersion; }
  public void setApiVersion(String apiVersion) { this.apiVersion = apiVersion; }
  public String getRedirectUrl() { return redirectUrl; }
  public void setRedirectUrl(String redirectUrl) { this.redirectUrl = redirectUrl; }
}
