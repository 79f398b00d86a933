package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What both kinds' statuses share: generation seen, conditions, handled refresh request. */
public abstract class ConditionedStatus {
  @JsonPropertyDescription("The metadata.generation this status was written for. Lower than metadata.generation: the "
      + "operator has not acted on the latest spec yet.")
  private Long observedGeneration;
  @JsonPropertyDescription("Ready, Reconciling and Stalled (kstatus; kubectl wait --for=condition=Ready works), shaped "
      + "like metav1.Condition: a list keyed by type.")
  private List<Condition> conditions = new ArrayList<>();
  @JsonPropertyDescription("The value of the herokuconnect.dev/reconcile-requested-at annotation last acted on (a "
      + "refresh from the API), so it never repeats.")
  private String lastHandledReconcileAt;
  @JsonPropertyDescription("The newest Salesforce or Postgres poll or write time the API reports (the latest of "
      + "times.* for a mapping; of all its mappings for a connection), verbatim.")
  private String lastSyncTime;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions == null ? new ArrayList<>() : conditions; }
  public String getLastHandledReconcileAt() { return lastHandledReconcileAt; }
  public void setLastHandledReconcileAt(String v) { this.lastHandledReconcileAt = v; }
  public String getLastSyncTime() { return lastSyncTime; }
  public void setLastSyncTime(String lastSyncTime) { this.lastSyncTime = lastSyncTime; }
}
