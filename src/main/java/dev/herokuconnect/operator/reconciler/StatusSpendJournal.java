package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.ratelimit.SpendJournal;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;

/**
 * Keeps the API spend record in status.rateLimit of every HerokuConnection that uses the
 * connection id (a merge patch of the record's fields only, so it never conflicts with the
 * controller's own status writes). Keys with no connection object yet (discovery, paid by the
 * app) are not recorded. With connections to record on, a failed write is thrown: then the
 * budget does not spend.
 */
final class StatusSpendJournal implements SpendJournal {
  static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private final KubernetesClient client;
  private final Directory directory;

  StatusSpendJournal(KubernetesClient client, Directory directory) {
    this.client = client;
    this.directory = directory;
  }

  @Override
  public void record(String key, ApiBudget.Usage u) {
    List<HerokuConnection> users = directory.connectionsUsing(key);
    String patch = "{\"status\":{\"rateLimit\":{\"used\":" + u.used() + ",\"usedAsOf\":\"" + u.usedAsOf()
        + "\",\"reserved\":" + u.reserved() + "}}}";
    for (HerokuConnection c : users) {
      client.resources(HerokuConnection.class).inNamespace(c.getMetadata().getNamespace()).withName(c.getMetadata().getName())
          .subresource("status").patch(MERGE, patch);
    }
  }
}
