package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The connection's API budget as this operator spends it. */
public class RateLimitStatus {
  /** Requests this operator allows itself per 24 h on this connection. */
  @JsonPropertyDescription("Requests this operator allows itself per 24 hours on this connection "
      + "(HEROKU_CONNECT_DAILY_BUDGET, default 4500; the API allows 5000).")
  private Integer dailyLimit;
  /** Requests sent in the last 24 h. */
  @JsonPropertyDescription("Requests sent to this connection in the last 24 hours (as of usedAsOf).")
  private Integer used;
  @JsonPropertyDescription("Requests left in the last 24 hours' budget: dailyLimit minus used, never below 0.")
  private Integer remaining;
  /** Set after a 429: no request goes out before this time. */
  @JsonPropertyDescription("Set after a 429 from the API: no request goes to this connection before this time (RFC "
      + "3339).")
  private String throttledUntil;
  /** When {@code used} was counted; lets a restarted operator age it out. */
  @JsonPropertyDescription("When used was counted (RFC 3339); lets a restarted operator age it out.")
  private String usedAsOf;
  /** Recorded before spending: at most this many by the next record (restart safety). */
  @JsonPropertyDescription("Requests recorded before spending them: the operator may send at most this many before "
      + "recording again (restart safety; at least used).")
  private Integer reserved;

  public Integer getDailyLimit() { return dailyLimit; }
  public void setDailyLimit(Integer dailyLimit) { this.dailyLimit = dailyLimit; }
  public Integer getUsed() { return used; }
  public void setUsed(Integer used) { this.used = used; }
  public Integer getRemaining() { return remaining; }
  public void setRemaining(Integer remaining) { this.remaining = remaining; }
  public String getThrottledUntil() { return throttledUntil; }
  public void setThrottledUntil(String throttledUntil) { this.throttledUntil = throttledUntil; }
  public String getUsedAsOf() { return usedAsOf; }
  public void setUsedAsOf(String usedAsOf) { this.usedAsOf = usedAsOf; }
  public Integer getReserved() { return reserved; }
  public void setReserved(Integer reserved) { this.reserved = reserved; }
}
