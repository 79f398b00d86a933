package dev.herokuconnect.operator.reconciler.loop;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.function.Consumer;

/**
 * The one way status is written outside the loop's own status update, for the two records that
 * must be durable before a request leaves: the action ledger (a requested action is marked handled
 * before it is sent) and the spend journal (the budget's reservation). A JSON merge patch of the
 * status subresource naming only those fields, without a resourceVersion: it never conflicts with
 * the controller's write, and the loop keeps the same values in the status it writes afterwards.
 * Everything else in status is written by the loop, once per reconcile, when it changed.
 */
@FunctionalInterface
public interface StatusChannel {
  PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  /** Merges {@code fields} (filled by the caller into the status object) into {@code o}'s status; a failure is thrown. */
  void patch(HasMetadata o, Consumer<ObjectNode> fields);

  /** The channel to the Kubernetes API. */
  static StatusChannel of(KubernetesClient client) {
    return (o, fields) -> {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      fields.accept(body.putObject("status"));
      client.resources(o.getClass().asSubclass(HasMetadata.class)).inNamespace(o.getMetadata().getNamespace())
          .withName(o.getMetadata().getName()).subresource("status").patch(MERGE, body.toString());
    };
  }
}
