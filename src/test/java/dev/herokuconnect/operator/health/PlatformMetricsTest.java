package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.platform.PlatformBudget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The Platform API's metrics as Prometheus scrapes them, read from the budget at scrape time. */
class PlatformMetricsTest {
  @Test
  void requestsByEndpointAndStatusAndTheRemainingPerAccount() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    dev.herokuconnect.operator.util.MutableClock clock = new dev.herokuconnect.operator.util.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    PlatformBudget budget = new PlatformBudget(clock, new PrometheusPlatformMetrics(registry));

    PromText before = PromText.parse(registry.scrape());
    assertFalse(before.families().containsKey("heroku_platform_api_remaining"), "no account, no gauge");

    budget.admit("a1b2c3d4e5f6", "POST /apps/{app}/addons");
    PromText first = PromText.parse(registry.scrape());
    assertTrue(Double.isNaN(first.one("heroku_platform_api_remaining", "account", "a1b2c3d4e5f6").value()), "no header seen yet");

    budget.observe("a1b2c3d4e5f6", "POST /apps/{app}/addons", 201, 4321, Duration.ZERO);
    budget.admit("a1b2c3d4e5f6", "GET /apps/{app}/addons/{addon}");
    budget.observe("a1b2c3d4e5f6", "GET /apps/{app}/addons/{addon}", 429, 0, Duration.ZERO);
    PromText m = PromText.parse(registry.scrape());
    assertEquals("counter", m.families().get("heroku_platform_api_requests_total").type());
    assertEquals(1, m.one("heroku_platform_api_requests_total", "endpoint", "POST /apps/{app}/addons", "status", "201").value());
    assertEquals(1, m.one("heroku_platform_api_requests_total", "endpoint", "GET /apps/{app}/addons/{addon}", "status", "429").value());
    assertEquals(1, m.one("heroku_platform_api_throttled_total", "account", "a1b2c3d4e5f6").value());
    assertEquals(0, m.one("heroku_platform_api_remaining", "account", "a1b2c3d4e5f6").value());
    assertEquals(1, m.one("heroku_platform_api_holding", "account", "a1b2c3d4e5f6").value());
    clock.advance(Duration.ofMinutes(2));
    assertEquals(0, PromText.parse(registry.scrape()).one("heroku_platform_api_holding", "account", "a1b2c3d4e5f6").value(),
        "read at scrape time: the hold is over");
  }
}
