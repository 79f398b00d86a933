package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herokuconnect.operator.health.BearerTokenCheck.Verdict;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Who may scrape, decided without HTTP. */
class BearerTokenCheckTest {
  static final byte[] EXPECTED = "s3cret-token".getBytes(StandardCharsets.UTF_8);

  @Test
  void onlyTheExactBearerTokenIsAllowed() {
    assertEquals(Verdict.ALLOWED, BearerTokenCheck.decide("Bearer s3cret-token", EXPECTED));
    assertEquals(Verdict.ALLOWED, BearerTokenCheck.decide("bearer  s3cret-token ", EXPECTED), "the scheme is case-insensitive (RFC 7235)");
    assertEquals(Verdict.NO_BEARER_TOKEN, BearerTokenCheck.decide(null, EXPECTED));
    assertEquals(Verdict.NO_BEARER_TOKEN, BearerTokenCheck.decide("s3cret-token", EXPECTED));
    assertEquals(Verdict.NO_BEARER_TOKEN, BearerTokenCheck.decide("Basic s3cret-token", EXPECTED));
    assertEquals(Verdict.NO_BEARER_TOKEN, BearerTokenCheck.decide("Bearer ", EXPECTED), "a scheme without a token");
    assertEquals(Verdict.WRONG_TOKEN, BearerTokenCheck.decide("Bearer s3cret-toke", EXPECTED), "a prefix is not the token");
    assertEquals(Verdict.WRONG_TOKEN, BearerTokenCheck.decide("Bearer s3cret-token2", EXPECTED));
    assertEquals(Verdict.WRONG_TOKEN, BearerTokenCheck.decide("Bearer S3CRET-TOKEN", EXPECTED), "the token itself is case-sensitive");
  }
}
