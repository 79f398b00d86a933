package dev.herokuconnect.operator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.Model.Notification;
import dev.herokuconnect.operator.connect.Model.NotificationFilter;
import dev.herokuconnect.operator.connect.Model.Notifications;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.testing.CountingServer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 18's notifications through the client, against the fake over HTTP. */
class NotificationsClientTest extends ClientOnFakeCase {
  String first;
  String second;
  String third;

  @BeforeEach
  void notifications() {
    first = fake.addNotification(connId, "mapping-error", "Failed to sync Account records due to validation error",
        Instant.parse("2024-01-15T09:45:00Z"));
    second = fake.addNotification(connId, "postgres-connection", "Database cannot connect", Instant.parse("2024-01-15T10:30:00Z"));
    third = fake.addNotification(connId, "mapping-error", "Contact: bulk load failed", Instant.parse("2024-02-01T00:00:00Z"));
  }

  static List<String> ids(Notifications n) {
    return n.resultsOrEmpty().stream().map(Notification::id).toList();
  }

  /** The last request's query, decoded. */
  String lastQuery() {
    return java.net.URLDecoder.decode(last().query(), java.nio.charset.StandardCharsets.UTF_8);
  }

  RecordedRequest last() {
    List<RecordedRequest> all = fake.requests();
    return all.get(all.size() - 1);
  }

  @Test
  void listsWithThePluginsQueryAtBackgroundPriority() {
    ConnectApi background = api().withPriority(RequestGate.Priority.BACKGROUND);
    Notifications all = background.notifications(connId, NotificationFilter.all());
    assertEquals("page_size=1000", last().query(), "the plugin's one page of 1000");
    assertEquals(3, all.total());
    assertEquals(List.of(third, second, first), ids(all));
    Notification n = all.resultsOrEmpty().get(1);
    assertEquals("postgres-connection", n.eventType());
    assertEquals("Database cannot connect", n.message());
    assertEquals("2024-01-15T10:30:00Z", n.createdAt());
    assertEquals(List.of(new Admitted(connId, "GET /connections/{id}/notifications", RequestGate.Priority.BACKGROUND)), admitted(),
        "paid from the connection's budget, at the priority asked for");

    Notifications filtered = api().notifications(connId, NotificationFilter.all().eventType("mapping-error")
        .after(Instant.parse("2024-01-01T00:00:00Z")).before(Instant.parse("2024-01-31T00:00:00Z")).pageSize(10));
    assertEquals("after=2024-01-01T00:00:00Z&before=2024-01-31T00:00:00Z&event_type=mapping-error&page_size=10", lastQuery());
    assertEquals(List.of(first), ids(filtered));
    assertEquals(List.of(third), ids(api().notifications(connId, NotificationFilter.all().pageSize(1))));
  }

  @Test
  void acknowledgeClearsWhatTheFilterSelects() {
    ConnectApi api = api();
    api.acknowledgeNotifications(connId, NotificationFilter.all().eventType("mapping-error").before(Instant.parse("2024-01-31T00:00:00Z")));
    assertEquals("POST", last().method());
    assertEquals("before=2024-01-31T00:00:00Z&event_type=mapping-error&page_size=1000", lastQuery());
    assertEquals(null, last().body(), "no body: the filters go in the query, as the plugin sends them");
    assertEquals(204, last().status());
    assertEquals(List.of(third, second), ids(api.notifications(connId, NotificationFilter.all())));
    api.acknowledgeNotifications(connId, NotificationFilter.all());
    assertEquals(0, api.notifications(connId, NotificationFilter.all()).total());
  }

  @Test
  void refusalsAndAnswersThatAreNot204() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> NotificationFilter.all().pageSize(0), "refused before any request");
    assertThrows(ConnectApiException.NotFound.class,
        () -> api().notifications("00000000-0000-4000-8000-000000000999", NotificationFilter.all()));
    try (CountingServer region = new CountingServer()) {
      ConnectApi elsewhere = new ConnectApi(http, region.url(fake.host()) + "/api/v3", connId, RequestGate.Priority.USER);
      region.answering("{\"message\": \"queued\"}");
      ConnectApiException.UnexpectedResponse notDone = assertThrows(ConnectApiException.UnexpectedResponse.class,
          () -> elsewhere.acknowledgeNotifications(connId, NotificationFilter.all()));
      assertEquals(200, notDone.status());
      assertTrue(notDone.getMessage().contains("where 204 means acknowledged: queued"), notDone.getMessage());
      region.answering("{\"results\": [{\"id\": 5678, \"event_type\": \"mapping-error\", \"message\": \"m\", \"created_at\": \"2024-01-15T10:30:00Z\"}]}");
      Notifications withoutCount = elsewhere.notifications(connId, NotificationFilter.all());
      assertEquals(1, withoutCount.total(), "the plugin's answer has no count: the results are counted");
      assertEquals("5678", withoutCount.resultsOrEmpty().get(0).id(), "a numeric id is kept as text");
    }
  }
}
