package dev.herokuconnect.operator.crd;

import java.util.Map;

/** Regular expressions used by the CRD schemas (and by the operator where it must agree). */
public final class Patterns {
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  public static final String UUID =
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
  /** Heroku app name (3-30 chars, lower case, starts with a letter) or app UUID. */
  public static final String APP = "^([a-z][a-z0-9-]{2,29}|" + UUID + ")$";
  public static final String OPTIONAL_UUID = "^(" + UUID + ")?$";
  public static final String RESOURCE_NAME = "^([a-zA-Z0-9][a-zA-Z0-9_-]{0,99})?$";
  public static final String API_URL = "^(https?://[^\\s/]+(/[^\\s]*)?/api/v3)?$";
  /** Heroku config var names such as DATABASE_URL or HEROKU_POSTGRESQL_AQUA_URL. */
  public static final String CONFIG_VAR = "^[A-Z][A-Z0-9_]{0,99}$";
  /** Postgres schema name (unquoted identifier, 63 bytes at most). */
  public static final String SCHEMA = "^[a-z_][a-z0-9_]{0,62}$";
  /** Salesforce API names: Account, Custom_Object__c, ns__Thing__c, Name. */
  public static final String SALESFORCE_NAME = "^[A-Za-z][A-Za-z0-9_]{0,79}$";
  public static final String OPTIONAL_SALESFORCE_NAME = "^([A-Za-z][A-Za-z0-9_]{0,79})?$";
  public static final String SALESFORCE_API_VERSION = "^([0-9]{2,3}\\.0)?$";
  public static final String DOMAIN = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+)?$";
  public static final String URL = "^(https?://\\S+)?$";
  /** A Heroku Connect plan as the Platform API names plans (addon_service:plan), e.g. herokuconnect:demo. */
  public static final String ADDON_PLAN = "^herokuconnect:[a-z0-9][a-z0-9-]{0,49}$";
  /** A key of a Secret's data. */
  public static final String SECRET_KEY = "^[-._a-zA-Z0-9]+$";

  /**
   * What a value matching each pattern is, in words, for messages that say what is wrong (plan's
   * manifest checks); a pattern not listed is shown as the expression alone.
   */
  private static final Map<String, String> MEANINGS = Map.ofEntries(
      Map.entry(DNS_SUBDOMAIN, "a Kubernetes name (DNS-1123 subdomain: lower-case letters, digits, '-' and '.')"),
      Map.entry(APP, "a Heroku app name (3-30 lower-case letters, digits, dashes; starts with a letter) or UUID"),
      Map.entry(OPTIONAL_UUID, "a UUID"),
      Map.entry(RESOURCE_NAME, "an add-on resource name (up to 100 letters, digits, '_' and '-')"),
      Map.entry(API_URL, "a region API root ending in /api/v3"),
      Map.entry(CONFIG_VAR, "a config var name such as DATABASE_URL"),
      Map.entry(SCHEMA, "a lower-case Postgres schema name (at most 63 characters)"),
      Map.entry(SALESFORCE_NAME, "a Salesforce API name such as Account or Invoice__c"),
      Map.entry(SALESFORCE_API_VERSION, "a Salesforce API version such as 52.0"),
      Map.entry(DOMAIN, "a lower-case DNS name"),
      Map.entry(URL, "an http(s) URL"),
      Map.entry(ADDON_PLAN, "a Heroku Connect plan such as herokuconnect:demo"),
      Map.entry(SECRET_KEY, "a Secret key (letters, digits, '-', '_' and '.')"));

  /** The words for {@code regex}, or null. */
  public static String meaning(String regex) { return MEANINGS.get(regex); }

  private Patterns() {}
}
