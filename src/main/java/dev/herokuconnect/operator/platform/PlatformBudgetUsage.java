package dev.herokuconnect.operator.platform;

import java.time.Instant;

/**
 * The Platform budget of one account (the token): 4,500 requests/hour, as the API reports it in
 * RateLimit-Remaining; a snapshot for status and metrics. {@code remaining} is the last header
 * seen (null if none yet) and {@code seenAt} when; {@code throttledUntil} is set while nothing
 * is sent for the account (the reserve reached or a 429), null otherwise.
 */
public record PlatformBudgetUsage(Integer remaining, Instant seenAt, Instant throttledUntil) {}
