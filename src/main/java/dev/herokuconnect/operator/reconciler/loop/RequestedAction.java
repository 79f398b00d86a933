package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.crd.ConditionedStatus;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.crd.Validated;
import dev.herokuconnect.operator.crd.ValidationStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The Flux-style requested-at annotations: setting one to a new value asks for the action once;
 * the handled value is echoed into status so it never repeats, even after a restart.
 */
public enum RequestedAction {
  RECONCILE(Crds.RECONCILE_REQUESTED_AT, "lastHandledReconcileAt", ConditionedStatus.class,
      ConditionedStatus::getLastHandledReconcileAt, ConditionedStatus::setLastHandledReconcileAt),
  RESTART(Crds.RESTART_REQUESTED_AT, "lastHandledRestartAt", HerokuConnectionStatus.class,
      s -> ((HerokuConnectionStatus) s).getLastHandledRestartAt(), (s, v) -> ((HerokuConnectionStatus) s).setLastHandledRestartAt(v)),
  RELOAD(Crds.RELOAD_REQUESTED_AT, "lastHandledReloadAt", HerokuMappingStatus.class,
      s -> ((HerokuMappingStatus) s).getLastHandledReloadAt(), (s, v) -> ((HerokuMappingStatus) s).setLastHandledReloadAt(v)),
  ABORT(Crds.ABORT_REQUESTED_AT, "lastHandledAbortAt", HerokuMappingStatus.class,
      s -> ((HerokuMappingStatus) s).getLastHandledAbortAt(), (s, v) -> ((HerokuMappingStatus) s).setLastHandledAbortAt(v)),
  /** Both kinds: a connection's run (POST, then polled) or a mapping's (one GET), into the same status.validation. */
  VALIDATE(Crds.VALIDATE_REQUESTED_AT, "lastHandledValidateAt", Validated.class,
      s -> ((Validated) s).getLastHandledValidateAt(), (s, v) -> ((Validated) s).setLastHandledValidateAt(v)),
  ACKNOWLEDGE(Crds.ACKNOWLEDGE_REQUESTED_AT, "lastHandledAcknowledgeAt", HerokuConnectionStatus.class,
      s -> ((HerokuConnectionStatus) s).getLastHandledAcknowledgeAt(), (s, v) -> ((HerokuConnectionStatus) s).setLastHandledAcknowledgeAt(v));

  private final String annotation;
  private final String statusField;
  /** The statuses that have the action's field: one kind's class, or an interface both kinds' statuses implement. */
  private final Class<?> kind;
  private final Function<ConditionedStatus, String> handled;
  private final BiConsumer<ConditionedStatus, String> markHandled;

  RequestedAction(String annotation, String statusField, Class<?> kind,
                  Function<ConditionedStatus, String> handled, BiConsumer<ConditionedStatus, String> markHandled) {
    this.annotation = annotation;
    this.statusField = statusField;
    this.kind = kind;
    this.handled = handled;
    this.markHandled = markHandled;
  }

  public String annotation() { return annotation; }

  /** The status field that echoes the handled value. */
  public String statusField() { return statusField; }

  /** Whether the action exists for the kind whose status this is (a restart only for connections, a reload only for mappings). */
  public boolean appliesTo(ConditionedStatus status) {
    return kind.isInstance(status);
  }

  /** The requested value when it differs from the one last handled (the action is due), else null. */
  public String pending(HasMetadata o, ConditionedStatus status) {
    var a = o.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(annotation);
    return v == null || v.isBlank() || v.equals(handled.apply(status)) ? null : v;
  }

  public String handled(ConditionedStatus status) {
    return handled.apply(status);
  }

  public void markHandled(ConditionedStatus status, String value) {
    markHandled.accept(status, value);
  }

  /** The actions a HerokuMapping can be asked for (the reconcile request aside): its kind and {@code plan} read this one list. */
  public static final List<RequestedAction> MAPPING_ACTIONS = java.util.Arrays.stream(values())
      .filter(a -> a != RECONCILE && a.kind.isAssignableFrom(HerokuMappingStatus.class)).toList();

  /** The pending requests among {@code actions}, in that order. */
  public static List<Request> pendingOf(HasMetadata o, ConditionedStatus status, List<RequestedAction> actions) {
    return actions.stream().map(a -> {
      String v = a.pending(o, status);
      return v == null ? null : new Request(a, v);
    }).filter(Objects::nonNull).toList();
  }

  /**
   * The one rule for requests made while observe-only: every action (restart, reload, abort,
   * acknowledge, validate) is marked handled as skipped ({@link #markSkipped}), before anything
   * else in the pass can stop it, and is never sent later when the policy goes back to manage. A
   * refresh is a read and is honoured.
   */
  public static List<Request> skippedWhileObserving(Management management, HasMetadata o, ConditionedStatus status) {
    if (!management.observeOnly()) return List.of();
    return pendingOf(o, status, java.util.Arrays.stream(values()).filter(a -> a.skippedWhileObserving() && a.appliesTo(status)).toList());
  }

  /**
   * Whether observe-only skips the action (exhaustive: a new action must say). The ones that write
   * (restart, reload, abort, acknowledge) are; so is a validation, on both kinds alike: a
   * connection's starts a run with a POST, and a mapping's, a GET, is skipped the same way so that
   * the annotation means one thing. A refresh is not.
   */
  public boolean skippedWhileObserving() {
    return switch (this) {
      case RESTART, RELOAD, ABORT, ACKNOWLEDGE, VALIDATE -> true;
      case RECONCILE -> false;
    };
  }

  /**
   * Marks a request handled without sending it ({@code why}: observe-only); a validation also says so
   * in status.validation (state Skipped), where a person looks for its result.
   */
  public void markSkipped(ConditionedStatus status, String value, String why) {
    markHandled(status, value);
    if (this == VALIDATE && status instanceof Validated v) {
      ValidationStatus skipped = new ValidationStatus();
      skipped.setRequestedAt(value);
      skipped.setState(ValidationStatus.SKIPPED);
      skipped.setReason("not run: " + why + " sends no request for it; set the annotation to a new value once the object is managed");
      v.setValidation(skipped);
    }
  }

  /** The Event reason once the action was sent (exhaustive: a new action must say its own). */
  public String doneReason() {
    return switch (this) {
      case RECONCILE -> "Reconciled";
      case RESTART -> "Restarted";
      case RELOAD -> "Reloaded";
      case ABORT -> "Aborted";
      case VALIDATE -> "Validated";
      case ACKNOWLEDGE -> "NotificationsAcknowledged";
    };
  }

  /** The Event reason when a request was marked handled without being sent (observe-only). */
  public String skippedReason() {
    return switch (this) {
      case RECONCILE -> "ReconcileSkipped";
      case RESTART -> "RestartSkipped";
      case RELOAD -> "ReloadSkipped";
      case ABORT -> "AbortSkipped";
      case VALIDATE -> "ValidationSkipped";
      case ACKNOWLEDGE -> "AcknowledgeSkipped";
    };
  }

  /** A pending request: the action and the value asked for. */
  public record Request(RequestedAction action, String value) {
    public String describe() {
      return action.annotation + "=" + value;
    }
  }
}
