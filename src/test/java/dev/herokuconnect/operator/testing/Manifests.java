package dev.herokuconnect.operator.testing;

/** The manifests the tests apply: a token Secret, HerokuConnection crm/sales, and HerokuMappings on it. */
public final class Manifests {
  private Manifests() {}

  public static String secret(String token) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: heroku-api, namespace: crm}
        stringData: {token: %s}
        """.formatted(token);
  }

  public static String connection(String extraSpec) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuConnection
        metadata: {name: sales, namespace: crm}
        spec:
          appName: acme-crm
          credentials: {secretRef: {name: heroku-api}}
          database: {configVar: DATABASE_URL, schema: salesforce}
        %s""".formatted(extraSpec.indent(2));
  }

  public static String mapping(String name, String object, String extraSpec) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuMapping
        metadata: {name: %s, namespace: crm}
        spec:
          connectionRef: {name: sales}
          objectName: %s
          fields: [Id, Name, SystemModstamp]
          indexes: [{field: Id, unique: true}]
        %s""".formatted(name, object, extraSpec.indent(2));
  }
}
