package dev.herokuconnect.operator.reconciler.connection;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.crd.AddonStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.PlatformRateLimitStatus;
import dev.herokuconnect.operator.platform.Addon;
import dev.herokuconnect.operator.platform.AddonState;
import dev.herokuconnect.operator.platform.PlatformApi;
import dev.herokuconnect.operator.platform.PlatformApiException;
import dev.herokuconnect.operator.platform.PlatformBudget;
import dev.herokuconnect.operator.platform.PlatformBudgetUsage;
import dev.herokuconnect.operator.platform.PlatformThrottled;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.connection.AddonDecisions.Found;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.Step;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The add-on of a HerokuConnection with spec.addon, through the Platform API: {@link #observe}
 * finds it ({@link AddonLookup}; without a request while status shows it settled) and records it
 * in status.addon; {@link #act} sends the one step
 * {@link AddonDecisions} chose (the create with its intent recorded first, a plan change);
 * {@link #delete} is the cleanup's. Every failure of the Platform API ends as an outcome
 * ({@link AddonDecisions#refused}, {@link AddonDecisions#throttled}); the account's budget is
 * shown in status.addon.platformRateLimit after each use.
 */
final class AddonExternal {
  /** What was seen, or the outcome that stops the pass. */
  record Seen(AddonDecisions.Facts facts, Outcome stop) {}

  private final Connector connector;
  private final ActionLedger actions;
  private final Clock clock;
  /**
   * The add-ons this process created, by the creating object's uid. A pass can read a copy of the
   * object older than its own status write (the cache has not caught up): it then finds the
   * add-on by the intent's name, as a pass after a crash would. Only the second is an adoption
   * worth an Event; a new process starts empty, so after a crash the Event is sent.
   */
  private final java.util.Map<String, String> createdHere = new java.util.concurrent.ConcurrentHashMap<>();

  AddonExternal(Connector connector, ActionLedger actions, Clock clock) {
    this.connector = connector;
    this.actions = actions;
    this.clock = clock;
  }

  Seen observe(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ApiToken token) {
    HerokuConnection c = ctx.resource();
    HerokuConnectionStatus status = ctx.status();
    AddonStatus rec = status.getAddon();
    String app = AddonLookup.app(c, status);
    PlatformApi api = connector.platform(token);
    try {
      String known = AddonLookup.recordedId(status);
      if (known != null && !needsRead(ctx, rec)) {
        return seen(ctx, new AddonLookup.Lookup(recorded(rec, app), Found.RECORDED, List.of(), known));
      }
      return seen(ctx, AddonLookup.find(api, c, status));
    } catch (PlatformThrottled t) {
      return new Seen(null, AddonDecisions.throttled(t, clock.instant()));
    } catch (PlatformApiException e) {
      return new Seen(null, failed(e, api, "reading the add-ons of app " + app, c, app));
    } finally {
      showBudget(status, api.usage());
    }
  }

  /**
   * Whether the add-on must be read now: not settled as status shows it (no id, not provisioned,
   * another plan than the spec's on an add-on it created, no connection yet), or the spec changed, or a refresh was asked
   * for. Otherwise status is what the Platform API last said (a Platform request saved per pass).
   */
  private static boolean needsRead(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, AddonStatus rec) {
    String want = ctx.resource().getSpec().getAddon().getPlan();
    return rec == null || blank(rec.getId()) || !AddonState.PROVISIONED.apiName().equals(rec.getState())
        || rec.createdByThis() && !Objects.equals(want, rec.getPlan()) || blank(ctx.status().getConnectionId())
        || ctx.pass().specChanged() || ctx.pass().refreshRequested();
  }

  private static Addon recorded(AddonStatus rec, String app) {
    return new Addon(rec.getId(), rec.getName(), AddonState.valueOf(rec.getState().toUpperCase(Locale.ROOT)), rec.getPlan(),
        AddonDecisions.SERVICE, app);
  }

  /** The facts, and status.addon as found; who created it is recorded once, when it is first found. */
  private Seen seen(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, AddonLookup.Lookup l) {
    HerokuConnection c = ctx.resource();
    Addon a = l.addon();
    if (a != null) {
      AddonStatus rec = record(ctx.status(), a, AddonLookup.app(c, ctx.status()));
      switch (l.found()) { // exhaustive: who created it, as far as this object can know
        case BY_INTENT -> {
          rec.setCreatedByThis(true);
          // a crash between the POST and the status write, or a pass on a copy older than that write: never a second create
          if (!a.id().equals(createdHere.get(c.getMetadata().getUid()))) ctx.normal(c, "AddonAdopted", "found add-on " + a.name() + " (" + a.id() + ") by the name this HerokuConnection "
              + "created it under (status.addon.createRequestedName): adopted as its own, not created again");
        }
        case LISTED -> {
          // the derived name carries this object's uid: only this object creates an add-on of that name; a name from
          // spec.resourceName is anyone's, but this process remembers what it created (a copy older than even the intent)
          boolean ours = AddonLookup.createdByThis(c, ctx.status(), l) || a.id().equals(createdHere.get(c.getMetadata().getUid()));
          rec.setCreatedByThis(ours);
          ctx.normal(c, "AddonFound", "using add-on " + a.name() + " (" + a.id() + ") found on app " + rec.getApp()
              + (ours ? ", created by this HerokuConnection" : ": not created by this HerokuConnection, so it is never deleted"));
        }
        case RECORDED, CREATED, NONE -> {
          if (rec.getCreatedByThis() == null) rec.setCreatedByThis(false); // bound before spec.addon was set: found, not created
        }
      }
    }
    return new Seen(facts(ctx, l), null);
  }

  private static AddonDecisions.Facts facts(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, AddonLookup.Lookup l) {
    AddonStatus rec = ctx.status().getAddon();
    return AddonLookup.facts(ctx.resource(), ctx.status(), l, rec != null && rec.createdByThis(), ctx.management());
  }

  /** The object is gone (its cleanup finished): nothing is kept for it. */
  void forget(HerokuConnection c) {
    createdHere.remove(c.getMetadata().getUid());
  }

  /** status.addon as the Platform API showed the add-on, with the app it is on ({@code app}: where it was looked up). */
  private static AddonStatus record(HerokuConnectionStatus status, Addon a, String app) {
    AddonStatus rec = status.getAddon() == null ? new AddonStatus() : status.getAddon();
    rec.setApp(app);
    rec.setId(a.id());
    rec.setName(a.name());
    rec.setPlan(a.plan());
    rec.setState(a.state().apiName());
    status.setAddon(rec);
    return rec;
  }

  /** Sends the add-on's step; the observation it leaves (or one that stops the pass, for a refusal). */
  ConnectionObservation act(Step step, Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, ConnectionObservation o,
                            ApiToken token) {
    HerokuConnection c = ctx.resource();
    AddonDecisions.Facts f = o.addon();
    PlatformApi api = connector.platform(token);
    String app = f.app();
    String doing = "";
    try {
      AddonLookup.Lookup now = switch (step) { // exhaustive: the connection's steps are ConnectionExternal's
        case CREATE_ADDON -> {
          doing = "creating add-on " + f.wantPlan() + " named " + f.nameToCreate() + " on app " + app;
          yield createOnce(ctx, api, f);
        }
        case CHANGE_ADDON_PLAN -> {
          doing = "changing the plan of " + f.describe() + " to " + f.wantPlan();
          Addon changed = api.changePlan(app, f.addon().id(), f.wantPlan());
          record(ctx.status(), changed, app);
          ctx.normal(c, "AddonPlanChanged", "changed the plan of " + f.describe() + " from " + f.addon().plan() + " to "
              + changed.plan() + " (spec.addon.plan)");
          yield new AddonLookup.Lookup(changed, f.found(), List.of(), f.recordedId());
        }
        case CONFIGURE_DATABASE, RESTART, PAUSE, RESUME, ASK_AUTHORIZATION_URL, PREVIEW_API_VERSION, PAUSE_FOR_API_VERSION,
            CHANGE_API_VERSION, RESUME_AFTER_API_VERSION, READ_NOTIFICATIONS, ACKNOWLEDGE_NOTIFICATIONS, FORGET_NOTIFICATIONS ->
            throw new IllegalStateException(step + " is the connection's step, not the add-on's");
      };
      return o.withAddon(facts(ctx, now));
    } catch (PlatformThrottled t) {
      return ConnectionObservation.stopped(AddonDecisions.throttled(t, clock.instant()));
    } catch (PlatformApiException e) {
      return ConnectionObservation.stopped(failed(e, api, doing, c, app));
    } finally {
      showBudget(ctx.status(), api.usage());
    }
  }

  /**
   * A create that was never sent, or that the API refused, made nothing: its intent goes (durably,
   * as it came), so that an add-on someone else creates later under that name (a person, another
   * HerokuConnection: spec.resourceName is anyone's to choose) is found as theirs, never adopted as
   * this object's and deleted with it. Only a create whose answer never came keeps its intent.
   * {@code recordedBefore}: the copy this pass began with had an intent, so the loop's status write
   * (a diff against that copy) removes it; otherwise only this pass wrote it, and it is removed here.
   */
  private void withdrawIntent(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, boolean recordedBefore) {
    AddonStatus rec = ctx.status().getAddon();
    boolean noAddon = blank(rec.getId()); // nothing recorded but the intent: its app goes too, so spec.appName may be fixed
    if (!recordedBefore) {
      var patch = JsonNodeFactory.instance.objectNode().putNull("createRequestedName").putNull("createRequestedAt");
      if (noAddon) patch.putNull("app");
      actions.recordBeforeSending(ctx.resource(), "addon", patch); // a merge patch's null removes the field
    }
    rec.setCreateRequestedName(null);
    rec.setCreateRequestedAt(null);
    if (noAddon) rec.setApp(null);
  }

  /** When this process last sent a create for an app (under the app's lock). */
  private final java.util.Map<String, java.time.Instant> lastCreate = new java.util.concurrent.ConcurrentHashMap<>();

  /** One create at a time per app in this process (a bounded set of locks, by the app's name). */
  private static final Object[] CREATING = java.util.stream.IntStream.range(0, 64).mapToObj(i -> new Object()).toArray();

  /**
   * The create, unless the app has a Heroku Connect add-on by now: HerokuConnections of one app
   * applied together run their passes at once, each looking before either creates. Under the app's
   * lock, when this process has sent a create for the app since this pass began, the add-on is
   * looked up again (one request, only then): one found is used, as found (never this object's).
   */
  private AddonLookup.Lookup createOnce(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, PlatformApi api,
                                        AddonDecisions.Facts f) {
    synchronized (CREATING[Math.floorMod(f.app().hashCode(), CREATING.length)]) {
      java.time.Instant last = lastCreate.get(f.app());
      // A create by this process that ended before this pass began was there for its observation to see:
      // only one since (another object's pass, at once with this one) calls for a second look.
      if (last != null && !last.isBefore(ctx.now())) {
        AddonLookup.Lookup again = AddonLookup.find(api, ctx.resource(), ctx.status());
        if (again.addon() != null || !again.candidates().isEmpty()) {
          seen(ctx, again); // recorded in status as found, with its Event
          return again;
        }
      }
      try {
        return new AddonLookup.Lookup(create(ctx, api, f), Found.CREATED, List.of(), f.recordedId());
      } finally {
        lastCreate.put(f.app(), clock.instant()); // sent, answered or not
      }
    }
  }

  /**
   * POST /apps/{app}/addons, its intent (the name, when) made durable in status first, so that a
   * pass after a crash between the POST and the status write looks the add-on up by that name.
   */
  private Addon create(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, PlatformApi api, AddonDecisions.Facts f) {
    HerokuConnection c = ctx.resource();
    String at = ctx.now().toString();
    boolean recordedBefore = ctx.status().getAddon() != null && ctx.status().getAddon().getCreateRequestedName() != null;
    actions.recordBeforeSending(c, "addon", JsonNodeFactory.instance.objectNode().put("createRequestedName", f.nameToCreate())
        .put("createRequestedAt", at).put("app", f.app())); // the app: the lock and the cleanup read it
    AddonStatus rec = ctx.status().getAddon() == null ? new AddonStatus() : ctx.status().getAddon();
    rec.setApp(f.app());
    rec.setCreateRequestedName(f.nameToCreate());
    rec.setCreateRequestedAt(at);
    ctx.status().setAddon(rec);
    Addon a;
    try {
      a = api.create(f.app(), f.wantPlan(), f.nameToCreate());
    } catch (PlatformThrottled notSent) {
      withdrawIntent(ctx, recordedBefore);
      throw notSent;
    } catch (PlatformApiException e) {
      if (e.refusedOutright()) withdrawIntent(ctx, recordedBefore);
      throw e;
    }
    createdHere.put(c.getMetadata().getUid(), a.id());
    record(ctx.status(), a, f.app()).setCreatedByThis(true);
    ctx.normal(c, "AddonCreated", "created add-on " + a.name() + " (" + a.id() + ") with plan " + a.plan() + " on app " + f.app()
        + " (POST /apps/" + f.app() + "/addons); it is " + a.state().apiName());
    return a;
  }

  /**
   * DELETE /apps/{app}/addons/{id} of the add-on this object created (the cleanup decided so):
   * empty when it is gone (a 404 of the add-on included; one of the app is not), else how the cleanup waits.
   */
  Optional<ManagedLoop.Deletion> delete(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, Optional<ApiToken> token) {
    HerokuConnection c = ctx.resource();
    AddonStatus rec = ctx.status().getAddon();
    String app = AddonLookup.app(c, ctx.status()); // the recorded app: an edited spec.appName never directs the DELETE
    String target = AddonDecisions.target(rec); // the id, or the create intent's name when its answer was never recorded
    String which = "add-on " + (rec.getName() != null ? rec.getName() : rec.getCreateRequestedName()) + " (" + target + ") on app " + app;
    if (token.isEmpty()) {
      ctx.warning(c, "DeleteFailed", "cannot delete " + which + ": no token (" + Connector.credentialsHint(c) + "); or set "
          + "spec.addon.deletionPolicy: Orphan to leave it");
      return Optional.of(ManagedLoop.Deletion.retry());
    }
    PlatformApi api = connector.platform(token.get());
    try {
      api.delete(app, target);
      ctx.normal(c, "AddonDeleted", "deleted " + which + " (spec.addon.deletionPolicy: Delete); its sync configuration went with it");
      return Optional.empty();
    } catch (PlatformThrottled t) {
      return Optional.of(new ManagedLoop.Deletion(false, ManagedLoop.until(clock.instant(), t.until()), null, null));
    } catch (PlatformApiException e) {
      if (e.addonNotFound()) { // a 404 about the app is no proof: the add-on may live on (DeleteFailed below)
        ctx.normal(c, "AddonDeleted", which + " was already gone (404)");
        return Optional.empty();
      }
      ctx.warning(c, "DeleteFailed", AddonDecisions.refused(e, "deleting " + which, app, rec.getPlan(), Connector.credentialsHint(c))
          .message() + "; the finalizer stays and the operator tries again (or set spec.addon.deletionPolicy: Orphan)");
      return Optional.of(ManagedLoop.Deletion.retry());
    } finally {
      showBudget(ctx.status(), api.usage());
    }
  }

  /** An error answer as an outcome: a 429 waits as long as the budget holds the account; anything else says what to fix. */
  private Outcome failed(PlatformApiException e, PlatformApi api, String doing, HerokuConnection c, String app) {
    java.time.Instant until = api.usage().throttledUntil();
    if (e.status() == 429 && until != null) return AddonDecisions.throttled(until, clock.instant());
    return AddonDecisions.refused(e, doing, app, c.getSpec().getAddon().getPlan(), Connector.credentialsHint(c));
  }

  /** status.addon.platformRateLimit: the account's Platform budget as last seen (as status.rateLimit shows the Connect one). */
  static void showBudget(HerokuConnectionStatus status, PlatformBudgetUsage u) {
    if (u == null || u.seenAt() == null && u.throttledUntil() == null) return; // nothing seen by this process: status keeps its record
    PlatformRateLimitStatus p = new PlatformRateLimitStatus();
    p.setHourlyLimit(PlatformBudget.HOURLY_LIMIT);
    p.setRemaining(u.remaining());
    p.setSeenAt(u.seenAt() == null ? null : u.seenAt().toString());
    p.setThrottledUntil(u.throttledUntil() == null ? null : u.throttledUntil().toString());
    AddonStatus rec = status.getAddon() == null ? new AddonStatus() : status.getAddon();
    rec.setPlatformRateLimit(p);
    status.setAddon(rec);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
