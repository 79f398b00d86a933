package dev.herokuconnect.operator.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herokuconnect.operator.crd.FieldRules;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Where the fake mirrors an API rule that the CRD states too, it refuses exactly what the CRD
 * model's rule refuses (read from {@link FieldRules}, so the bound is not written twice); where
 * the CRD is stricter than the reference says the API is, the fake stays looser on purpose
 * (FakeStore says why, citing shared/reference).
 */
class FakeBoundsTest {
  final FakeStore store = new FakeStore(Clock.systemUTC(), "http://127.0.0.1:1");
  final FakeStore.Conn conn = store.new Conn("c-1", "crm", "11111111-1111-4111-8111-111111111111", "hc-1", "virginia");

  Map<String, List<String>> mappingErrors(long pollingSeconds) {
    ObjectNode config = Json.object().put("access", "read_only").put("sf_polling_seconds", pollingSeconds);
    config.putObject("fields").putObject("Id");
    config.with("fields").putObject("SystemModstamp");
    return store.validate(conn, "Account", config, null);
  }

  boolean schemaRefused(String schema) {
    try {
      store.configure(conn, Json.object().put("db_key", "DATABASE_URL").put("schema_name", schema));
      return false;
    } catch (FakeError e) {
      assertEquals(400, e.status);
      return e.body.path("errors").has("schema_name");
    }
  }

  @Test
  void pollingSecondsAreRefusedJustOutsideTheCrdRange() {
    FieldRules.Rule r = FieldRules.get(HerokuMapping.class, "spec.sfPollingSeconds");
    long min = (long) r.min().value();
    long max = (long) r.max().value();
    assertEquals(Map.of(), mappingErrors(min), "on the lower bound");
    assertEquals(Map.of(), mappingErrors(max), "on the upper bound");
    for (long outside : new long[] {min - 1, max + 1}) {
      assertEquals(List.of("Must be between " + r.min().text() + " and " + r.max().text() + " seconds."),
          mappingErrors(outside).get("config.sf_polling_seconds"), outside + " must be refused as the API does");
    }
  }

  @Test
  void schemaNamesFollowTheCrdPattern() {
    Pattern crd = Pattern.compile(FieldRules.get(HerokuConnection.class, "spec.database.schema").pattern());
    // Samples on both sides of the pattern: the longest identifier Postgres takes unquoted and one more.
    List<String> samples = List.of("salesforce", "_sf2", "s".repeat(63), "s".repeat(64), "sales-force", "Salesforce", "2sf");
    int refused = 0;
    for (String s : samples) {
      boolean crdRefuses = !crd.matcher(s).find();
      assertEquals(crdRefuses, schemaRefused(s), s + ": the fake and the CRD disagree");
      if (crdRefuses) refused++;
    }
    assertTrue(refused > 0 && refused < samples.size(), "the samples must fall on both sides of the rule");
  }

  /** The deliberate difference: the CRD caps lengths the reference gives no limit for (FakeStore says so). */
  @Test
  void theFakeIsLooserWhereTheReferenceStatesNoLimit() {
    String longVar = "A".repeat(longestInPattern(HerokuConnection.class, "spec.database.configVar") + 1);
    assertFalse(Pattern.compile(FieldRules.get(HerokuConnection.class, "spec.database.configVar").pattern()).matcher(longVar).find(),
        "the CRD refuses a config var this long");
    store.configure(conn, Json.object().put("db_key", longVar).put("schema_name", "salesforce"));
    assertEquals(longVar, conn.dbKey, "the fake (like the API, as far as the reference says) takes it");

    long fieldMax = FieldRules.get(HerokuMapping.class, "spec.fields[]").maxSize();
    String longField = "F" + "x".repeat((int) fieldMax);
    ObjectNode config = Json.object().put("access", "read_only");
    config.putObject("fields").putObject("Id");
    config.with("fields").putObject("SystemModstamp");
    config.with("fields").putObject(longField);
    assertEquals(Map.of(), store.validate(conn, "Account", config, null), "a field name longer than the CRD's " + fieldMax);
  }

  /** The longest value a pattern of the form ...{0,N}$ takes: N + 1 (the pattern is the only length bound there). */
  static int longestInPattern(Class<?> kind, String path) {
    var m = Pattern.compile("\\{0,(\\d+)}\\$$").matcher(FieldRules.get(kind, path).pattern());
    assertTrue(m.find(), path + ": expected a length in the pattern");
    return Integer.parseInt(m.group(1)) + 1;
  }
}
