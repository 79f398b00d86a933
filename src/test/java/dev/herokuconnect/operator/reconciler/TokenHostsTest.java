package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import dev.herokuconnect.operator.testing.CountingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 §2, the token goes only to Heroku: the sandbox allows the fake's host (127.0.0.1)
 * only, and a second server on the same loopback address, reached as "localhost", stands for a
 * namespace user's own server. Whatever names it (the spec, or the API's own answers), it must
 * see not a single request, and the object says why and who can fix it.
 */
class TokenHostsTest extends OperatorTestBase {
  CountingServer elsewhere;

  @BeforeEach
  void startElsewhere() throws Exception {
    elsewhere = new CountingServer().answering("{\"results\": [], \"next\": null}");
  }

  @AfterEach
  void stopElsewhere() {
    elsewhere.close();
  }

  @Test
  void anApiUrlOutsideTheListIsStalledAndReceivesNothing() {
    apply(secret(TOKEN) + "---\n" + connection("apiUrl: " + elsewhere.url("localhost") + "/api/v3"));
    HerokuConnection c = awaitRefusedOrSent();
    assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    String msg = stalledInvalidSpec(c);
    assertTrue(msg.startsWith("spec.apiUrl: host localhost is not in HEROKU_CONNECT_API_HOSTS (" + fake.host() + ")"), msg);
    assertTrue(msg.contains("fix spec.apiUrl or ask the operator's admin to add the host"), msg);
    reconcileConnectionNow(); // looking again sends nothing either
    assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    assertTrue(fake.requests().isEmpty(), "a pinned apiUrl needs no discovery: " + fake.requests());
    assertTrue(hasEvent("sales", Reasons.INVALID_SPEC));
    assertFalse(describe(conn()).contains(TOKEN));
  }

  @Test
  void aPinnedConnectionIdDoesNotSkipTheCheck() {
    apply(secret(TOKEN) + "---\n" + connection("connectionId: " + connectionId + "\napiUrl: " + elsewhere.url("localhost") + "/api/v3"));
    HerokuConnection c = awaitRefusedOrSent();
    assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    assertTrue(stalledInvalidSpec(c).startsWith("spec.apiUrl: host localhost is not in HEROKU_CONNECT_API_HOSTS"), stalledInvalidSpec(c));
  }

  @Test
  void aRegionUrlFromDiscoveryOutsideTheListIsRefusedLikewise() {
    fake.setRegionUrl(connectionId, elsewhere.url("localhost"));
    applySecretAndConnection();
    HerokuConnection c = awaitRefusedOrSent();
    assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    String msg = stalledInvalidSpec(c);
    assertTrue(msg.startsWith("region_url of add-on herokuconnect-shiny-1 (from discovery): host localhost is not in "
        + "HEROKU_CONNECT_API_HOSTS (" + fake.host() + ")"), msg);
    assertTrue(msg.contains("ask the operator's admin to add the host"), msg);
    assertTrue(fake.requests().stream().allMatch(r -> r.path().startsWith("/auth/") || r.path().startsWith("/connections")),
        "only discovery reached the fake: " + fake.requests());
  }

  /** Stalled for any reason, or the other server was reached: whichever comes first decides the test. */
  HerokuConnection awaitRefusedOrSent() {
    assertTrue(Sandbox.await(WAIT, () -> elsewhere.requests() > 0 || Conditions.isTrue(statusOf(conn()), Conditions.STALLED)),
        "neither refused nor sent: " + describe(conn()));
    return conn();
  }

  static dev.herokuconnect.operator.crd.HerokuConnectionStatus statusOf(HerokuConnection c) {
    return c == null ? null : c.getStatus();
  }

  static String stalledInvalidSpec(HerokuConnection c) {
    assertTrue(connectionReason(Conditions.STALLED, Reasons.INVALID_SPEC).test(c), "Stalled/InvalidSpec: " + c.getStatus());
    return Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
  }
}
