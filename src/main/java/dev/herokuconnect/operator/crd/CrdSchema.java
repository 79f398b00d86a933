package dev.herokuconnect.operator.crd;

/**
 * What the CRDs carry so that an operator can tell whether they are new enough: the operator's
 * version (the pom's) and a schema number, an integer bumped whenever the CRDs change in a way an
 * older CRD cannot serve (a new field the operator writes, a changed rule). The build writes both
 * as labels (CrdSchemaFinisher); at start the operator refuses CRDs whose schema is lower than
 * {@link #SCHEMA}, or that carry no schema label.
 */
public final class CrdSchema {
  /** The schema of the CRDs this build generates, and the lowest it runs against. */
  public static final int SCHEMA = 1;
  public static final String SCHEMA_LABEL = "herokuconnect.dev/crd-schema";
  public static final String VERSION_LABEL = "app.kubernetes.io/version";
  public static final String PART_OF_LABEL = "app.kubernetes.io/part-of";

  private CrdSchema() {}
}
