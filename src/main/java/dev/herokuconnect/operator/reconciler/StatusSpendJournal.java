package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.ratelimit.SpendJournal;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;

/**
 * Keeps the API spend reservation in the HerokuConnection's status.rateLimit (a merge patch of
 * three fields, so it never conflicts with the controller's own status writes). Keys with no
 * connection object yet (discovery, paid by the app) are not recorded.
 */
final class StatusSpendJournal implements SpendJournal {
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private final KubernetesClient client;
  private final ConnectionRegistry registry;

  StatusSpendJournal(KubernetesClient client, ConnectionRegistry registry) {
    this.client = client;
    this.registry = registry;
  }

  @Override
  public void reserve(String key, int used, Instant asOf, int reserved) {
    registry.byConnectionId(key).ifPresent(h -> client.resources(HerokuConnection.class)
        .inNamespace(h.namespace()).withName(h.name()).subresource("status")
        .patch(MERGE, "{\"status\":{\"rateLimit\":{\"used\":" + used + ",\"usedAsOf\":\"" + asOf
            + "\",\"reserved\":" + reserved + "}}}"));
  }
}
