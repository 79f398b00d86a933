package dev.herokuconnect.operator.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.connect.ConnectHttp;
import dev.herokuconnect.operator.connect.ConnectionFinder;
import dev.herokuconnect.operator.connect.HostAllowlist;
import dev.herokuconnect.operator.connect.RefusedUrl;
import dev.herokuconnect.operator.connect.RequestGate;
import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.fake.FakePlatformApi;
import dev.herokuconnect.operator.util.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PlatformApi against the fake's Platform API endpoints over HTTP, on a clock the test moves. */
class PlatformApiTest {
  static final String TOKEN = "hrku-platform-secret-7f3a9c";
  static final String USER = "ops@example.com";
  static final String APP = "acme-crm";

  MutableClock clock;
  FakeConnectApi fake;
  FakePlatformApi platform;
  PlatformBudget budget;
  final List<String> metrics = new ArrayList<>();
  PlatformApi api;

  @BeforeEach
  void start() throws IOException {
    clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    fake = new FakeConnectApi(clock);
    fake.addToken(TOKEN, USER);
    platform = fake.platform().addApp(APP);
    budget = new PlatformBudget(clock, new PlatformMetrics() {
      @Override public void request(String endpoint, int status) { metrics.add(endpoint + " " + status); }
      @Override public void account(String account, PlatformBudget b) { metrics.add("account " + account); }
      @Override public void tokensLeft(String key, double tokens) {}
      @Override public void throttled(String account) { metrics.add("throttled " + account); }
    });
    api = api(TOKEN, fake.baseUrl(), HostAllowlist.parse(fake.host()));
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  PlatformApi api(String token, String baseUrl, HostAllowlist hosts) {
    return new PlatformApi(new ConnectHttp(new ApiToken(token), RequestGate.OPEN,
        ConnectHttp.Options.defaults().withHosts(hosts).withReadTimeout(Duration.ofSeconds(5)), clock), baseUrl, budget);
  }

  List<String> platformRequests() {
    return fake.requests().stream().filter(r -> r.api().equals("platform")).map(Object::toString).toList();
  }

  ConnectHttp connectHttp() {
    return new ConnectHttp(new ApiToken(TOKEN), RequestGate.OPEN, ConnectHttp.Options.defaults().withHosts(HostAllowlist.parse(fake.host())), clock);
  }

  ConnectionFinder.Found discover() {
    return new ConnectionFinder(connectHttp(), fake.baseUrl(), RequestGate.Priority.USER).find(new ConnectionFinder.Query(APP, null, null, null));
  }

  // ---- endpoints ------------------------------------------------------------------------

  @Test
  void createdAddOnProvisionsAndBecomesANewConnectionWithItsId() {
    Addon created = api.create(APP, "herokuconnect:demo", "hc-acme");
    assertEquals(AddonState.PROVISIONING, created.state());
    assertEquals(created.id(), UUID.fromString(created.id()).toString(), "the id is a UUID");
    assertEquals(new Addon(created.id(), "hc-acme", AddonState.PROVISIONING, "herokuconnect:demo", "herokuconnect", APP), created);
    assertThrows(ConnectionFinder.NotFound.class, this::discover, "no connection while provisioning");

    assertEquals(AddonState.PROVISIONING, api.find(APP, created.id()).orElseThrow().state(), "the first read: still provisioning");
    assertEquals(AddonState.PROVISIONED, api.find(APP, "hc-acme").orElseThrow().state(), "by name, the next read: done");

    ConnectionFinder.Found found = discover();
    assertEquals(created.id(), found.connectionId(), "tutorial step 4: the add-on's id is the connection id");
    assertEquals("hc-acme", found.resourceName());
    assertEquals("NEW", fake.connectionState(created.id()));
    assertEquals(List.of("POST /apps/acme-crm/addons -> 201", "GET /apps/acme-crm/addons/" + created.id() + " -> 200",
        "GET /apps/acme-crm/addons/hc-acme -> 200"), platformRequests());
    assertTrue(fake.requests().stream().anyMatch(r -> r.api().equals("connect") && r.path().equals("/connections")),
        "the log holds both APIs' requests");
    assertEquals(3, fake.requests().stream().filter(r -> r.api().equals("platform") && created.id().equals(r.connectionId())).count(),
        "the add-on's requests carry its id, the connection id");
  }

  @Test
  void provisioningByTimeOnTheFakesClockNeedsNoRead() {
    platform.setProvisioning(Integer.MAX_VALUE, Duration.ofSeconds(30));
    Addon created = api.create(APP, "herokuconnect:enterprise", null);
    assertTrue(created.name().startsWith("herokuconnect-"), "a generated name: " + created.name());
    clock.advance(Duration.ofSeconds(29));
    assertEquals(AddonState.PROVISIONING, api.find(APP, created.id()).orElseThrow().state());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(created.id(), discover().connectionId(), "discovery finds it once provisioned, without a Platform API read");
    assertEquals("herokuconnect:enterprise", api.find(APP, created.id()).orElseThrow().plan());
  }

  @Test
  void listShowsExistingConnectionsAndNewAddOnsAcrossPages() {
    String existing = fake.addConnection(APP, "herokuconnect-old-1");
    fake.addConnection("other-app", "herokuconnect-elsewhere");
    platform.setPageSize(2);
    List<String> ids = new ArrayList<>(List.of(existing));
    for (int i = 0; i < 4; i++) ids.add(api.create(APP, "herokuconnect:demo", "hc-" + i).id());
    fake.clearRequests();

    List<Addon> listed = api.list(APP);
    assertEquals(ids.stream().sorted().toList(), listed.stream().map(Addon::id).toList());
    assertEquals(AddonState.PROVISIONED, listed.stream().filter(a -> a.id().equals(existing)).findFirst().orElseThrow().state());
    assertEquals(List.of("GET /apps/acme-crm/addons -> 206", "GET /apps/acme-crm/addons -> 206", "GET /apps/acme-crm/addons -> 200"),
        platformRequests(), "three pages of two, following Next-Range");
  }

  @Test
  void changePlanChangesItInPlace() {
    Addon a = api.create(APP, "herokuconnect:demo", "hc-acme");
    platform.setProvisioning(0, null);
    api.find(APP, a.id());
    api.find(APP, a.id());
    Addon changed = api.changePlan(APP, "hc-acme", "herokuconnect:enterprise");
    assertEquals("herokuconnect:enterprise", changed.plan());
    assertEquals(a.id(), changed.id(), "the same add-on");
    assertEquals("herokuconnect:enterprise", platform.plan(a.id()));
    PlatformApiException bad = assertThrows(PlatformApiException.class, () -> api.changePlan(APP, a.id(), "herokuconnect:platinum"));
    assertEquals(422, bad.status());
    assertEquals("invalid_params", bad.errorId());
  }

  @Test
  void deleteDeprovisionsAndRemovesTheConnectionAndItsMappings() {
    platform.setProvisioning(0, null);
    Addon a = api.create(APP, "herokuconnect:demo", "hc-acme");
    assertEquals(AddonState.PROVISIONED, a.state(), "0 reads: provisioned at once");
    // tutorial steps 3 to 5 on the new connection, then a mapping
    ConnectionFinder.Found found = discover();
    new dev.herokuconnect.operator.connect.ConnectApi(connectHttp(), found.apiRoot(), a.id(), RequestGate.Priority.USER)
        .configureDatabase(a.id(), "DATABASE_URL", "salesforce");
    fake.completeAuthorization(a.id());
    com.fasterxml.jackson.databind.node.ObjectNode config = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        .put("access", "read_only");
    config.putObject("fields").putObject("Id");
    config.with("fields").putObject("SystemModstamp");
    fake.dashboardCreate(a.id(), "Account", config);
    assertEquals(1, fake.mappings(a.id()).size());

    Addon deleted = api.delete(APP, a.id());
    assertEquals(AddonState.DEPROVISIONED, deleted.state());
    assertEquals(a.id(), deleted.id());
    assertTrue(api.find(APP, a.id()).isEmpty(), "a deleted add-on is not found");
    assertThrows(ConnectionFinder.NotFound.class, this::discover, "its connection is gone");
    assertThrows(IllegalArgumentException.class, () -> fake.connectionState(a.id()));
    assertEquals(List.of(), fake.mappings(a.id()), "and its mappings");
    PlatformApiException again = assertThrows(PlatformApiException.class, () -> api.delete(APP, a.id()));
    assertEquals(404, again.status());
  }

  // ---- errors ---------------------------------------------------------------------------

  @Test
  void anUnknownAppIs404AndFindDoesNotMistakeItForAMissingAddOn() {
    PlatformApiException e = assertThrows(PlatformApiException.class, () -> api.create("no-such-app", "herokuconnect:demo", null));
    assertEquals(404, e.status());
    assertEquals("not_found", e.errorId());
    assertEquals("Couldn't find that app.", e.apiMessage());
    assertEquals("app", e.resource());
    assertEquals("POST /apps/{app}/addons: 404 not_found: Couldn't find that app.", e.getMessage());
    assertFalse(e.isTransient());
    assertEquals(404, assertThrows(PlatformApiException.class, () -> api.find("no-such-app", "hc")).status());
    assertTrue(api.find(APP, "hc-nothing").isEmpty(), "an app without that add-on: empty");
  }

  @Test
  void anUnknownPlanOrATakenNameIs422() {
    PlatformApiException plan = assertThrows(PlatformApiException.class, () -> api.create(APP, "herokuconnect:platinum", null));
    assertEquals(422, plan.status());
    assertEquals("invalid_params", plan.errorId());
    assertEquals("Couldn't find either the add-on service or the add-on plan of \"herokuconnect:platinum\".", plan.apiMessage());
    fake.addConnection("someone-elses-app", "hc-taken");
    PlatformApiException name = assertThrows(PlatformApiException.class, () -> api.create(APP, "herokuconnect:demo", "hc-taken"));
    assertEquals(422, name.status());
    assertEquals("invalid_params", name.errorId());
    assertTrue(name.apiMessage().contains("taken"), name.apiMessage());
    assertEquals(List.of(), api.list(APP), "nothing was created");
  }

  @Test
  void aTokenWithoutPermissionIs403AndAnUnknownTokenIs401() {
    platform.forbid(TOKEN);
    PlatformApiException e = assertThrows(PlatformApiException.class, () -> api.create(APP, "herokuconnect:demo", null));
    assertEquals(403, e.status());
    assertEquals("forbidden", e.errorId());
    assertEquals(List.of(), api.list(APP), "reading stays allowed");
    PlatformApiException unknown = assertThrows(PlatformApiException.class, () -> api("hrku-revoked", fake.baseUrl(),
        HostAllowlist.parse(fake.host())).list(APP));
    assertEquals(401, unknown.status());
    assertEquals("unauthorized", unknown.errorId());
  }

  @Test
  void noAnswerIsATransientPlatformApiException() {
    fake.close();
    PlatformApiException e = assertThrows(PlatformApiException.class, () -> api.list(APP));
    assertEquals(0, e.status());
    assertNull(e.errorId());
    assertTrue(e.isTransient());
  }

  // ---- budget -------------------------------------------------------------------------

  @Test
  void everyAnswerCarriesRateLimitRemainingAndTheBudgetShowsIt() {
    assertEquals(new PlatformBudgetUsage(null, null, null), api.usage());
    api.list(APP);
    assertEquals(new PlatformBudgetUsage(FakePlatformApi.HOURLY_LIMIT - 1, clock.instant(), null), api.usage());
    assertThrows(PlatformApiException.class, () -> api.create(APP, "herokuconnect:nope", null));
    assertEquals(FakePlatformApi.HOURLY_LIMIT - 2, api.usage().remaining(), "an error answer carries it too");
    assertEquals(List.of("account " + api.account(), "GET /apps/{app}/addons 200", "POST /apps/{app}/addons 422"), metrics);
    assertEquals(new ApiToken(TOKEN).fingerprint(), api.account());
    assertFalse(api.account().contains(TOKEN));
  }

  @Test
  void theBudgetStopsAtTheReserveWithoutSendingUntilThePoolRefills() {
    platform.setRemaining(USER, PlatformBudget.RESERVE + 2);
    api.list(APP);
    api.list(APP); // the answer says RESERVE left
    assertEquals(PlatformBudget.RESERVE, api.usage().remaining());
    int sent = platformRequests().size();
    PlatformThrottled t = assertThrows(PlatformThrottled.class, () -> api.create(APP, "herokuconnect:demo", null));
    assertEquals(clock.instant().plusSeconds(40), t.until(), "until 50 more tokens came back at 4,500/h");
    assertEquals(t.until(), api.usage().throttledUntil());
    assertEquals(sent, platformRequests().size(), "nothing was sent");
    assertEquals(PlatformBudget.RESERVE, platform.remaining(USER), "the reserve is left to the account's people");
    clock.advance(Duration.ofSeconds(39));
    assertThrows(PlatformThrottled.class, () -> api.list(APP));
    clock.advance(Duration.ofSeconds(1));
    api.list(APP);
    assertEquals(sent + 1, platformRequests().size());
  }

  @Test
  void a429StopsTheAccountUntilThePoolRefillsAndThenSendsAgain() {
    platform.setRemaining(USER, 0);
    PlatformApiException e = assertThrows(PlatformApiException.class, () -> api.list(APP));
    assertEquals(429, e.status());
    assertEquals("rate_limit", e.errorId());
    assertEquals("GET /apps/{app}/addons: 429 rate_limit: Your account reached the API rate limit Please wait a few minutes before "
        + "making new requests", e.getMessage(), "one line");
    assertTrue(e.isTransient());
    assertEquals(0, api.usage().remaining());
    Instant until = clock.instant().plusSeconds(80);
    assertEquals(until, api.usage().throttledUntil(), "no Retry-After: until 100 tokens are back");
    assertTrue(metrics.contains("throttled " + api.account()), metrics.toString());
    assertEquals(until, assertThrows(PlatformThrottled.class, () -> api.list(APP)).until());
    assertEquals(1, platformRequests().size(), "only the 429 went out");
    clock.set(until);
    assertEquals(List.of(), api.list(APP));
  }

  @Test
  void a429sRetryAfterWinsWhenLonger() {
    platform.setHourlyLimit(36); // one request back every 100 s
    platform.setSendRetryAfter(true);
    platform.setRemaining(USER, 0);
    assertThrows(PlatformApiException.class, () -> api.list(APP));
    assertEquals(clock.instant().plusSeconds(100), api.usage().throttledUntil(), "Retry-After 100 s > 80 s of refill");
  }

  @Test
  void theBudgetIsPerAccount() {
    fake.addToken("hrku-other-token", "other@example.com");
    platform.setRemaining(USER, 0);
    assertThrows(PlatformApiException.class, () -> api.list(APP));
    PlatformApi other = api("hrku-other-token", fake.baseUrl(), HostAllowlist.parse(fake.host()));
    assertEquals(List.of(), other.list(APP), "another token's account is not held back");
    assertEquals(2, budget.accounts().size());
  }

  // ---- secrets and hosts ------------------------------------------------------------------

  @Test
  void theTokenIsInNoExceptionNoLogNoRequestLogAndNoBudgetKey() {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Level level = root.getLevel();
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      secretsStayOut(logs);
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
    }
  }

