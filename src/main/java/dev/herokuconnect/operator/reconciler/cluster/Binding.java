package dev.herokuconnect.operator.reconciler.cluster;

import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;

/**
 * What a HerokuMapping is bound to: the HerokuConnection and Salesforce object recorded in its
 * status the first time it was reconciled, the add-on (connection id) and the remote mapping id
 * once known. Ownership, the claimant list, hand-over and cleanup read this, never the spec: a
 * refused identity edit (where the API server does not enforce the CRD's CEL rules) changes
 * nothing about what the object claims or what its delete removes. The spec is read only until
 * the first reconcile records it.
 */
public record Binding(String connectionName, String objectName, String connectionId, String mappingId) {

  public static Binding of(HerokuMapping m) {
    HerokuMappingStatus st = m.getStatus();
    String connection = st != null && st.getConnectionName() != null ? st.getConnectionName() : m.getSpec().getConnectionRef().getName();
    String object = st != null && st.getObjectName() != null ? st.getObjectName() : m.getSpec().getObjectName();
    return new Binding(connection, object, st == null ? null : st.getConnectionId(), st == null ? null : st.getMappingId());
  }

  /** Records the identity the spec names now, once: later edits are refused, never followed. */
  public static void bind(HerokuMapping m, HerokuMappingStatus status) {
    if (status.getObjectName() == null) status.setObjectName(m.getSpec().getObjectName());
    if (status.getConnectionName() == null) status.setConnectionName(m.getSpec().getConnectionRef().getName());
  }

  /** The object's identity (case-insensitive; {@link dev.herokuconnect.operator.connect.Model#objectKey}). */
  public static String objectKey(String objectName) {
    return dev.herokuconnect.operator.connect.Model.objectKey(objectName);
  }

  public boolean sameObject(String otherObjectName) {
    return objectKey(objectName).equals(objectKey(otherObjectName));
  }

  /** namespace/connectionName: the key of the HerokuConnection this mapping uses. */
  public String connectionKey(String namespace) {
    return namespace + "/" + connectionName;
  }
}
