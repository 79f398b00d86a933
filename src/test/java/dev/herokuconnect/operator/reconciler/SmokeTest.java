package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.sandbox.Sandbox;
import java.io.FileInputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void examplesBecomeReady() throws Exception {
    try (Sandbox sb = new Sandbox()) {
      sb.fake().addToken("demo-token-not-a-real-secret", "demo");
      sb.fake().addConnection("acme-crm", "herokuconnect-demo-1");
      sb.startOperator(sb.config());
      for (String f : new String[] {"examples/00-secret.yaml", "examples/10-connection.yaml", "examples/20-mappings.yaml"}) {
        sb.apply(new FileInputStream(f));
      }
      boolean auth = Sandbox.await(Duration.ofSeconds(20), () -> {
        HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("crm").withName("sales").get();
        return c.getStatus() != null && c.getStatus().getAuthorizationUrl() != null;
      });
      HerokuConnection c = sb.client().resources(HerokuConnection.class).inNamespace("crm").withName("sales").get();
      System.out.println(sb.client().getKubernetesSerialization().asYaml(c));
      assertTrue(auth);
      sb.fake().completeAuthorization(c.getStatus().getConnectionId());
      boolean ready = Sandbox.await(Duration.ofSeconds(30), () -> sb.client().resources(HerokuMapping.class).inNamespace("crm").list().getItems()
          .stream().allMatch(m -> Conditions.isTrue(m.getStatus(), "Ready")));
      sb.client().resources(HerokuMapping.class).inNamespace("crm").list().getItems()
          .forEach(m -> System.out.println(sb.client().getKubernetesSerialization().asYaml(m)));
      System.out.println(sb.client().getKubernetesSerialization().asYaml(sb.client().resources(HerokuConnection.class).inNamespace("crm").withName("sales").get()));
      sb.fake().requests().forEach(System.out::println);
      assertTrue(ready);
    }
  }
}
