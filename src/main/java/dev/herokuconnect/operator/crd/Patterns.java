package dev.herokuconnect.operator.crd;

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

  private Patterns() {}
}
