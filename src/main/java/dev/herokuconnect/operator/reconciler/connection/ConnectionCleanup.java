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
final class ConnectionCleanup implements Cleanup<HerokuConnection, HerokuConnectionStatus, List<String>, DeletionStep> {
  private final CredentialsGuard credentials;
  private final Consumer<HerokuConnection> forget;
  /** The names of the HerokuMappings bound to a connection, from the connection controller's own informer. */
  private volatile Function<HerokuConnection, List<String>> mappingsOf = c -> List.of();

  ConnectionCleanup(CredentialsGuard credentials, Consumer<HerokuConnection> forget) {
    this.credentials = credentials;
    this.forget = forget;
  }

  void useMappingsOf(Function<HerokuConnection, List<String>> mappingsOf) {
    this.mappingsOf = mappingsOf;
  }

  @Override
  public List<String> observe(Reconcile<HerokuConnection, HerokuConnectionStatus> ctx) {
    return mappingsOf.apply(ctx.resource());
  }

  @Override
  public ConnectionDecisions.Deletion decide(List<String> mappingsUsingIt) {
    return ConnectionDecisions.deletion(mappingsUsingIt);
  }

  @Override
  public ManagedLoop.Deletion act(DeletionStep step, Reconcile<HerokuConnection, HerokuConnectionStatus> ctx, List<String> seen) {
    return switch (step) { // exhaustive: only RELEASE_CREDENTIALS writes (ConnectionDecisions.Deletion#finish)
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
