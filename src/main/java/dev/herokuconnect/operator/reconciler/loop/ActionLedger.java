package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Sends a requested action (restart, reload, abort) at most once per requested value: the value
 * is recorded as handled in status before the request is sent, so a crash between the send and
 * the reconcile's own status write cannot repeat it. A request that never left (budget, 429) is
 * taken back and tried again; one whose answer was lost or refused is not sent again (a reload
 * twice empties a table twice), and a Warning says so.
 */
public final class ActionLedger {
  private final StatusChannel status;

  public ActionLedger(StatusChannel status) {
    this.status = status;
  }

  /**
   * Records a step of a longer sequence before its request is sent (the Salesforce API version's
   * change: its phase), so a restart at any point continues it rather than sending anything twice.
   */
  public void recordBeforeSending(HasMetadata o, String field, com.fasterxml.jackson.databind.JsonNode value) {
    status.patch(o, s -> s.set(field, value));
  }

  private void write(HasMetadata o, String field, String value) {
    status.patch(o, s -> s.put(field, value));
  }

  /** True when the action was sent and answered. */
  public boolean send(Reconcile<?, ?> ctx, RequestedAction.Request request, Runnable call, String reason, String message) {
    HasMetadata o = ctx.resource();
    ConditionedStatus status = ctx.status();
    RequestedAction action = request.action();
    String before = action.handled(status);
    write(o, action.statusField(), request.value());
    action.markHandled(status, request.value());
    try {
      call.run();
      ctx.normal(o, reason, message);
      return true;
    } catch (ConnectApiException.RateLimited | ConnectApiException.Throttled notSent) {
      write(o, action.statusField(), before);
      action.markHandled(status, before);
      throw notSent;
    } catch (ConnectApiException e) {
      ctx.warning(o, reason + "Uncertain", action.name().toLowerCase(java.util.Locale.ROOT) + " was sent but the API's answer "
          + "was lost or refused (" + e.getMessage() + "); it is not sent again: check the state, and set "
          + action.annotation() + " to a new value to ask again");
      return false;
    }
  }
}
