package dev.herokuconnect.operator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herokuconnect.operator.connect.ConnectApiException.BadRequest;
import dev.herokuconnect.operator.connect.Model.AuthorizeRequest;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.ExportedConfiguration;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.testing.CountingServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every client method and every failure type, against the fake API over real HTTP. */
class ConnectApiTest {
  static final String TOKEN = "hrku-test-0123456789abcdef";
  FakeConnectApi fake;
  ConnectHttp http;
  String connId;

  @BeforeEach
  void start() throws IOException {
    fake = new FakeConnectApi();
    fake.addToken(TOKEN, "ops@example.com");
    fake.setSyncTiming(Duration.ZERO, Duration.ZERO);
    connId = fake.addConnection("crm-prod", "herokuconnect-round-12345");
    http = new ConnectHttp(new ApiToken(TOKEN), RequestGate.OPEN, toFake(), java.time.Clock.systemUTC());
  }

  /** The token may go to the fake's host only (the default, *.heroku.com, would refuse it). */
  ConnectHttp.Options toFake() {
    return ConnectHttp.Options.defaults().withHosts(HostAllowlist.parse(fake.host()));
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  ConnectApi api() {
    return new ConnectApi(http, fake.apiRoot(), connId, RequestGate.Priority.USER);
  }

  /** Links, configures and authorizes the connection, as the operator would. */
  ConnectApi readyApi() {
    new DiscoveryApi(http, fake.baseUrl(), RequestGate.Priority.USER).linkUser("crm-prod");
    ConnectApi api = api();
    api.configureDatabase(connId, "DATABASE_URL", "salesforce");
    fake.completeAuthorization(connId);
    return api;
  }

  static MappingConfig accountConfig() {
    Map<String, com.fasterxml.jackson.databind.JsonNode> fields = new LinkedHashMap<>();
    for (String f : List.of("Id", "Name", "IsDeleted", "SystemModstamp")) fields.put(f, JsonNodeFactory.instance.objectNode());
    return new MappingConfig().access("read_only").sfNotifyEnabled(false).sfPollingSeconds(600)
        .fields(fields).indexes(Map.of("Id", new MappingConfig.IndexConfig(true)));
  }

  @Test
  void discoveryLinksThenSearches() {
    DiscoveryApi discovery = new DiscoveryApi(http, fake.baseUrl(), RequestGate.Priority.USER);
    assertTrue(discovery.search("crm-prod", null).isEmpty(), "invisible before the user is linked");
    var linked = discovery.linkUser("crm-prod");
    assertEquals(1, linked.size());
    assertEquals(fake.baseUrl(), linked.get(0).regionUrl());
    var found = discovery.search("crm-prod", "herokuconnect-round-12345");
    assertEquals(connId, found.get(0).id());
    assertTrue(discovery.search("crm-prod", "other").isEmpty());
    assertThrows(ConnectApiException.NotFound.class, () -> discovery.linkUser("no-such-app"));
  }

  @Test
  void legacyLinkAndPagedList() {
    fake.setPageSize(2);
    for (int i = 0; i < 4; i++) fake.addConnection("crm-prod", "extra-" + i);
    ConnectApi api = api();
    api.linkUserLegacy("crm-prod");
    List<Connection> all = api.listConnections("crm-prod");
    assertEquals(5, all.size(), "all pages followed through next");
    long pages = fake.requests().stream().filter(r -> r.path().equals("/api/v3/connections")).count();
    assertEquals(3, pages);
  }

  @Test
  void connectionLifecycleThroughTheStateMachine() {
    new DiscoveryApi(http, fake.baseUrl(), RequestGate.Priority.USER).linkUser("crm-prod");
    ConnectApi api = api();
    assertEquals("NEW", api.getConnection(connId, false).state());
    Connection patched = api.configureDatabase(connId, "DATABASE_URL", "salesforce");
    assertEquals("DATABASE_URL", patched.dbKey());
    assertEquals("NEED_AUTHENTICATION", api.getConnection(connId, false).state());
    String url = api.authorizeUrl(connId, new AuthorizeRequest("production", null, "52.0", null));
    assertTrue(url.startsWith(fake.baseUrl() + "/oauth/start/"));
    fake.completeAuthorization(connId);
    assertEquals("IDLE", api.getConnection(connId, false).state());
    api.pause(connId);
    assertEquals("PAUSED", api.getConnection(connId, false).state());
    api.resume(connId);
    fake.forceConnectionState(connId, "SYSTEM_ERROR");
    api.restart(connId);
    Connection deep = api.getConnection(connId, true);
    assertEquals("IDLE", deep.state());
    assertNotNull(deep.organizationId());
    assertNotNull(deep.mappings());
  }

  @Test
  void pauseIsRefusedUnlessIdle() {
    ConnectApi api = readyApi();
    fake.busyFor(connId, Duration.ofMinutes(5));
    BadRequest e = assertThrows(BadRequest.class, () -> api.pause(connId));
    assertTrue(e.getMessage().contains("IDLE"), e.getMessage());
  }

  @Test
  void mappingCrudReloadAbortAndErrors() {
    ConnectApi api = readyApi();
    Mapping created = api.createMapping(connId, "Account", accountConfig());
    assertEquals("Account", created.objectName());
    assertEquals(1L, created.config().revision());
    Mapping read = api.getMapping(created.id());
    assertEquals(created.id(), read.id());

    MappingConfig edit = read.config().copy().sfPollingSeconds(300);
    Mapping edited = api.editMapping(created.id(), "Account", edit);
    assertEquals(2L, edited.config().revision());
    assertEquals(300, edited.config().sfPollingSeconds());

    ConnectApiException.Conflict conflict = assertThrows(ConnectApiException.Conflict.class,
        () -> api.editMapping(created.id(), "Account", edit)); // revision 1 is stale now
    assertTrue(conflict.isTransient());

    api.reloadMapping(created.id());
    api.abortMapping(created.id());
    assertEquals("ABORTED", api.getMapping(created.id()).state());
    fake.addWriteError(created.id(), "INVALID_FIELD: bad value");
    assertEquals(1, api.mappingErrors(created.id()).size());
    assertEquals("INVALID_FIELD: bad value", api.connectionErrors(connId).get(0).message());

    api.deleteMapping(created.id());
    assertThrows(ConnectApiException.NotFound.class, () -> api.getMapping(created.id()));
  }

  @Test
  void writeErrorsAreTypedNewestFirstAndEveryPageIsRead() {
    ConnectApi api = readyApi();
    String account = api.createMapping(connId, "Account", accountConfig()).id();
    String invoice = api.createMapping(connId, "Invoice__c", accountConfig()).id();
    fake.setPageSize(2);
    long first = fake.addWriteError(account, 17, "REQUIRED_FIELD_MISSING: Required fields are missing: [Name]");
    fake.addWriteError(invoice, 3, "FIELD_CUSTOM_VALIDATION_EXCEPTION: Amount must be positive");
    fake.addWriteError(account, 18, "DUPLICATE_VALUE: duplicate value found: External_Id__c");
    long last = fake.addWriteError(account, 19, "INVALID_EMAIL_ADDRESS: Email: invalid email address: x");
    fake.clearRequests();

    List<Model.SyncError> errors = api.mappingErrors(account);
    assertEquals(List.of("19", "18", "17"), errors.stream().map(Model.SyncError::recordId).toList(), "newest first, all pages");
    Model.SyncError newest = errors.get(0);
    assertEquals(Long.toString(last), newest.id());
    assertEquals("account", newest.tableName());
    assertEquals("INVALID_EMAIL_ADDRESS: Email: invalid email address: x", newest.message());
    assertNotNull(java.time.Instant.parse(newest.createdAt()));
    assertEquals(Long.toString(first), errors.get(2).id());
    assertEquals(List.of("GET /api/v3/mappings/" + account + "/errors -> 200",
        "GET /api/v3/mappings/" + account + "/errors?offset=2 -> 200"), fake.requests().stream().map(Object::toString).toList());

    List<Model.SyncError> all = api.connectionErrors(connId);
    assertEquals(List.of("account", "account", "invoice__c", "account"), all.stream().map(Model.SyncError::tableName).toList());

    Connection deep = api.getConnection(connId, true);
    Map<String, Long> counts = new LinkedHashMap<>();
    deep.mappings().forEach(m -> counts.put(m.objectName(), m.counts().errors()));
    assertEquals(Map.of("Account", 3L, "Invoice__c", 1L), counts, "counts.errors follows the errors added");
    assertEquals(3L, api.getMapping(account).counts().errors());

    assertThrows(ConnectApiException.NotFound.class, () -> api.mappingErrors("00000000-0000-4000-8000-000000000099"));
    api.deleteMapping(invoice);
    assertEquals(3, api.connectionErrors(connId).size(), "a deleted mapping's errors go with its table");
  }

  @Test
  void unknownConfigKeysSurviveAnEdit() {
    ConnectApi api = readyApi();
    Mapping created = api.createMapping(connId, "Contact", accountConfig());
    fake.dashboardEdit(created.id(), c -> c.put("sf_sync_mode", "bulk").putObject("future_block").put("x", 1));
    Mapping read = api.getMapping(created.id());
    assertEquals("bulk", read.config().unknownKeys().get("sf_sync_mode").asText());
    api.editMapping(created.id(), "Contact", read.config().copy().sfPollingSeconds(900));
    var remote = fake.mappings(connId).get(0).config();
    assertEquals("bulk", remote.path("sf_sync_mode").asText());
    assertEquals(1, remote.path("future_block").path("x").asInt());
    assertEquals(900, remote.path("sf_polling_seconds").asInt());
  }

  @Test
  void badRequestCarriesFieldErrors() {
    ConnectApi api = readyApi();
    MappingConfig bad = accountConfig().access("read_sideways").indexes(Map.of("Email", new MappingConfig.IndexConfig(false)));
    bad.fields().remove("SystemModstamp");
    BadRequest e = assertThrows(BadRequest.class, () -> api.createMapping(connId, "Account", bad));
    assertTrue(e.fieldErrors().containsKey("config.access"), e.fieldErrors().toString());
    assertTrue(e.fieldErrors().containsKey("config.fields"));
    assertTrue(e.fieldErrors().containsKey("config.indexes"));
    assertTrue(e.describe().contains("SystemModstamp"), e.describe());
    assertFalse(e.isTransient());
    api.createMapping(connId, "Account", accountConfig());
    BadRequest dup = assertThrows(BadRequest.class, () -> api.createMapping(connId, "account", accountConfig()));
    assertTrue(dup.describe().contains("already exists"), dup.describe());
  }

  @Test
  void exportImportRoundTripAndMultipart() {
    ConnectApi api = readyApi();
    api.createMapping(connId, "Account", accountConfig());
    ExportedConfiguration exported = api.exportConfiguration(connId);
    assertEquals(1, exported.mappings().size());
    assertEquals(1, exported.version());

    String other = fake.addReadyConnection("crm-stage", "hc-stage", "ops@example.com", "DATABASE_URL", "salesforce");
    ConnectApi stage = new ConnectApi(http, fake.apiRoot(), other, RequestGate.Priority.USER);
    stage.importConfiguration(other, exported);
    assertEquals(List.of("Account"), fake.mappings(other).stream().map(FakeConnectApi.MappingView::objectName).toList());

    String third = fake.addReadyConnection("crm-dev", "hc-dev", "ops@example.com", "DATABASE_URL", "salesforce");
    byte[] file = "{\"mappings\":[{\"object_name\":\"Lead\",\"config\":{\"access\":\"read_only\",\"fields\":{\"Id\":{},\"SystemModstamp\":{}}}}],\"version\":1}"
        .getBytes(StandardCharsets.UTF_8);
    new ConnectApi(http, fake.apiRoot(), third, RequestGate.Priority.USER).importConfigurationFile(third, file);
    assertEquals("Lead", fake.mappings(third).get(0).objectName());
  }

  @Test
  void validationsArePolledThroughTheirResultUrl() {
    ConnectApi api = readyApi();
    var run = api.startValidation(connId);
    assertNotNull(run.resultUrl());
    assertEquals("running", api.validationResult(run.resultUrl()).status(), "the first GET answers 202");
    var result = api.validationResult(run.resultUrl());
    assertEquals("complete", result.status(), "then 200");
    assertEquals("Salesforce Authorization", result.results().get(1).path("object").asText());
    assertEquals("passed", result.results().get(1).path("level").asText());
  }

  @Test
  void methodOverrideSendsPost() {
    ConnectHttp overriding = new ConnectHttp(new ApiToken(TOKEN), RequestGate.OPEN,
        toFake().withMethodOverride(true), java.time.Clock.systemUTC());
    readyApi();
    ConnectApi api = new ConnectApi(overriding, fake.apiRoot(), connId, RequestGate.Priority.USER);
    api.configureDatabase(connId, "DATABASE_URL", "salesforce");
    Mapping m = api.createMapping(connId, "Account", accountConfig());
    api.editMapping(m.id(), "Account", m.config().copy().sfPollingSeconds(120));
    api.deleteMapping(m.id());
    assertTrue(fake.mappings(connId).isEmpty(), "DELETE via override took effect");
  }

  @Test
  void unauthorizedAndForbidden() {
    ConnectApi api = readyApi();
    fake.forbidToken(TOKEN);
    assertThrows(ConnectApiException.Forbidden.class, () -> api.getConnection(connId, true));
    fake.revokeToken(TOKEN);
    ConnectApiException.Unauthorized e = assertThrows(ConnectApiException.Unauthorized.class, () -> api.getConnection(connId, true));
    assertFalse(e.getMessage().contains(TOKEN));
    assertFalse(e.isTransient());
  }

  @Test
  void throttledParsesTheWaitFromMessageAndRetryAfter() {
    ConnectApi api = readyApi();
    fake.setDailyLimit(fake.requestsInWindow(connId) + 2);
    api.getConnection(connId, true);
    api.getConnection(connId, true);
    ConnectApiException.Throttled t = assertThrows(ConnectApiException.Throttled.class, () -> api.getConnection(connId, true));
    assertTrue(t.waitTime().toSeconds() > 86_000 && t.waitTime().toSeconds() <= 86_400, t.waitTime().toString());
    fake.setSendRetryAfter(false);
    ConnectApiException.Throttled fromMessage = assertThrows(ConnectApiException.Throttled.class, () -> api.getConnection(connId, false));
    assertTrue(fromMessage.waitTime().toSeconds() > 86_000, "parsed from the message alone");
  }

  @Test
  void serverErrorsTransportFailuresAndGarbage() throws Exception {
    ConnectApi api = readyApi();
    fake.setFailureRate(1.0);
    List<Class<?>> seen = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ConnectApiException e = assertThrows(ConnectApiException.class, () -> api.getConnection(connId, true));
      assertTrue(e.isTransient());
      if (!seen.contains(e.getClass())) seen.add(e.getClass());
    }
    assertTrue(seen.contains(ConnectApiException.ServerError.class), seen.toString());
    assertTrue(seen.contains(ConnectApiException.Transport.class), "dropped connections: " + seen);
    fake.setFailureRate(0);

    try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n<html>hi</html>")) {
      ConnectApi garbage = new ConnectApi(http, raw.url(), connId, RequestGate.Priority.USER);
      var e = assertThrows(ConnectApiException.UnexpectedResponse.class, () -> garbage.getConnection(connId, true));
      assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
    }
    try (RawServer silent = new RawServer(null)) {
      ConnectHttp impatient = new ConnectHttp(new ApiToken(TOKEN), RequestGate.OPEN,
          toFake().withReadTimeout(Duration.ofMillis(300)), java.time.Clock.systemUTC());
      ConnectApi slow = new ConnectApi(impatient, silent.url(), connId, RequestGate.Priority.USER);
      var e = assertThrows(ConnectApiException.Transport.class, () -> slow.getConnection(connId, false));
      assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }
  }

  @Test
  void theGateDecidesAndHearsEveryOutcome() {
    readyApi();
    AtomicInteger admitted = new AtomicInteger();
    List<Integer> statuses = new ArrayList<>();
    RequestGate gate = new RequestGate() {
      @Override public void admit(String key, String endpoint, Priority p) {
        if (admitted.incrementAndGet() > 2) throw new ConnectApiException.RateLimited(endpoint, "budget spent", java.time.Instant.now());
      }
      @Override public void completed(String key, String endpoint, int status) { statuses.add(status); }
    };
    ConnectApi api = new ConnectApi(new ConnectHttp(new ApiToken(TOKEN), gate, toFake(), java.time.Clock.systemUTC()), fake.apiRoot(), connId, RequestGate.Priority.BACKGROUND);
    api.getConnection(connId, true);
    assertThrows(ConnectApiException.NotFound.class, () -> api.getMapping("nope"));
    int before = fake.requests().size();
    assertThrows(ConnectApiException.RateLimited.class, () -> api.getConnection(connId, true));
    assertEquals(before, fake.requests().size(), "nothing was sent");
    assertEquals(List.of(200, 404), statuses);
  }

  @Test
  void plainHttpOnlyForLoopbackAndTheTokenNeverPrinted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ConnectApi(http, "http://connect-virginia.heroku.com/api/v3", connId, RequestGate.Priority.USER));
    assertTrue(e.getMessage().contains("https"), e.getMessage());
    // https to Heroku's hosts passes with the default list (this test's client allows only the fake)
    new ConnectApi(new ConnectHttp(new ApiToken(TOKEN), RequestGate.OPEN), "https://connect-virginia.heroku.com/api/v3", connId,
        RequestGate.Priority.USER);
    assertEquals("ApiToken[redacted]", new ApiToken(TOKEN).toString());
    readyApi().getConnection(connId, true);
    for (RecordedRequest r : fake.requests()) assertFalse(String.valueOf(r).contains(TOKEN) || String.valueOf(r.body()).contains(TOKEN));
  }

  @Test
  void linksFromTheApiToAHostOutsideTheListAreRefusedWithoutARequest() throws Exception {
    try (CountingServer elsewhere = new CountingServer();
         CountingServer region = new CountingServer()) {
      region.answering("{\"results\": [], \"next\": \"" + elsewhere.url("localhost") + "/api/v3/connections?offset=1\"}");
      ConnectApi api = new ConnectApi(http, region.url(fake.host()) + "/api/v3", connId, RequestGate.Priority.USER);
      DisallowedHost next = assertThrows(DisallowedHost.class, () -> api.listConnections(null));
      assertEquals("next of GET /connections: host localhost is not in HEROKU_CONNECT_API_HOSTS (127.0.0.1); the token is sent "
          + "only to allowed hosts: ask the operator's admin to add the host if it is Heroku's", next.getMessage());
      assertEquals(1, region.requests(), "the first page was read");
      DisallowedHost result = assertThrows(DisallowedHost.class, () -> api.validationResult(elsewhere.url("localhost") + "/validations/1"));
      assertTrue(result.getMessage().startsWith("result_url of a validation: host localhost"), result.getMessage());
      DisallowedHost discovery = assertThrows(DisallowedHost.class,
          () -> new DiscoveryApi(http, elsewhere.url("localhost"), RequestGate.Priority.USER));
      assertTrue(discovery.getMessage().startsWith("discovery URL: host localhost"), discovery.getMessage());
      assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    }
  }

  /** A socket server that answers one canned response (or nothing), for garbage and timeouts. */
  static final class RawServer implements AutoCloseable {
    final ServerSocket socket;
    final Thread thread;

    RawServer(String response) throws IOException {
      socket = new ServerSocket();
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      thread = new Thread(() -> {
        try (Socket s = socket.accept()) {
          s.getInputStream().read(new byte[8192]);
          if (response == null) {
            s.getInputStream().read(); // say nothing until the client gives up
            return;
          }
          OutputStream out = s.getOutputStream();
          out.write(response.getBytes(StandardCharsets.UTF_8));
          out.flush();
        } catch (IOException ignored) {
          // closed by the test
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    String url() { return "http://127.0.0.1:" + socket.getLocalPort() + "/api/v3"; }

    @Override public void close() throws IOException { socket.close(); }
  }
}
