package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.health.PromText.Family;
import dev.herokuconnect.operator.health.PromText.Sample;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** /metrics of an operator in the sandbox: names, types, units and labels; and what a scrape costs. */
class MetricsEndpointTest {

  @Test
  void perObjectSeriesFollowPrometheusConventions() throws Exception {
    try (MetricsWorld w = new MetricsWorld(Duration.ofSeconds(30)).readyWithTwoMappings()) {
      String account = w.mappingId("account");
      PromText m = w.awaitScrape(p -> p.samples("heroku_connect_mapping_state").size() == 2 * ObjectMetrics.MAPPING_STATES.size()
          && !p.samples("heroku_connect_mapping_last_activity_age_seconds").isEmpty()
          // settled, not only present: the first scrapes can come before the mapping's DATA_SYNCED read
          && p.samples("heroku_connect_mapping_ready").stream().anyMatch(s -> s.label("name").equals("account") && s.value() == 1)
          && p.samples("heroku_connect_mapping_state").stream().anyMatch(s -> s.label("name").equals("account")
              && s.label("state").equals("DATA_SYNCED") && s.value() == 1),
          "both mappings' remote figures, account synced");
      String text = w.scrape();
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target/metrics-scrape.txt"), text);
      assertFalse(text.contains(MetricsWorld.TOKEN), "no secret in /metrics");

      // Conventions over every family this project owns.
      for (Family f : m.families().values()) {
        if (!f.name().startsWith("heroku_connect_")) continue;
        assertTrue(f.help() != null && !f.help().isBlank(), "HELP for " + f.name());
        assertTrue(f.name().matches("[a-z_]+"), f.name());
        // text format 0.0.4: a counter's # TYPE carries the _total name
        assertEquals(f.type().equals("counter"), f.name().endsWith("_total"), "counters, and only counters, end in _total: " + f.name());
        assertFalse(f.name().contains("millis") || f.name().contains("_ms"), "base units only: " + f.name());
      }
      for (Sample s : m.samples()) {
        if (!s.name().startsWith("heroku_connect_")) continue;
        Family f = m.familyOf(s.name()).orElseThrow();
        if (f.type().equals("counter")) assertTrue(s.name().endsWith("_total"), "a counter's sample ends in _total: " + s.name());
        for (String id : List.of("request_id", "id", "mapping_id", "uuid")) assertFalse(s.labels().containsKey(id), s.toString());
      }

      // The request counters keep their names and labels.
      assertEquals("counter", m.families().get("heroku_connect_api_requests_total").type());
      assertTrue(m.one("heroku_connect_api_requests_total", "endpoint", "GET /connections/{id}?deep", "status", "200").value() >= 1);

      // Per HerokuConnection.
      Map<String, String> conn = Map.of("namespace", "crm", "name", "sales", "connection_id", w.connectionId);
      gauge(m, "heroku_connect_connection_ready", conn, Set.of());
      assertEquals(1, m.one("heroku_connect_connection_ready", "name", "sales").value());
      assertEquals(1, m.one("heroku_connect_connection_state", "name", "sales", "state", "IDLE").value());
      assertEquals(ObjectMetrics.CONNECTION_STATES.size(), m.samples("heroku_connect_connection_state").size());
      assertEquals(1, m.samples("heroku_connect_connection_state").stream().mapToDouble(Sample::value).sum(), "exactly one state is 1");
      gauge(m, "heroku_connect_connection_state", conn, Set.of("state"));
      assertEquals(1, m.one("heroku_connect_connection_mappings_summary_state", "name", "sales", "state", "OK").value());
      Sample info = m.one("heroku_connect_connection_info", "name", "sales");
      assertEquals(1, info.value());
      assertEquals("gauge", m.familyOf("heroku_connect_connection_info").orElseThrow().type());
      assertEquals(w.conn().getStatus().getOrganizationId(), info.label("organization_id"));
      assertTrue(!info.label("organization_id").isBlank());
      assertEquals("acme-crm", info.label("app"));
      assertEquals(w.conn().getStatus().getApiVersion(), info.label("salesforce_api_version"), "the live Salesforce API version");
      gauge(m, "heroku_connect_connection_salesforce_api_version", conn, Set.of());
      assertEquals(Double.parseDouble(w.conn().getStatus().getApiVersion()),
          m.one("heroku_connect_connection_salesforce_api_version", "name", "sales").value(), "62.0 is 62, for an alert on a floor");
      gauge(m, "heroku_connect_connection_api_requests_limit", conn, Set.of());
      assertEquals(w.operator.budget().dailyBudget(), m.one("heroku_connect_connection_api_requests_limit", "name", "sales").value());
      double used = m.one("heroku_connect_connection_api_requests_used", "name", "sales").value();
      assertTrue(used >= 3, "discovery, setup and deep GETs were spent: " + used);
      assertTrue(m.one("heroku_connect_connection_api_tokens_left", "name", "sales").value() > 0);
      gauge(m, "heroku_connect_connection_api_throttled_until_timestamp_seconds", conn, Set.of());
      assertEquals(0, m.one("heroku_connect_connection_api_throttled_until_timestamp_seconds", "name", "sales").value());
      double snapshotAge = m.one("heroku_connect_connection_snapshot_age_seconds", "name", "sales").value();
      assertTrue(snapshotAge >= 0 && snapshotAge < 60, "seconds, not millis: " + snapshotAge);

      // Per HerokuMapping.
      Map<String, String> acc = Map.of("namespace", "crm", "name", "account", "connection", "sales",
          "connection_id", w.connectionId, "object", "Account");
      gauge(m, "heroku_connect_mapping_ready", acc, Set.of());
      assertEquals(1, m.one("heroku_connect_mapping_ready", "name", "account").value());
      gauge(m, "heroku_connect_mapping_state", acc, Set.of("state"));
      assertEquals(1, m.one("heroku_connect_mapping_state", "name", "account", "state", "DATA_SYNCED").value());
      assertEquals(0, m.one("heroku_connect_mapping_state", "name", "account", "state", "other").value());
      gauge(m, "heroku_connect_mapping_records", acc, Set.of("store"));
      double pg = m.one("heroku_connect_mapping_records", "name", "account", "store", "postgres").value();
      double sf = m.one("heroku_connect_mapping_records", "name", "account", "store", "salesforce").value();
      assertTrue(pg > 0 && sf > 0, "records counted: " + pg + " / " + sf);
      gauge(m, "heroku_connect_mapping_errors", acc, Set.of());
      assertEquals(0, m.one("heroku_connect_mapping_errors", "name", "account").value());
      gauge(m, "heroku_connect_mapping_pending_records", acc, Set.of());
      gauge(m, "heroku_connect_mapping_last_activity_age_seconds", acc, Set.of("activity"));
      assertEquals(Set.of("sf_poll", "db_write", "db_poll", "sf_write"),
          new TreeSet<>(m.samples("heroku_connect_mapping_last_activity_age_seconds").stream()
              .filter(s -> s.label("name").equals("account")).map(s -> s.label("activity")).toList()));
      double poll = m.one("heroku_connect_mapping_last_activity_age_seconds", "name", "account", "activity", "sf_poll").value();
      assertTrue(poll >= 0 && poll < 60, "age in seconds: " + poll);
      assertEquals(600, m.one("heroku_connect_mapping_sf_polling_seconds", "name", "account").value());
      assertEquals(300, m.one("heroku_connect_mapping_sf_polling_seconds", "name", "contact").value());

      // The operator itself.
      assertEquals(1, m.one("heroku_connect_operator_leader").value());
      assertEquals("gauge", m.families().get("heroku_connect_operator_leader").type());
      assertEquals(1, m.samples("heroku_connect_operator_build_info").size());

      // What changed on the remote shows at the next scrape after the next read: an error state
      // and a write error, and a state the operator does not know collapses to "other".
      w.fake.forceMappingState(account, "BULK_LOAD_ERROR");
      w.fake.addWriteError(account, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
      w.annotateMapping("account", "herokuconnect.dev/reconcile-requested-at", "t1");
      w.awaitScrape(p -> p.one("heroku_connect_mapping_state", "name", "account", "state", "BULK_LOAD_ERROR").value() == 1
          && p.one("heroku_connect_mapping_errors", "name", "account").value() == 1
          && p.one("heroku_connect_mapping_ready", "name", "account").value() == 0
          && p.one("heroku_connect_connection_mappings_summary_state", "name", "sales", "state", "other").value() == 1,
          "the error state, the error count and a degraded summary");
      w.fake.forceMappingState(account, "SOMETHING_NEW_2031");
      w.annotateMapping("account", "herokuconnect.dev/reconcile-requested-at", "t2");
      PromText after = w.awaitScrape(p -> p.one("heroku_connect_mapping_state", "name", "account", "state", "other").value() == 1,
          "an unknown state as other");
      assertTrue(after.samples("heroku_connect_mapping_state").stream().noneMatch(s -> s.label("state").equals("SOMETHING_NEW_2031")),
          "unknown states never become label values");

      // A deleted object's series are gone at the next scrape.
      w.sb.client().resources(dev.herokuconnect.operator.crd.HerokuMapping.class).inNamespace("crm").withName("contact").delete();
      w.awaitScrape(p -> p.samples("heroku_connect_mapping_ready").stream().noneMatch(s -> s.label("name").equals("contact")),
          "the deleted mapping's series gone");
    }
  }

  /** A gauge family whose samples for the object carry exactly the object's labels plus {@code extra}. */
  private static void gauge(PromText m, String name, Map<String, String> object, Set<String> extra) {
    assertEquals("gauge", m.familyOf(name).map(Family::type).orElse("(absent)"), name);
    List<Sample> mine = m.samples(name).stream().filter(s -> object.entrySet().stream()
        .allMatch(e -> e.getValue().equals(s.label(e.getKey())))).toList();
    assertFalse(mine.isEmpty(), name + " has no sample for " + object + ": " + m.samples(name));
    for (Sample s : mine) {
      Set<String> want = new TreeSet<>(object.keySet());
      want.addAll(extra);
      assertEquals(want, new TreeSet<>(s.labels().keySet()), name);
    }
    if (name.endsWith("_seconds")) assertTrue(name.matches(".*_(age|polling|timestamp)_seconds"), name);
  }

  @Test
  void scrapingSendsNoRequestToTheConnectApi() throws Exception {
    // A refresh interval of an hour: once everything is Ready nothing else is due, so any
    // request during the scrapes would be the scrapes' doing.
    try (MetricsWorld w = new MetricsWorld(Duration.ofHours(1)).readyWithTwoMappings()) {
      w.awaitScrape(p -> p.samples("heroku_connect_mapping_state").size() == 2 * ObjectMetrics.MAPPING_STATES.size(),
          "both mappings' remote figures");
      // quiet: the last request is at least 2 s old (polled with a deadline)
      assertTrue(Sandbox.await(MetricsWorld.WAIT, () -> {
        List<RecordedRequest> r = w.fake.requests();
        return !r.isEmpty() && r.get(r.size() - 1).at().isBefore(w.clock.instant().minusSeconds(2));
      }), "the operator settles");
      List<RecordedRequest> before = w.fake.requests();
      long t0 = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        PromText p = PromText.parse(w.scrape());
        assertEquals(2, p.samples("heroku_connect_mapping_ready").size(), "each scrape has the objects' series");
        assertEquals(1, p.samples("heroku_connect_connection_api_requests_used").size());
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      List<RecordedRequest> after = w.fake.requests();
      assertEquals(before, after, "20 scrapes sent requests to the Connect API: " + after.subList(before.size(), after.size()));
      System.out.printf("20 scrapes in %d ms; Connect API requests during them: %d%n", ms, after.size() - before.size());
    }
  }
}
