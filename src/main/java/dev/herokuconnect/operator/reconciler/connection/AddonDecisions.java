package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.AddonSpec;
import dev.herokuconnect.operator.crd.AddonStatus;
import dev.herokuconnect.operator.platform.Addon;
import dev.herokuconnect.operator.platform.PlatformApiException;
import dev.herokuconnect.operator.platform.PlatformThrottled;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Plan;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.StateTable.Requeue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What to do about the add-on of a HerokuConnection with spec.addon (issue 20), decided from what
 * was observed through the Platform API: pure functions, no HTTP. {@link #plan} chooses the
 * add-on's step (create, change its plan) or where the object waits; {@link #then} puts the
 * connection's own steps after it; {@link #fate} decides what deleting the object does to the
 * add-on; {@link #refused} and {@link #throttled} say what a Platform API answer means.
 */
public final class AddonDecisions {
  /** Heroku Connect's add-on service (addon_service.name in the Platform API). */
  public static final String SERVICE = "herokuconnect";

  private AddonDecisions() {}

  /** How the add-on in the facts was found. */
  public enum Found {
    /** status named it (status.addon.id, or status.connectionId of a connection bound before spec.addon was set) */
    RECORDED,
    /** by the name of this object's create intent: its POST reached the API before the status write (a crash) */
    BY_INTENT,
    /** the app's only Heroku Connect add-on (named spec.resourceName, when set) */
    LISTED,
    /** this pass created it */
    CREATED,
    /** none: not on the app, or (with {@code recordedId}) gone since it was recorded */
    NONE
  }

  /**
   * Everything a decision reads. {@code addon}: the add-on found (null: none); {@code candidates}:
   * the names of the app's matching Connect add-ons when there are several; {@code recordedId}: the
   * id status recorded, if any (an add-on recorded and now missing was destroyed outside);
   * {@code createdByThis}: this object created the add-on (status.addon.createdByThis), the only
   * case in which its plan is changed.
   */
  public record Facts(String app, String wantPlan, String nameToCreate, Management management, Addon addon, Found found,
                      List<String> candidates, String recordedId, boolean createdByThis) {
    /** The add-on can be connected to: found, provisioned, the only one. */
    public boolean usable() {
      return addon != null && addon.state() == dev.herokuconnect.operator.platform.AddonState.PROVISIONED && candidates.size() <= 1;
    }

    String describe() {
      return "add-on " + addon.name() + " (" + addon.id() + ") on app " + app;
    }
  }

  /** The add-on's step, or where the object waits; nothing when the add-on is as the spec wants. */
  public static Plan plan(Facts f) {
    if (f.candidates().size() > 1) {
      return stop(Outcome.stalled(Reasons.CONNECTION_AMBIGUOUS, "app " + f.app() + " has " + f.candidates().size()
          + " Heroku Connect add-ons: " + String.join(", ", f.candidates()) + "; name one of them in spec.resourceName",
          Requeue.ERROR_BACKOFF));
    }
    if (f.addon() == null && f.recordedId() != null) {
      return stop(Outcome.stalled(Reasons.CONNECTION_NOT_FOUND, "the Platform API has no add-on " + f.recordedId() + " on app "
          + f.app() + " (status.addon.id): it was destroyed outside the operator, which does not create another on its own; "
          + "delete this HerokuConnection and apply it again to create a new one (a new add-on starts with no mappings)",
          Requeue.ERROR_BACKOFF));
    }
    if (f.addon() == null) {
      if (f.management().observeOnly()) {
        return new Plan(List.of(), Outcome.progressing(Reasons.OBSERVING, "observe-only: app " + f.app() + " has no Heroku Connect "
            + "add-on; the operator would create " + f.wantPlan() + " named " + f.nameToCreate() + " (POST /apps/" + f.app()
            + "/addons): switch to manage to create it", Requeue.REFRESH), List.of(), List.of(Step.CREATE_ADDON));
      }
      return new Plan(List.of(Step.CREATE_ADDON), null);
    }
    return switch (f.addon().state()) {
      case PROVISIONING -> stop(Outcome.progressing(Reasons.PROVISIONING_ADDON, f.describe() + " is provisioning; the operator "
          + "looks again with backoff", Requeue.SETTLING));
      case DEPROVISIONING, DEPROVISIONED -> stop(Outcome.stalled(Reasons.CONNECTION_NOT_FOUND, f.describe() + " is "
          + f.addon().state().apiName() + ": it is being destroyed outside the operator, which does not create another on its "
          + "own; delete this HerokuConnection and apply it again to create a new one", Requeue.ERROR_BACKOFF));
      case PROVISIONED -> {
        if (f.wantPlan().equals(f.addon().plan())) yield new Plan(List.of(), null);
        if (!f.createdByThis()) yield new Plan(List.of(), null); // found, not created: its plan is never changed (planDiffers says so)
        if (f.management().observeOnly()) yield new Plan(List.of(), null, List.of(), List.of(Step.CHANGE_ADDON_PLAN));
        yield new Plan(List.of(Step.CHANGE_ADDON_PLAN), null);
      }
    };
  }

  /**
   * What the connection's condition adds when the add-on was found (not created by this object)
   * and its plan is not spec.addon.plan: the operator changes the plan only of an add-on it created
   * (a copy-pasted manifest must not downgrade a production add-on), so it says so and what to do;
   * null when there is nothing to say.
   */
  public static String planDiffers(Facts f) {
    if (f.addon() == null || f.createdByThis() || f.wantPlan().equals(f.addon().plan())) return null;
    return "spec.addon.plan is " + f.wantPlan() + " but " + f.describe() + " has plan " + f.addon().plan() + "; this "
        + "HerokuConnection found the add-on, it did not create it (status.addon.createdByThis is false), so the operator does "
        + "not change its plan: set spec.addon.plan to " + f.addon().plan() + ", or change the plan yourself (heroku addons:upgrade "
        + f.addon().name() + " " + f.wantPlan() + " -a " + f.app() + ")";
  }

  /**
   * Before the connection was read (the add-on was not usable when the pass observed it): the
   * add-on's plan, or, once it is usable (a create answered provisioned at once), a short wait so
   * the next pass connects to it.
   */
  public static Plan beforeConnecting(Facts f) {
    Plan p = plan(f);
    if (!p.steps().isEmpty() || p.stop() != null) return p;
    return stop(Outcome.progressing(Reasons.PROVISIONING_ADDON, f.describe() + " is provisioned; the operator connects to it "
        + "next", Requeue.SETTLING));
  }

  /**
   * The add-on's step before the connection's: alone in its round (the connection's steps are
   * decided again on what it left); a stopped connection (another object owns the add-on) sends
   * nothing, the add-on's step included. What observe-only withholds is listed for both.
   */
  public static Plan then(Plan addon, Plan connection) {
    if (connection.stop() != null && connection.steps().isEmpty()) return connection;
    List<Step> withheld = new ArrayList<>(addon.withheld());
    withheld.addAll(connection.withheld());
    if (addon.steps().isEmpty()) return new Plan(connection.steps(), connection.stop(), connection.then(), withheld);
    List<Step> later = new ArrayList<>(connection.steps());
    later.addAll(connection.then());
    return new Plan(addon.steps(), null, later, withheld);
  }

  private static Plan stop(Outcome why) {
    return new Plan(List.of(), why);
  }

  /** What deleting the HerokuConnection does to the add-on. */
  public enum Fate {
    /** no spec.addon: the add-on is not the object's to delete */
    NOT_MANAGED,
    /** deletionPolicy Orphan: left as it is */
    ORPHAN,
    /** deletionPolicy Delete, but this object did not create it (found or adopted): never deleted */
    NOT_CREATED_HERE,
    /** deletionPolicy Delete on an add-on it created, but an older HerokuConnection owns it: a non-owner deletes nothing remote */
    NOT_OWNER,
    /** deletionPolicy Delete on an add-on it created, but observe-only: not sent */
    OBSERVE_ONLY,
    /** deletionPolicy Delete, created here: DELETE /apps/{app}/addons/{id} */
    DELETE
  }

  /**
   * The one rule for deleting an add-on: policy Delete, created by this object (status says so),
   * owned by it ({@code owner}: the older HerokuConnection that owns it, null when this one does;
   * the contract's Ownership: any other claimant deletes nothing remote), and a writing object. A
   * create whose answer was never recorded (only its intent is) counts as created by this object:
   * the name carries its uid, and the DELETE goes by that name.
   */
  public static Fate fate(AddonSpec spec, AddonStatus recorded, Management management, String owner) {
    if (spec == null || target(recorded) == null) return Fate.NOT_MANAGED;
    boolean ours = recorded.createdByThis() || recorded.getId() == null; // no id: only the intent is recorded
    return switch (spec.getDeletionPolicy()) {
      case Orphan -> Fate.ORPHAN;
      case Delete -> !ours ? Fate.NOT_CREATED_HERE : owner != null ? Fate.NOT_OWNER
          : management.observeOnly() ? Fate.OBSERVE_ONLY : Fate.DELETE;
    };
  }

  /** What a DELETE names: the recorded id, else the create intent's name; null when neither is recorded. */
  public static String target(AddonStatus recorded) {
    if (recorded == null) return null;
    if (recorded.getId() != null && !recorded.getId().isBlank()) return recorded.getId();
    String intent = recorded.getCreateRequestedName();
    return intent == null || intent.isBlank() ? null : intent;
  }

  /** The Event that says what happened to the add-on (null: nothing to say). */
  public static Events.Note fateNote(Fate fate, AddonStatus recorded, String app, String owner) {
    String which = recorded == null ? null : "add-on " + (recorded.getName() != null ? recorded.getName()
        : recorded.getCreateRequestedName()) + " (" + target(recorded) + ") on app " + app;
    return switch (fate) {
      case NOT_MANAGED, DELETE -> null; // DELETE: the step's result says how it went
      case ORPHAN -> Events.Note.normal("AddonOrphaned", "left " + which + " in place (spec.addon.deletionPolicy: Orphan)");
      case NOT_CREATED_HERE -> Events.Note.normal("AddonKept", "left " + which + " in place: this HerokuConnection found it, "
          + "it did not create it (status.addon.createdByThis is false), and only an add-on it created is ever deleted");
      case NOT_OWNER -> Events.Note.normal("AddonKept", "left " + which + " in place: HerokuConnection " + owner + " owns it "
          + "(the oldest that stands for it), and a HerokuConnection that does not own its add-on deletes nothing remote");
      case OBSERVE_ONLY -> Events.Note.normal("AddonKept", "observe-only: " + which + " was not deleted; "
          + "spec.addon.deletionPolicy: Delete would have deleted it");
    };
  }

  /**
   * An error answer of the Platform API while {@code doing}, as an outcome: the API's message, the
   * field to fix and what to do. 404 is the app (the add-on's own 404 is an empty find), 422 the
   * plan (or the name), 401/403 the token; no answer, 429 and 5xx are tried again.
   */
  public static Outcome refused(PlatformApiException e, String doing, String app, String plan, String credentialsHint) {
    String api = "the Platform API answered " + (e.status() == 0 ? "nothing" : e.status() + (e.errorId() == null ? "" : " "
        + e.errorId())) + " while " + doing + ": " + e.apiMessage();
    int s = e.status();
    if (s == 404) {
      return Outcome.stalled(Reasons.INVALID_SPEC, api + "; spec.appName '" + app + "' is not an app this token can see: fix "
          + "spec.appName, or give the token's user access to the app", (Duration) null);
    }
    if (s == 422 || s == 400) {
      return Outcome.stalled(Reasons.INVALID_SPEC, api + "; check spec.addon.plan '" + plan + "' (a Heroku Connect plan the "
          + "app may use: heroku addons:plans herokuconnect) and spec.resourceName, if set (the add-on's name)", (Duration) null);
    }
    if (s == 401) return Outcome.stalled(Reasons.UNAUTHORIZED, api + "; " + credentialsHint, Requeue.ERROR_BACKOFF);
    if (s == 403) {
      return Outcome.stalled(Reasons.UNAUTHORIZED, api + "; the token's user may not manage add-ons on app " + app
          + ": give it that permission on the app (heroku access:update), or use a token of a user who has it", Requeue.ERROR_BACKOFF);
    }
    if (e.isTransient()) return Outcome.blocked(Reasons.REMOTE_ERROR, api + "; retrying with backoff", Requeue.ERROR_BACKOFF);
    return Outcome.stalled(Reasons.INVALID_SPEC, api + "; check spec.appName and spec.addon", Requeue.ERROR_BACKOFF);
  }

  /** The account's Platform budget is spent: nothing was sent; wait until it may send again. */
  public static Outcome throttled(PlatformThrottled t, Instant now) {
    return throttled(t.until(), now);
  }

  /** The same after a 429: the budget holds the account until {@code until}. */
  public static Outcome throttled(Instant until, Instant now) {
    return Outcome.blocked(Reasons.RATE_LIMITED, "waiting for the Platform API budget of the token's account (status.addon."
        + "platformRateLimit): nothing is sent to the Platform API before " + until, ManagedLoop.until(now, until));
  }
}
