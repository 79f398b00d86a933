package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions.DeletionStep;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Deleting a HerokuConnection: the add-on itself is never deleted (the API cannot). Observe the
 * HerokuMappings still bound to it, decide ({@link ConnectionDecisions#deletion}: wait for them, so
 * their cleanup can reach the API), then release the credentials Secret.
 */
final class ConnectionCleanup implements Cleanup<HerokuConnection, HerokuConnectionStatus, ConnectionCleanup.Observed, DeletionStep> {
  /** The HerokuMappings still bound to it, and whether a Salesforce API version change holds its add-on paused. */
  record Observed(List<String> mappings, boolean resumeFirst) {}

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
    return new Observed(mappingsOf.apply(ctx.resource()), holds && ctx.management().writes() && !ctx.resource().getSpec().isPaused());
  }

  @Override
  public ConnectionDecisions.Deletion decide(Observed o) {
    return ConnectionDecisions.deletion(o.mappings(), o.resumeFirst());
  }

  @Override
  public ManagedLoop.Deletion act(DeletionStep step, Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, Observed seen) {
    return switch (step) { // exhaustive: only these two write (ConnectionDecisions.Deletion#finish)
      case RESUME_THEN_RELEASE -> {
        external.resumeWhatTheChangePaused(ctx); // a failure is the loop's to report and retry, the finalizer staying
        yield releaseCredentials(ctx);
      }
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
