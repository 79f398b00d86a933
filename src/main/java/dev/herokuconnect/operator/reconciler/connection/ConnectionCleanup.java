package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.DeletionStep;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Deleting a HerokuConnection. Observe the HerokuMappings still bound to it and what becomes of the
 * add-on, decide ({@link ConnectionDecisions#deletion}: wait for them, so their cleanup can reach
 * the API), then delete the add-on when spec.addon says so and this object created it
 * ({@link AddonDecisions#fate}; never otherwise: the Connect API cannot), then release the
 * credentials Secret.
 */
final class ConnectionCleanup implements Cleanup<HerokuConnection, HerokuConnectionStatus, ConnectionCleanup.Observed, DeletionStep> {
  /**
   * The HerokuMappings still bound to it, whether a Salesforce API version change holds its add-on
   * paused, and what becomes of the add-on (spec.addon) with the Event that says so.
   */
  record Observed(List<String> mappings, boolean resumeFirst, AddonDecisions.Fate addon, Events.Note addonNote) {}

  private final CredentialsGuard credentials;
  private final Consumer<HerokuConnection> forget;
  /** The names of the HerokuMappings bound to a connection, from the connection controller's own informer. */
  private volatile Function<HerokuConnection, List<String>> mappingsOf = c -> List.of();

  private final ConnectionExternal external;

  ConnectionCleanup(CredentialsGuard credentials, Consumer<HerokuConnection> forget, ConnectionExternal external) {
    this.credentials = credentials;
    this.forget = forget;
    this.external = external;
  }

  void useMappingsOf(Function<HerokuConnection, List<String>> mappingsOf) {
    this.mappingsOf = mappingsOf;
  }

  @Override
  public Observed observe(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    var change = ctx.status().getApiVersionChange();
    boolean holds = change != null && Boolean.TRUE.equals(change.getPausedByChange())
        && List.of(ApiVersionDecisions.PAUSING, ApiVersionDecisions.CHANGING, ApiVersionDecisions.RESUMING).contains(change.getPhase());
    HerokuConnection c = ctx.resource();
    String owner = c.getSpec().getAddon() == null ? null : external.addonOwner(c);
    AddonDecisions.Fate fate = AddonDecisions.fate(c.getSpec().getAddon(), ctx.status().getAddon(), ctx.management(), owner);
    return new Observed(mappingsOf.apply(c), holds && ctx.management().writes() && !c.getSpec().isPaused(), fate,
        AddonDecisions.fateNote(fate, ctx.status().getAddon(), AddonLookup.app(c, ctx.status()), owner));
  }

  @Override
  public ConnectionDecisions.Deletion decide(Observed o) {
    return ConnectionDecisions.deletion(o.mappings(), o.resumeFirst(), o.addon(), o.addonNote());
  }

  @Override
  public ManagedLoop.Deletion act(DeletionStep step, Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, Observed seen) {
    return switch (step) { // exhaustive: only these three write (ConnectionDecisions.Deletion#finish)
      case RESUME_THEN_RELEASE -> {
        external.resumeWhatTheChangePaused(ctx); // a failure is the loop's to report and retry, the finalizer staying
        yield releaseCredentials(ctx);
      }
      case DELETE_ADDON_THEN_RELEASE -> external.deleteAddon(ctx).orElseGet(() -> releaseCredentials(ctx)); // the token first
      case RELEASE_CREDENTIALS -> releaseCredentials(ctx);
      case WAIT_FOR_MAPPINGS -> throw new IllegalStateException(step + " sends nothing");
    };
  }

  private ManagedLoop.Deletion releaseCredentials(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    HerokuConnection c = ctx.resource();
    try {
      credentials.releaseAll(c);
    } catch (RuntimeException e) {
      ctx.warning(c, "ReleaseFailed", "could not remove the finalizer " + CredentialsGuard.FINALIZER + " from the credentials Secret ("
          + e.getMessage() + "); trying again with backoff");
      return ManagedLoop.Deletion.retry();
    }
    forget.accept(c);
    return ManagedLoop.Deletion.DONE;
  }
}
