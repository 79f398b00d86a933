package dev.herokuconnect.operator.crd;

/** The connection's API budget as this operator spends it. */
public class RateLimitStatus {
  /** Requests this operator allows itself per 24 h on this connection. */
  private Integer dailyLimit;
  /** Requests sent in the last 24 h. */
  private Integer used;
  private Integer remaining;
  /** Set after a 429: no request goes out before this time. */
  private String throttledUntil;
  /** When {@code used} was counted; lets a restarted operator age it out. */
  private String usedAsOf;
  /** Recorded before spending: at most this many by the next record (restart safety). */
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
