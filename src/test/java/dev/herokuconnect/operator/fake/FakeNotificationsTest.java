package dev.herokuconnect.operator.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 on the fake, over raw HTTP: a connection's unacknowledged notifications, listed with the
 * CLI plugin's filters (after, before, event_type, page_size) and acknowledged with the same query.
 */
class FakeNotificationsTest extends FakeApiCase {
  String first;
  String second;
  String third;

  @BeforeEach
  void notifications() throws IOException {
    setUp();
    first = fake.addNotification(conn, "mapping-error", "Failed to sync Account records due to validation error",
        Instant.parse("2024-01-15T09:45:00Z"));
    second = fake.addNotification(conn, "postgres-connection", "Database cannot connect", Instant.parse("2024-01-15T10:30:00Z"));
    third = fake.addNotification(conn, "mapping-error", "Contact: bulk load failed", Instant.parse("2024-02-01T00:00:00Z"));
  }

  String path(String rest) { return "/api/v3/connections/" + conn + "/notifications" + rest; }

  List<String> ids(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.path("results").forEach(n -> out.add(n.path("id").asText()));
    return out;
  }

  @Test
  void listsTheUnacknowledgedNewestFirstWithTheirFields() throws IOException {
    Reply all = call("GET", path("?page_size=1000"), null);
    assertEquals(200, all.status());
    assertEquals(3, all.body().path("count").asInt());
    assertEquals(List.of(third, second, first), ids(all.body()));
    JsonNode n = all.body().path("results").get(1);
    assertTrue(n.path("id").isTextual(), "ids are text, as the plugin's tests show them");
    assertEquals("postgres-connection", n.path("event_type").asText());
    assertEquals("Database cannot connect", n.path("message").asText());
    assertEquals("2024-01-15T10:30:00Z", n.path("created_at").asText());
    assertEquals(List.of(), fake.unacknowledgedNotifications(fake.addReadyConnection("other", "hc-2", "ops", "DATABASE_URL", "sf")),
        "each connection has its own");
  }

  @Test
  void filtersAndPageSize() throws IOException {
    assertEquals(List.of(third, first), ids(call("GET", path("?event_type=mapping-error"), null).body()));
    assertEquals(List.of(second, first), ids(call("GET", path("?after=2024-01-01&before=2024-01-31"), null).body()));
    assertEquals(List.of(first), ids(call("GET", path("?after=2024-01-01&before=2024-01-31&event_type=mapping-error"), null).body()));
    assertEquals(List.of(second), ids(call("GET", path("?after=2024-01-15T10:30:00Z&before=2024-02-01T00:00:00Z"), null).body()),
        "after is inclusive, before exclusive");
    JsonNode page = call("GET", path("?page_size=2"), null).body();
    assertEquals(List.of(third, second), ids(page));
    assertEquals(3, page.path("count").asInt(), "count is every one the filters select");
    fake.setPageSize(1);
    assertEquals(List.of(third), ids(call("GET", path(""), null).body()), "without page_size: the fake's page size");
  }

  @Test
  void acknowledgeRemovesWhatTheFiltersSelect() throws IOException {
    Reply ack = call("POST", path("/acknowledge?event_type=mapping-error&before=2024-01-31&page_size=1000"), null);
    assertEquals(204, ack.status());
    assertNull(ack.body(), "204 has no body");
    assertEquals(List.of(third, second), fake.unacknowledgedNotifications(conn));
    assertEquals(List.of(third, second), ids(call("GET", path(""), null).body()));
    assertEquals(204, call("POST", path("/acknowledge?page_size=1"), null).status());
    assertEquals(List.of(), ids(call("GET", path(""), null).body()), "page_size does not limit what is acknowledged");
    assertEquals(0, call("GET", path(""), null).body().path("count").asInt());
  }

  @Test
  void badParametersAreRefusedAndNothingIsAcknowledged() throws IOException {
    for (String bad : List.of("?after=yesterday", "?before=2024-13-01", "?page_size=0", "?page_size=many")) {
      Reply list = call("GET", path(bad), null);
      assertEquals(400, list.status(), bad);
      assertTrue(list.body().path("message").asText().startsWith("Invalid request parameters"), list.body().toString());
      assertEquals(400, call("POST", path("/acknowledge" + bad), null).status(), bad);
    }
    assertEquals(3, fake.unacknowledgedNotifications(conn).size());
    assertEquals(404, call("GET", "/api/v3/connections/00000000-0000-4000-8000-000000000999/notifications", null).status());
    assertEquals(401, call("GET", path(""), null, null, null).status());
    fake.destroyConnection(conn);
    assertEquals(404, call("POST", path("/acknowledge"), null).status());
  }
}
