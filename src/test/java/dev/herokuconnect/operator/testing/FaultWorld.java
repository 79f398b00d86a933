package dev.herokuconnect.operator.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herokuconnect.operator.fake.FakeConnectApi;
import dev.herokuconnect.operator.fake.FakeConnectApi.MappingView;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What the fault suites share, on the mock and on the real API server: the objects, their names, the remote set. */
public final class FaultWorld {
  private FaultWorld() {}

  public static final String[] OBJECTS = {"Account", "Contact", "Lead", "Opportunity", "Case", "Campaign", "CampaignMember", "User",
      "Task", "Event", "Product2", "Pricebook2", "PricebookEntry", "Order", "OrderItem", "Contract", "Asset", "Quote",
      "Invoice__c", "Shipment__c"};

  /** The HerokuMapping's name for a Salesforce object (DNS-1123). */
  public static String name(String object) {
    return object.toLowerCase().replace("__c", "-c");
  }

  /** The remote mappings by object name; fails on any duplicate. */
  public static Map<String, MappingView> remoteByObject(FakeConnectApi fake, String connectionId) {
    Map<String, List<MappingView>> grouped = fake.mappings(connectionId).stream()
        .collect(Collectors.groupingBy(m -> m.objectName().toLowerCase(), TreeMap::new, Collectors.toList()));
    grouped.forEach((k, v) -> assertEquals(1, v.size(), "duplicate remote mappings of " + k));
    Map<String, MappingView> out = new TreeMap<>();
    grouped.forEach((k, v) -> out.put(v.get(0).objectName(), v.get(0)));
    return out;
  }
}
