package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 in the sandbox: hand-over within seconds, which needs the SDK: a finished cleanup wakes
 * the next claimant (mapping or connection) instead of leaving it to its backoff. What an object is
 * bound to, refused edits and conditions along the chain run a layer down ({@link TrustLoopTest},
 * {@link MappingLoopTest}). Each test prints its figure.
 */
class TrustTest extends OperatorTestBase {

  @Test
  void whenTheOwnerGoesTheNextClaimantTakesOverWithinSeconds() {
    readyConnection();
    apply(mapping("account", "Account", ""));
    String id = awaitMappingReady("account").getStatus().getMappingId();
    apply(mapping("account-2", "Account", ""));
    awaitMapping("account-2", mappingReason(Conditions.STALLED, Reasons.CONFLICT), "in conflict");
    letItRun(Duration.ofSeconds(8)); // the claimant backs off meanwhile (0.5, 1, 2, 4 s...)
    long start = System.nanoTime();
    sb.client().resources(HerokuMapping.class).inNamespace(NS).withName("account").delete();
    HerokuMapping next = awaitMappingReady("account-2");
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("hand-over: the next claimant was Ready %.2f s after the owner's delete%n", seconds);
    assertEquals(id, next.getStatus().getMappingId());
    assertTrue(seconds < 3, "within seconds, not after its backoff: " + seconds);
  }

  @Test
  void whenTheOwnerConnectionGoesTheOtherOnTheSameAddonTakesOverWithinSeconds() {
    readyConnection();
    sb.ensureNamespace("other");
    apply(secret(TOKEN).replace("namespace: crm", "namespace: other") + "---\n"
        + connection("").replace("namespace: crm", "namespace: other"));
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("other").withName("sales").get();
      return c != null && connectionReason(Conditions.STALLED, Reasons.CONFLICT).test(c);
    }), "the newer connection is in conflict");
    letItRun(Duration.ofSeconds(8)); // it backs off meanwhile (0.5, 1, 2, 4 s...)
    long start = System.nanoTime();
    sb.client().resources(HerokuConnection.class).inNamespace(NS).withName("sales").delete();
    assertTrue(Sandbox.await(WAIT, () -> {
      HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("other").withName("sales").get();
      return c != null && Conditions.isTrue(c.getStatus(), Conditions.READY);
    }), "the other connection takes over");
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("add-on hand-over: the other HerokuConnection was Ready %.2f s after the owner's delete%n", seconds);
    assertTrue(seconds < 3, "within seconds, not after its backoff: " + seconds);
  }
}
