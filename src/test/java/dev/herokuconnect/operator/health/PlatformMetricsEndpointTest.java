package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.testing.Manifests;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Platform API's budget as the running operator shows it (issue 20: "shows it in status and
 * metrics like the Connect budget"): a HerokuConnection with spec.addon, its Platform requests by
 * endpoint and status, and the account's RateLimit-Remaining, in /metrics and in status alike.
 */
class PlatformMetricsEndpointTest {
  @Test
  void thePlatformBudgetIsInMetricsAndStatus() throws Exception {
    try (MetricsWorld w = new MetricsWorld(Duration.ofSeconds(30))) {
      w.apply(Manifests.secret(MetricsWorld.TOKEN) + "---\n" + Manifests.connection("addon: {plan: herokuconnect:demo}"));
      w.await(() -> w.conn() != null && w.conn().getStatus() != null && w.conn().getStatus().getAddon() != null
          && w.conn().getStatus().getAddon().getPlatformRateLimit() != null
          && w.conn().getStatus().getAddon().getPlatformRateLimit().getRemaining() != null, "status shows the Platform budget");
      PromText m = w.awaitScrape(p -> !p.samples("heroku_platform_api_requests_total").isEmpty()
          && p.samples("heroku_platform_api_remaining").stream().anyMatch(s -> !Double.isNaN(s.value())), "the Platform series");
      assertTrue(m.samples("heroku_platform_api_requests_total").stream()
          .anyMatch(s -> "GET /apps/{app}/addons".equals(s.label("endpoint")) && "200".equals(s.label("status")) && s.value() >= 1),
          "the add-ons of the app were listed: " + m.samples("heroku_platform_api_requests_total"));
      var remaining = m.samples("heroku_platform_api_remaining");
      assertEquals(1, remaining.size(), "one account: " + remaining);
      String account = remaining.get(0).label("account");
      assertNotNull(account);
      assertFalse(w.scrape().contains(MetricsWorld.TOKEN), "the account is a fingerprint, never the token");
      double left = remaining.get(0).value();
      // what the API's last answer said; the fake's pool refills at 4,500 an hour meanwhile, so it may be back at 4500 now
      assertTrue(left < 4500 && left >= w.fake.platform().remaining("ops@example.com") - 10, "RateLimit-Remaining as last answered: " + left);
      // status and /metrics both show the last answer's header; a pass between the two reads can move
      // both by one, so they are compared once they have settled on the same answer
      w.await(() -> {
        var now = w.awaitScrape(p -> !p.samples("heroku_platform_api_remaining").isEmpty(), "the gauge").samples("heroku_platform_api_remaining");
        Integer inStatus = w.conn().getStatus().getAddon().getPlatformRateLimit().getRemaining();
        return inStatus != null && inStatus == (int) now.get(0).value();
      }, "status showing the same RateLimit-Remaining as /metrics");
      assertEquals(0, m.one("heroku_platform_api_holding", "account", account).value(), "not holding back");
    }
  }
}
