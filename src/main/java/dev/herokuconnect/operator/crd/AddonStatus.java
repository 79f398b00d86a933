package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The add-on of a HerokuConnection with spec.addon, as the Platform API last showed it, whether
 * this object created it (the only thing that ever permits deleting it), and the create intent
 * written before the POST (so a crash between the POST and the status write adopts the add-on
 * by its name instead of creating a second).
 */
public class AddonStatus {
  @JsonPropertyDescription("The add-on's id (-> id of GET /apps/{app}/addons/{id}); also the connection id.")
  private String id;
  @JsonPropertyDescription("The app the add-on is on (spec.appName when the create intent or the add-on was first recorded). "
      + "From then on spec.appName is locked to it (and spec.resourceName to the recorded name), also before status.connectionId "
      + "is set: lookups, plan changes and the DELETE go to this app, never to an edited spec.")
  private String app;
  @JsonPropertyDescription("The add-on's globally unique name (-> name), e.g. hc-crm-sales-1a2b3c4d.")
  private String name;
  @JsonPropertyDescription("The add-on's plan as the Platform API has it (-> plan.name), e.g. herokuconnect:demo.")
  private String plan;
  @JsonPropertyDescription("The add-on's state (-> state): provisioning, provisioned or deprovisioned.")
  private String state;
  @JsonPropertyDescription("true when this HerokuConnection created the add-on (POST /apps/{app}/addons): the only case "
      + "in which spec.addon.deletionPolicy: Delete deletes it. false for an add-on found by discovery or adopted.")
  private Boolean createdByThis;
  @JsonPropertyDescription("The name the add-on is created with, recorded before the POST is sent (with createRequestedAt): "
      + "a pass that finds it set looks the add-on up by this name and adopts it instead of creating a second one.")
  private String createRequestedName;
  @JsonPropertyDescription("When the create was recorded, before the POST was sent (RFC 3339).")
  private String createRequestedAt;
  @JsonPropertyDescription("The Platform API budget of the token's account, as last seen (4,500 requests/hour, shared with "
      + "the account's people: RateLimit-Remaining), and until when nothing is sent after a 429 or at the reserve.")
  private PlatformRateLimitStatus platformRateLimit;

  public String getId() { return id; }
  public void setId(String id) { this.id = id; }
  public String getApp() { return app; }
  public void setApp(String app) { this.app = app; }
  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getPlan() { return plan; }
  public void setPlan(String plan) { this.plan = plan; }
  public String getState() { return state; }
  public void setState(String state) { this.state = state; }
  public Boolean getCreatedByThis() { return createdByThis; }
  public void setCreatedByThis(Boolean v) { this.createdByThis = v; }
  public boolean createdByThis() { return Boolean.TRUE.equals(createdByThis); }
  public String getCreateRequestedName() { return createRequestedName; }
  public void setCreateRequestedName(String v) { this.createRequestedName = v; }
  public String getCreateRequestedAt() { return createRequestedAt; }
  public void setCreateRequestedAt(String v) { this.createRequestedAt = v; }
  public PlatformRateLimitStatus getPlatformRateLimit() { return platformRateLimit; }
  public void setPlatformRateLimit(PlatformRateLimitStatus v) { this.platformRateLimit = v; }
}
