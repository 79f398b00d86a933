package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.testing.CountingServer;
import dev.herokuconnect.operator.testing.Manifests;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 §2, the token goes only to Heroku, a layer down ({@link LoopWorld}): the world allows
 * the fake's host (127.0.0.1) only, and a second server on the same loopback address, reached as
 * "localhost", stands for a namespace user's own server. Whatever names it (the spec, or the API's
 * own answers), it must see not a single request, and the object says why and who can fix it.
 * Moved from the sandbox's TokenHostsTest.
 */
class TokenHostsLoopTest extends LoopWorldCase {
  CountingServer elsewhere;

  @BeforeEach
  void startElsewhere() throws Exception {
    elsewhere = new CountingServer().answering("{\"results\": [], \"next\": null}");
    w.cluster.remove("HerokuConnection/crm/sales"); // each case applies its own, never resolved
  }

  @AfterEach
  void stopElsewhere() {
    elsewhere.close();
  }

  @Test
  void anApiUrlOutsideTheListIsStalledAndReceivesNothing() {
    w.applyConnection(Manifests.connection("apiUrl: " + elsewhere.url("localhost") + "/api/v3"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    String msg = stalledInvalidSpec(c);
    assertTrue(msg.startsWith("spec.apiUrl: host localhost is not in HEROKU_CONNECT_API_HOSTS (" + w.fake.host() + ")"), msg);
    assertTrue(msg.contains("fix spec.apiUrl or ask the operator's admin to add the host"), msg);
    w.refreshConnection("sales"); // looking again sends nothing either
    assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    assertTrue(w.fake.requests().isEmpty(), "a pinned apiUrl needs no discovery: " + w.fake.requests());
    assertTrue(w.hasEvent("sales", Reasons.INVALID_SPEC));
    assertFalse(Serialization.asYaml(w.connection("sales")).contains(LoopWorld.TOKEN));
  }

  @Test
  void aPinnedConnectionIdDoesNotSkipTheCheck() {
    w.applyConnection(Manifests.connection("connectionId: " + w.connectionId + "\napiUrl: " + elsewhere.url("localhost") + "/api/v3"));
    HerokuConnection c = w.reconcileConnection("sales");
    assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    assertTrue(stalledInvalidSpec(c).startsWith("spec.apiUrl: host localhost is not in HEROKU_CONNECT_API_HOSTS"), stalledInvalidSpec(c));
  }

  @Test
  void aRegionUrlFromDiscoveryOutsideTheListIsRefusedLikewise() {
    w.fake.setRegionUrl(w.connectionId, elsewhere.url("localhost"));
    w.applyConnection(Manifests.connection(""));
    HerokuConnection c = w.reconcileConnection("sales");
    assertEquals(0, elsewhere.requests(), "requests to a disallowed host: " + elsewhere.requests());
    String msg = stalledInvalidSpec(c);
    assertTrue(msg.startsWith("region_url of add-on herokuconnect-shiny-1 (from discovery): host localhost is not in "
        + "HEROKU_CONNECT_API_HOSTS (" + w.fake.host() + ")"), msg);
    assertTrue(msg.contains("ask the operator's admin to add the host"), msg);
    assertTrue(w.fake.requests().stream().allMatch(r -> r.path().startsWith("/auth/") || r.path().startsWith("/connections")),
        "only discovery reached the fake: " + w.fake.requests());
  }

  static String stalledInvalidSpec(HerokuConnection c) {
    assertTrue(Conditions.isTrueWith(c.getStatus(), Conditions.STALLED, Reasons.INVALID_SPEC), "Stalled/InvalidSpec: " + c.getStatus());
    return Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
  }
}
