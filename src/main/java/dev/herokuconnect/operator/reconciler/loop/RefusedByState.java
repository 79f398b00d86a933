package dev.herokuconnect.operator.reconciler.loop;

/**
 * A write the API refused because of the remote state, not the spec: a mapping created while its
 * connection is not set up or authorized, a pause once the connection has left IDLE. The pass
 * ends with {@link #outcome()} (waiting, retried soon), never Stalled InvalidSpec, which would
 * wait for a spec change that nothing needs: one mechanism in the loop for both kinds.
 */
public final class RefusedByState extends RuntimeException {
  private final transient Outcome outcome;

  public RefusedByState(Outcome outcome) {
    super(outcome.message(), null, false, false);
    this.outcome = outcome;
  }

  public Outcome outcome() {
    return outcome;
  }
}
