package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.function.BiConsumer;

/**
 * Sends a requested action (restart, reload, abort) at most once per requested value: the value
 * is recorded as handled in status before the request is sent, so a crash between the send and
 * the reconcile's own status write cannot repeat it. A request that never left (budget, 429) is
 * taken back and tried again; one whose answer was lost or refused is not sent again (a reload
 * twice empties a table twice), and a Warning says so.
 */
public final class ActionLedger {
  /** Writes one status field at once (a merge patch of the status subresource). */
  public interface StatusField extends BiConsumer<HasMetadata, java.util.Map.Entry<String, String>> {}

  private final StatusField write;
  private final Events events;

  public ActionLedger(StatusField write, Events events) {
    this.write = write;
    this.events = events;
  }

  /** True when the action was sent and answered. */
  public boolean send(HasMetadata o, ConditionedStatus status, RequestedAction.Request request, Runnable call,
                      String reason, String message) {
    RequestedAction action = request.action();
    String before = action.handled(status);
    write.accept(o, java.util.Map.entry(action.statusField(), request.value()));
    action.markHandled(status, request.value());
    try {
      call.run();
      events.normal(o, reason, message);
      return true;
    } catch (ConnectApiException.RateLimited | ConnectApiException.Throttled notSent) {
      write.accept(o, new java.util.AbstractMap.SimpleEntry<>(action.statusField(), before));
      action.markHandled(status, before);
      throw notSent;
    } catch (ConnectApiException e) {
      events.warning(o, reason + "Uncertain", action.name().toLowerCase(java.util.Locale.ROOT) + " was sent but the API's answer "
          + "was lost or refused (" + e.getMessage() + "); it is not sent again: check the state, and set "
          + action.annotation() + " to a new value to ask again");
      return false;
    }
  }
}
