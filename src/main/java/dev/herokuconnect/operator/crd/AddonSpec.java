package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * The Heroku Connect add-on a HerokuConnection owns through the Platform API (issue 20): the plan
 * it is created with (and changed to), and what deleting the HerokuConnection does to it.
 */
public class AddonSpec {
  /** What deleting the HerokuConnection does to an add-on it created: nothing (Orphan) or DELETE (Delete). */
  public enum DeletionPolicy { Orphan, Delete }

  @Required
  @Pattern(Patterns.ADDON_PLAN)
  @JsonPropertyDescription("The Heroku Connect plan, e.g. herokuconnect:demo (-> plan of POST /apps/{app}/addons and "
      + "PATCH /apps/{app}/addons/{id}). Required. Pattern herokuconnect:<plan> (lower-case letters, digits, '-'). "
      + "May change: the plan of an add-on this object created is changed in place (status.addon.plan, an Event); "
      + "an add-on it found keeps its plan (the condition says so: set this to its plan, or heroku addons:upgrade).")
  private String plan;

  @Default("Orphan")
  @JsonPropertyDescription("What deleting this HerokuConnection does to the add-on: Orphan leaves it; Delete "
      + "destroys it (DELETE /apps/{app}/addons/{id}) once its HerokuMappings are gone, and only if this object created it "
      + "(status.addon.createdByThis): an add-on found or adopted is never deleted. Default Orphan. Deleting an add-on deletes its whole "
      + "sync configuration (mappings, Salesforce authorization). May change at any time, also just before deleting.")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Orphan;

  public AddonSpec() {}

  public AddonSpec(String plan, DeletionPolicy deletionPolicy) {
    this.plan = plan;
    this.deletionPolicy = deletionPolicy;
  }

  public String getPlan() { return plan; }
  public void setPlan(String plan) { this.plan = plan; }
  public DeletionPolicy getDeletionPolicy() { return deletionPolicy == null ? DeletionPolicy.Orphan : deletionPolicy; }
  public void setDeletionPolicy(DeletionPolicy deletionPolicy) { this.deletionPolicy = deletionPolicy; }
}
