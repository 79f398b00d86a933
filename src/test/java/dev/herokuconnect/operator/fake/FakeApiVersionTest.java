package dev.herokuconnect.operator.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 on the fake, over raw HTTP: a connection's Salesforce API version, the schema-diff
 * preview and the change action, each refusal with its status and body (shapes from the Heroku CLI
 * plugin's manage-sf-api-version command and its tests; see FakeStore).
 */
class FakeApiVersionTest extends FakeApiCase {

  String path(String rest) { return "/api/v3/connections/" + conn + rest; }

  String mapping(String object, String... fields) {
    ObjectNode config = Json.object().put("access", "read_only");
    ObjectNode f = config.putObject("fields");
    for (String name : List.of("Id", "SystemModstamp")) f.putObject(name);
    for (String name : fields) f.putObject(name);
    return fake.dashboardCreate(conn, object, config);
  }

  /** Account maps Name and Old__c, Contact maps Email: Old__c goes at 60.0, Name grows at 55.0, Contact is unclear at 58.0. */
  void declareChanges() {
    fake.declareFieldChange("Account", "Old__c", "60.0", FakeConnectApi.FieldChange.removed());
    fake.declareFieldChange("account", "name", "55.0", FakeConnectApi.FieldChange.lengthIncreased());
    fake.declareFieldChange("Account", "NotMapped__c", "56.0", FakeConnectApi.FieldChange.removed());
    fake.declareUndetermined("Contact", "58.0");
  }

  Reply change(String target) throws IOException {
    return call("POST", path("/actions/change-sf-api-version"), "{\"target_version\":\"" + target + "\"}");
  }

  @Test
  void theConnectionCarriesItsVersionAndAuthorizationSetsIt() throws IOException {
    setUp();
    assertEquals("62.0", call("GET", path(""), null).body().path("api_version").asText(), "the latest by default");
    assertEquals("62.0", call("GET", "/api/v3/connections", null).body().path("results").get(0).path("api_version").asText());

    String url = call("POST", path("/authorize_url"), "{\"environment\":\"production\",\"api_version\":\"52.0\"}")
        .body().path("redirect").asText();
    assertEquals("62.0", fake.apiVersion(conn), "asking for the URL changes nothing");
    assertEquals(200, call("GET", url.substring(fake.baseUrl().length()), null, null, null).status());
    assertEquals("52.0", call("GET", path("?deep=true"), null).body().path("api_version").asText(), "the person authorized with 52.0");

    call("POST", path("/authorize_url"), "{\"environment\":\"production\"}");
    fake.completeAuthorization(conn);
    assertEquals("62.0", fake.apiVersion(conn), "authorize_url without api_version: the latest supported (the reference)");

    for (String bad : List.of("52", "v52.0", "31.0", "63.0", "52.5")) {
      Reply refused = call("POST", path("/authorize_url"), "{\"environment\":\"production\",\"api_version\":\"" + bad + "\"}");
      assertEquals(400, refused.status(), bad);
      assertTrue(refused.body().path("errors").path("api_version").get(0).asText().contains(bad), refused.body().toString());
    }
    fake.setLatestApiVersion("64.0");
    assertEquals(200, call("POST", path("/authorize_url"), "{\"environment\":\"production\",\"api_version\":\"63.0\"}").status());
  }

  @Test
  void schemaDiffShowsEachMappingsChangesBetweenTheVersions() throws IOException {
    setUp();
    fake.setApiVersion(conn, "52.0");
    mapping("Account", "Name", "Old__c");
    mapping("Contact", "Email");
    mapping("Lead");
    declareChanges();
    fake.declareFieldChange("Lead", "Company", "57.0", FakeConnectApi.FieldChange.removed()); // not mapped on Lead

    Reply diff = call("GET", path("/schema-diff?target_version=62.0"), null);
    assertEquals(200, diff.status());
    assertEquals("52.0", diff.body().path("current_api_version").asText());
    assertEquals("62.0", diff.body().path("target_api_version").asText());
    assertTrue(diff.body().path("target_version").isMissingNode(), "only the change echoes target_version");
    List<String> rows = new ArrayList<>();
    for (JsonNode row : diff.body().path("mappings")) {
      rows.add(row.path("name").asText() + " changed=" + row.path("fields_have_changed").asBoolean() + " unsafe="
          + row.path("has_unsafe_changes").asBoolean() + " undetermined=" + row.path("action_undetermined").asBoolean()
          + " | " + row.path("result_message").asText());
    }
    assertEquals(List.of(
        "Account changed=true unsafe=true undetermined=false | Length increased in Salesforce for field: name. \n"
            + "Fields removed from Salesforce: Old__c. ",
        "Contact changed=false unsafe=false undetermined=true | Unable to determine if an action is required.",
        "Lead changed=false unsafe=false undetermined=false | no changes"), rows);

    JsonNode before = call("GET", path("/schema-diff?target_version=57.0"), null).body();
    assertEquals("Length increased in Salesforce for field: name. ", before.path("mappings").get(0).path("result_message").asText());
    assertFalse(before.path("mappings").get(0).path("has_unsafe_changes").asBoolean(), "Old__c still exists at 57.0");
    assertEquals("52.0", fake.apiVersion(conn), "a preview changes nothing");
  }

  @Test
  void schemaDiffRefusesWhatIsNotASupportedVersionAbove() throws IOException {
    setUp();
    fake.setApiVersion(conn, "55.0");
    Reply missing = call("GET", path("/schema-diff"), null);
    assertEquals(400, missing.status());
    assertEquals("This field is required.", missing.body().path("errors").path("target_version").get(0).asText());
    for (String bad : List.of("62", "sixty", "31.0", "63.0", "54.0")) {
      Reply refused = call("GET", path("/schema-diff?target_version=" + bad), null);
      assertEquals(400, refused.status(), bad);
      assertTrue(refused.body().path("message").asText().contains(bad), refused.body().toString());
    }
    assertEquals(200, call("GET", path("/schema-diff?target_version=55.0"), null).status(), "the same version: nothing changes");
    assertEquals(404, call("GET", "/api/v3/connections/00000000-0000-4000-8000-000000000999/schema-diff?target_version=62.0", null).status());
  }

  @Test
  void theChangeNeedsAPausedConnectionAndNoUnsafeChange() throws IOException {
    setUp();
    fake.setApiVersion(conn, "52.0");
    mapping("Account", "Name", "Old__c");
    mapping("Contact", "Email");
    declareChanges();

    Reply idle = change("58.0");
    assertEquals(400, idle.status());
    assertEquals("The connection must be paused to change its Salesforce API version (now IDLE).", idle.body().path("message").asText());
    assertEquals(202, call("POST", path("/actions/pause"), null).status());

    Reply unsafe = change("62.0");
    assertEquals(409, unsafe.status());
    assertEquals("Some mappings have unsafe changes. Edit them and retry.", unsafe.body().path("message").asText());
    assertEquals("Account", unsafe.body().path("mappings").get(0).path("name").asText());
    assertTrue(unsafe.body().path("mappings").get(0).path("has_unsafe_changes").asBoolean());
    assertEquals("52.0", fake.apiVersion(conn), "refused: nothing changed");

    Reply missing = call("POST", path("/actions/change-sf-api-version"), "{}");
    assertEquals(400, missing.status());
    assertEquals("This field is required.", missing.body().path("errors").path("target_version").get(0).asText());
    for (String bad : List.of("58", "31.0", "63.0", "50.0")) assertEquals(400, change(bad).status(), bad);

    Reply changed = change("58.0");
    assertEquals(202, changed.status(), changed.body().toString());
    assertEquals("58.0", changed.body().path("target_version").asText());
    assertEquals("52.0", changed.body().path("current_api_version").asText(), "the diff as it was before the change");
    assertEquals("Account", changed.body().path("mappings").get(0).path("name").asText());
    assertEquals("58.0", call("GET", path(""), null).body().path("api_version").asText());
    assertEquals("PAUSED", fake.connectionState(conn), "the change leaves the connection paused");

    Reply down = change("55.0");
    assertEquals(400, down.status());
    assertEquals("The connection uses Salesforce API version 58.0; it cannot go back to an older version (55.0).",
        down.body().path("message").asText());
    assertEquals(202, change("58.0").status(), "the same version again: nothing to refuse");
  }

  @Test
  void anUnsafeChangeOfAnotherKindRefusesTooWithItsLine() throws IOException {
    setUp();
    fake.setApiVersion(conn, "52.0");
    mapping("Account", "Rating");
    fake.declareFieldChange("Account", "Rating", "60.0", FakeConnectApi.FieldChange.unsafe("Type changed in Salesforce for field: Rating. "));
    call("POST", path("/actions/pause"), null);
    Reply unsafe = change("60.0");
    assertEquals(409, unsafe.status());
    assertEquals("Type changed in Salesforce for field: Rating. ", unsafe.body().path("mappings").get(0).path("result_message").asText());
    assertEquals(202, change("59.0").status());
  }

  @Test
  void theChangeWaitsForMappingsStillSyncing() throws IOException {
    setUp();
    String contact = mapping("Contact", "Email");
    call("POST", path("/actions/pause"), null);
    fake.setLatestApiVersion("64.0");
    fake.forceMappingState(contact, "POLLING_SF_CHANGES");
    Reply syncing = change("63.0");
    assertEquals(409, syncing.status());
    assertEquals("Mapping Contact is still syncing. Wait for it to finish syncing before changing the API version.",
        syncing.body().path("error").asText());
    assertEquals("Contact", syncing.body().path("syncing_mappings").get(0).asText());

    call("POST", "/api/v3/connections/" + conn + "/mappings", ACCOUNT); // a new mapping settles, then loads its table
    fake.forceMappingState(contact, "DATA_SYNCED");
    Reply loading = change("63.0");
    assertEquals(409, loading.status());
    assertEquals("Account", loading.body().path("syncing_mappings").get(0).asText());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(202, change("63.0").status(), "synced: the change goes through");
  }
}
