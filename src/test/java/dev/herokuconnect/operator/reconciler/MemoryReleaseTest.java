package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Nothing is kept for what is gone: after 100 HerokuConnections (each with a mapping) are created,
 * reconciled and deleted, every per-object map of the process is empty again. Only the budget
 * accounts whose 24-hour window holds spend stay, so a connection deleted and re-created the same
 * day still respects what was spent.
 */
class MemoryReleaseTest extends OperatorTestBase {
  static final int CONNECTIONS = 100;
  static final String BUDGET_ACCOUNTS = "budget accounts";
  /**
   * Directory's marks of objects whose cleanup finished: pruned at the next cleanup (those the informer
   * caches no longer hold), so the last few stay until then. Checked on their own below.
   */
  static final String FINISHED = "finished objects (directory)";

  static String connectionNamed(int i) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuConnection
        metadata: {name: conn-%d, namespace: crm}
        spec:
          appName: app-%d
          credentials: {secretRef: {name: heroku-api}}
          database: {configVar: DATABASE_URL, schema: salesforce}
        """.formatted(i, i);
  }

  static String mappingOn(int i) {
    return """
        apiVersion: herokuconnect.dev/v1alpha1
        kind: HerokuMapping
        metadata: {name: map-%d, namespace: crm}
        spec:
          connectionRef: {name: conn-%d}
          objectName: Account
          fields: [Id, Name, SystemModstamp]
          indexes: [{field: Id, unique: true}]
        """.formatted(i, i);
  }

  List<HerokuMapping> mappings() {
    return sb.client().resources(HerokuMapping.class).inNamespace(NS).list().getItems();
  }

  List<HerokuConnection> connections() {
    return sb.client().resources(HerokuConnection.class).inNamespace(NS).list().getItems();
  }

  static int total(Map<String, Integer> held) {
    return held.values().stream().mapToInt(Integer::intValue).sum();
  }

  @Test
  void deletingConnectionsAndMappingsReleasesEverythingButTheBudgetOfTheDay() {
    List<String> ids = new ArrayList<>();
    StringBuilder yaml = new StringBuilder(secret(TOKEN));
    for (int i = 0; i < CONNECTIONS; i++) {
      if (i % 10 == 0) { // a new add-on nobody authorizes: the operator sets it up and keeps the authorization URL it asked for
        String id = fake.addConnection("app-" + i, "herokuconnect-" + i);
        fake.linkUser(id, "ops@example.com");
        ids.add(id);
      } else {
        ids.add(fake.addReadyConnection("app-" + i, "herokuconnect-" + i, "ops@example.com", "DATABASE_URL", "salesforce"));
      }
      yaml.append("---\n").append(connectionNamed(i)).append("---\n").append(mappingOn(i));
    }
    long start = System.nanoTime();
    apply(yaml.toString());
    Duration long_ = Duration.ofMinutes(3);
    int ready = CONNECTIONS - CONNECTIONS / 10;
    assertTrue(Sandbox.await(long_, () -> mappings().stream().filter(m -> Conditions.isTrue(m.getStatus(), Conditions.READY)).count()
        == ready), ready + " mappings Ready");
    assertTrue(Sandbox.await(long_, () -> connections().stream().filter(c -> c.getStatus() != null
        && c.getStatus().getAuthorizationUrl() != null).count() == CONNECTIONS / 10), "the new add-ons ask for authorization");
    // Write errors on every tenth mapping: each is read once into status (a per-mapping memo of when); a refresh shows them now.
    for (int i = 5; i < CONNECTIONS; i += 10) {
      fake.addWriteError(map("map-" + i).getStatus().getMappingId(), "FIELD_CUSTOM_VALIDATION_EXCEPTION");
      annotateMapping("map-" + i, dev.herokuconnect.operator.crd.Crds.RECONCILE_REQUESTED_AT, "t" + System.nanoTime());
    }
    assertTrue(Sandbox.await(long_, () -> mappings().stream().filter(m -> m.getStatus() != null && m.getStatus().getRecentErrors() != null
        && !m.getStatus().getRecentErrors().isEmpty()).count() == CONNECTIONS / 10), "write errors read");
    System.out.printf("%d connections and mappings reconciled in %d ms%n", CONNECTIONS, (System.nanoTime() - start) / 1_000_000);
    Controllers controllers = sb.operator().controllers();
    Map<String, Integer> whileThere = controllers.held();

    start = System.nanoTime();
    sb.client().resources(HerokuMapping.class).inNamespace(NS).delete();
    sb.client().resources(HerokuConnection.class).inNamespace(NS).delete();
    assertTrue(Sandbox.await(long_, () -> mappings().isEmpty() && connections().isEmpty()), "all deleted: "
        + mappings().size() + " mappings and " + connections().size() + " connections left");
    System.out.printf("%d connections and mappings deleted in %d ms%n", CONNECTIONS, (System.nanoTime() - start) / 1_000_000);
    assertEquals(ready, fake.requests().stream().filter(r -> r.method().equals("DELETE") && r.path().contains("/mappings/")).count(),
        "each remote mapping deleted once");

    // A cleanup finishes before its object disappears from the API, so the maps are empty by now;
    // the deadline only absorbs an informer that has not yet seen the last deletion.
    ApiBudget budget = sb.operator().budget();
    Sandbox.await(Duration.ofSeconds(10), () -> total(withoutBudget(controllers.held())) - controllers.held().get(FINISHED) == 0);
    Map<String, Integer> after = controllers.held();
    System.out.printf("entries held after deleting %d connections: %d (while they existed: %d); by map after: %s%n",
        CONNECTIONS, total(after), total(whileThere), after);

    Map<String, Integer> others = withoutBudget(after);
    int finished = others.remove(FINISHED);
    others.forEach((map, n) -> assertEquals(0, n, map + " still holds " + n + " entries after every object was deleted: " + after));
    // Kept: every account whose window holds spend, and only those.
    for (String key : budget.accountKeys()) {
      assertTrue(budget.usage(key).used() > 0, "account " + key + " has no spend in its window, yet is kept");
    }
    for (String id : ids) {
      assertTrue(budget.knows(id) && budget.usage(id).used() > 0, "the day's spend of deleted connection " + id + " is kept");
    }
    // The finished-object marks left by the last cleanups go at the next one: one more connection, created and deleted.
    apply(connectionNamed(CONNECTIONS));
    assertTrue(Sandbox.await(long_, () -> connections().size() == 1 && connections().get(0).getStatus() != null), "one more connection");
    sb.client().resources(HerokuConnection.class).inNamespace(NS).delete();
    assertTrue(Sandbox.await(long_, () -> connections().isEmpty()), "deleted");
    int finishedAfterNext = controllers.held().get(FINISHED);
    System.out.printf("finished-object marks: %d after the 100, %d after one more cleanup%n", finished, finishedAfterNext);
    assertTrue(finishedAfterNext <= 1, "the marks of the 100 were pruned at the next cleanup, only its own may stay: " + finishedAfterNext);
  }

  static Map<String, Integer> withoutBudget(Map<String, Integer> held) {
    Map<String, Integer> out = new TreeMap<>(held);
    out.remove(BUDGET_ACCOUNTS);
    return out;
  }
}
