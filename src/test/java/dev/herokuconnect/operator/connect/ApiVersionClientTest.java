package dev.herokuconnect.operator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herokuconnect.operator.connect.ConnectApiException.ApiVersionChangeRefused;
import dev.herokuconnect.operator.connect.ConnectApiException.ApiVersionChangeRefused.Reason;
import dev.herokuconnect.operator.connect.Model.ApiVersionChange;
import dev.herokuconnect.operator.connect.Model.AuthorizeRequest;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.SchemaDiff;
import dev.herokuconnect.operator.fake.FakeConnectApi.FieldChange;
import dev.herokuconnect.operator.fake.FakeConnectApi.RecordedRequest;
import dev.herokuconnect.operator.testing.CountingServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 18's Salesforce API version through the client, against the fake over HTTP. */
class ApiVersionClientTest extends ClientOnFakeCase {

  String mapping(String object, String... fields) {
    ObjectNode config = JsonNodeFactory.instance.objectNode().put("access", "read_only");
    ObjectNode f = config.putObject("fields");
    for (String name : List.of("Id", "SystemModstamp")) f.putObject(name);
    for (String name : fields) f.putObject(name);
    return fake.dashboardCreate(connId, object, config);
  }

  /** Account maps Name and Old__c (Old__c goes at 60.0, Name grows at 55.0); Contact cannot be assessed across 58.0. */
  void accountAndContact() {
    fake.setApiVersion(connId, "52.0");
    mapping("Account", "Name", "Old__c");
    mapping("Contact", "Email");
    fake.declareFieldChange("Account", "Old__c", "60.0", FieldChange.removed());
    fake.declareFieldChange("Account", "Name", "55.0", FieldChange.lengthIncreased());
    fake.declareUndetermined("Contact", "58.0");
  }

  @Test
  void theConnectionCarriesItsApiVersion() {
    ConnectApi api = api();
    assertEquals("62.0", api.getConnection(connId, true).apiVersion());
    fake.setApiVersion(connId, "52.0");
    assertEquals("52.0", api.getConnection(connId, false).apiVersion());
    assertEquals("52.0", api.listConnections("crm-prod").get(0).apiVersion());

    api.authorizeUrl(connId, new AuthorizeRequest("production", null, "55.0", null));
    fake.completeAuthorization(connId);
    Connection c = api.getConnection(connId, true);
    assertEquals("55.0", c.apiVersion(), "authorize_url's api_version, once the person authorized");

    assertEquals("55.0", c.withMappings(List.of()).apiVersion(), "withMappings keeps every component");
    Connection old = new Connection(c.id(), c.name(), c.resourceName(), c.appName(), c.appId(), c.schemaName(), c.dbKey(),
        c.database(), c.organizationId(), c.state(), c.mappingsSummaryState(), c.region(), c.detailUrl(), c.mappings());
    assertNull(old.apiVersion(), "the constructor from before the version has none");
    assertEquals(c.mappings(), old.mappings());
  }

  @Test
  void schemaDiffReadsEachMappingsChanges() {
    accountAndContact();
    SchemaDiff diff = api().schemaDiff(connId, "62");
    RecordedRequest sent = fake.requests().get(fake.requests().size() - 1);
    assertEquals("target_version=62.0", sent.query(), "normalised as the plugin does");
    assertEquals("52.0", diff.currentApiVersion());
    assertEquals("62.0", diff.targetApiVersion());
    assertEquals(List.of("Account"), diff.unsafeMappings());
    assertEquals(List.of("Contact"), diff.undeterminedMappings());
    Model.SchemaDiffMapping account = diff.mappingsOrEmpty().get(0);
    assertTrue(account.changed());
    assertEquals(List.of("Length increased in Salesforce for field: Name.", "Fields removed from Salesforce: Old__c."),
        account.resultLines());
    assertFalse(diff.mappingsOrEmpty().get(1).changed());
    assertEquals("62.0", Model.normalizeApiVersion(" 62.5 "));
    assertNull(Model.normalizeApiVersion("v62"));
  }

  @Test
  void aVersionThePluginWouldRefuseIsRefusedBeforeAnyRequest() {
    int before = fake.requests().size();
    for (String bad : List.of("sixty", "6", "1234.0", "")) {
      assertThrows(IllegalArgumentException.class, () -> api().schemaDiff(connId, bad), bad);
      assertThrows(IllegalArgumentException.class, () -> api().changeSfApiVersion(connId, bad), bad);
    }
    assertEquals(before, fake.requests().size());
    assertTrue(admitted().isEmpty(), "nothing paid from the budget: " + admitted());
  }

