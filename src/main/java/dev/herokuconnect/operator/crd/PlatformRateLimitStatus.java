package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The Platform API budget of the token's account, as the operator last saw it (separate from status.rateLimit). */
public class PlatformRateLimitStatus {
  @JsonPropertyDescription("The account's pool per hour: 4,500 requests (Heroku's documented Platform API limit).")
  private Integer hourlyLimit;
  @JsonPropertyDescription("RateLimit-Remaining of the last Platform API answer; empty before any answer.")
  private Integer remaining;
  @JsonPropertyDescription("When remaining was seen (RFC 3339).")
  private String seenAt;
  @JsonPropertyDescription("Set while nothing is sent to the Platform API for this account (a 429, or the pool at the "
      + "operator's reserve): until when (RFC 3339).")
  private String throttledUntil;

  public Integer getHourlyLimit() { return hourlyLimit; }
  public void setHourlyLimit(Integer v) { this.hourlyLimit = v; }
  public Integer getRemaining() { return remaining; }
  public void setRemaining(Integer v) { this.remaining = v; }
  public String getSeenAt() { return seenAt; }
  public void setSeenAt(String v) { this.seenAt = v; }
  public String getThrottledUntil() { return throttledUntil; }
  public void setThrottledUntil(String v) { this.throttledUntil = v; }
}