  private void secretsStayOut(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs) {
    List<String> errors = new ArrayList<>();
    platform.setRemaining(USER, 0);
    errors.add(assertThrows(PlatformApiException.class, () -> api.list(APP)).getMessage());
    errors.add(assertThrows(PlatformThrottled.class, () -> api.list(APP)).getMessage());
    clock.advance(Duration.ofHours(1));
    errors.add(assertThrows(PlatformApiException.class, () -> api.create("no-such-app", "herokuconnect:demo", null)).getMessage());
    errors.add(assertThrows(PlatformApiException.class, () -> api.create(APP, "bogus", null)).getMessage());
    platform.forbid(TOKEN);
    errors.add(assertThrows(PlatformApiException.class, () -> api.create(APP, "herokuconnect:demo", null)).getMessage());
    errors.add(assertThrows(RefusedUrl.class, () -> api(TOKEN, "https://evil.example.com", HostAllowlist.HEROKU)).getMessage());
    List<String> texts = new ArrayList<>(errors);
    fake.requests().forEach(r -> texts.add(r + " " + r.body() + " " + r.query()));
    texts.addAll(budget.accounts());
    texts.addAll(metrics);
    fake.close();
    texts.add(assertThrows(PlatformApiException.class, () -> api.list(APP)).getMessage());
    logs.list.forEach(e -> texts.add(e.getFormattedMessage()
        + (e.getThrowableProxy() == null ? "" : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()))));
    assertEquals(6, errors.size());
    assertEquals(List.of(), texts.stream().filter(t -> t.contains(TOKEN) || t.contains("7f3a9c")).toList(), texts.toString());
  }

  @Test
  void aBaseUrlOffTheAllowlistIsRefusedBeforeAnyRequest() {
    RefusedUrl e = assertThrows(RefusedUrl.class, () -> api(TOKEN, "https://api.heroku.com.evil.io", HostAllowlist.HEROKU));
    assertEquals("HEROKU_PLATFORM_API_URL: host api.heroku.com.evil.io is not in HEROKU_CONNECT_API_HOSTS (*.heroku.com); the token "
        + "is sent only to allowed hosts: fix HEROKU_PLATFORM_API_URL or add the host to HEROKU_CONNECT_API_HOSTS", e.getMessage());
    assertThrows(RefusedUrl.class, () -> api(TOKEN, fake.baseUrl(), HostAllowlist.parse("api.heroku.com")));
    assertEquals(List.of(), fake.requests(), "nothing was sent");
    // the default list lets the default URL through (no request: the client is only built)
    assertEquals(new ApiToken(TOKEN).fingerprint(),
        new PlatformApis(PlatformApi.DEFAULT_URL, HostAllowlist.HEROKU, budget, clock).forToken(new ApiToken(TOKEN)).account());
    assertThrows(RefusedUrl.class, () -> new PlatformApis(PlatformApi.DEFAULT_URL, HostAllowlist.parse(fake.host()), budget, clock)
        .forToken(new ApiToken(TOKEN)), "a narrowed list refuses the default when an add-on is asked for");
  }
}
