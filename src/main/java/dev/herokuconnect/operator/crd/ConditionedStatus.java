package dev.herokuconnect.operator.crd;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What both kinds' statuses share: generation seen, conditions, handled refresh request. */
public abstract class ConditionedStatus {
  private Long observedGeneration;
  private List<Condition> conditions = new ArrayList<>();
  private String lastHandledReconcileAt;
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