  @Test
  void theChangeAndEachRefusal() {
    accountAndContact();
    ConnectApi api = api();

    ApiVersionChangeRefused idle = assertThrows(ApiVersionChangeRefused.class, () -> api.changeSfApiVersion(connId, "58.0"));
    assertEquals(400, idle.status());
    assertEquals(Reason.REFUSED, idle.reason());
    assertEquals("The connection must be paused to change its Salesforce API version (now IDLE).", idle.apiMessage());
    assertFalse(idle.isTransient());
    assertTrue(idle.getMessage().startsWith("POST /connections/{id}/actions/change-sf-api-version: 400 the Salesforce API version "
        + "was not changed: The connection must be paused"), idle.getMessage());

    api.pause(connId);
    ApiVersionChangeRefused unsafe = assertThrows(ApiVersionChangeRefused.class, () -> api.changeSfApiVersion(connId, "62.0"));
    assertEquals(409, unsafe.status());
    assertEquals(Reason.UNSAFE_CHANGES, unsafe.reason());
    assertEquals("Some mappings have unsafe changes. Edit them and retry.", unsafe.apiMessage());
    assertEquals(List.of("Account"), unsafe.unsafeMappings());
    assertEquals("52.0", unsafe.diff().currentApiVersion());
    assertFalse(unsafe.isTransient(), "only a person can edit the mapping");
    assertEquals(java.util.Map.of(), unsafe.fieldErrors(), "a diff is not field errors");

    ApiVersionChangeRefused down = assertThrows(ApiVersionChangeRefused.class, () -> api.changeSfApiVersion(connId, "50.0"));
    assertEquals(Reason.REFUSED, down.reason());
    assertTrue(down.apiMessage().contains("cannot go back"), down.apiMessage());

    ApiVersionChange changed = api.changeSfApiVersion(connId, "58");
    assertEquals("58.0", changed.targetVersion());
    assertEquals(List.of(), changed.diff().unsafeMappings());
    assertEquals(List.of("Contact"), changed.diff().undeterminedMappings(), "undetermined does not block the change");
    assertEquals("58.0", api.getConnection(connId, false).apiVersion());
    assertTrue(admitted().stream().allMatch(a -> a.budgetKey().equals(connId) && a.priority() == RequestGate.Priority.USER),
        "every request through the gate, paid by the connection: " + admitted());
    assertEquals(fake.requests().size(), admitted().size(), "the gate saw each request the fake answered");
  }

  @Test
  void aMappingStillSyncingIsATransientRefusal() {
    String contact = mapping("Contact", "Email");
    ConnectApi api = api();
    api.pause(connId);
    fake.setLatestApiVersion("63.0");
    fake.forceMappingState(contact, "POLLING_SF_CHANGES");
    ApiVersionChangeRefused syncing = assertThrows(ApiVersionChangeRefused.class, () -> api.changeSfApiVersion(connId, "63.0"));
    assertEquals(409, syncing.status());
    assertEquals(Reason.STILL_SYNCING, syncing.reason());
    assertEquals(List.of("Contact"), syncing.syncingMappings());
    assertEquals("Mapping Contact is still syncing. Wait for it to finish syncing before changing the API version.", syncing.apiMessage());
    assertNull(syncing.diff());
    assertTrue(syncing.isTransient(), "it clears once the mapping is synced");
    fake.forceMappingState(contact, "DATA_SYNCED");
    assertEquals("63.0", api.changeSfApiVersion(connId, "63.0").targetVersion());
  }

  @Test
  void anAnswerWithoutTargetVersionReportsTheVersionAskedFor() throws Exception {
    try (CountingServer region = new CountingServer()) {
      ConnectApi api = new ConnectApi(http, region.url(fake.host()) + "/api/v3", connId, RequestGate.Priority.USER);
      region.answering("");
      ApiVersionChange empty = api.changeSfApiVersion(connId, "61");
      assertEquals("61.0", empty.targetVersion());
      assertNull(empty.diff());
      region.answering("{\"current_api_version\": \"55.0\", \"mappings\": []}");
      assertEquals("61.0", api.changeSfApiVersion(connId, "61.0").targetVersion());
      assertEquals("55.0", api.changeSfApiVersion(connId, "61.0").diff().currentApiVersion());
    }
  }
}
