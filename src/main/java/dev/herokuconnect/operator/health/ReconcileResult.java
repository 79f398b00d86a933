package dev.herokuconnect.operator.health;

import java.util.Optional;

/**
 * The {@code result} label of {@code heroku_connect_operator_reconcile_total}: how one execution of
 * a controller ended, as the Java Operator SDK saw it. An execution is the reconcile (or cleanup)
 * with the status write and finalizer update the SDK makes after it.
 *
 * <p>The SDK tells its metrics of a success ({@code finishedReconciliation}) and of a failure it
 * will retry ({@code failedReconciliation}), but not of a failure after the last retry, nor of
 * one it runs again at once because a new event came meanwhile: those are told apart here from
 * what did and did not happen during the execution. A failure the operator handles itself (the
 * Connect API answering 5xx, a spec it refuses) is not an error here: the reconcile reports it in
 * the object's conditions and returns normally, so it counts as a success of the controller.
 */
public enum ReconcileResult {
  /** The execution ended normally (status written if it changed). */
  SUCCESS("success"),
  /** It threw (the reconcile, or the status write after it); the SDK runs it again with backoff, or at once for a newer event. */
  ERROR("error"),
  /** It threw on the SDK's last retry: the object waits for its next event (a change, a refresh). */
  RETRY_EXHAUSTED("retry_exhausted");

  private final String label;

  ReconcileResult(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }

  /**
   * How an execution ended, from what the SDK did during it; empty when it is not counted: the
   * operator was stopping (the SDK drops the outcome of an execution that ends after its stop).
   *
   * @param finished the SDK reported a success ({@code finishedReconciliation})
   * @param failed the SDK reported a failure it will retry ({@code failedReconciliation})
   * @param resubmitted the SDK submitted the same object again before the execution ended (a new event meanwhile)
   * @param running the controller's event processor still runs
   */
  public static Optional<ReconcileResult> of(boolean finished, boolean failed, boolean resubmitted, boolean running) {
    if (finished) return Optional.of(SUCCESS);
    if (failed) return Optional.of(ERROR);
    if (!running) return Optional.empty();
    // Neither reported while running: the execution threw, and the SDK either ran it again for a
    // newer event (an error like any other) or had no retry left.
    return Optional.of(resubmitted ? ERROR : RETRY_EXHAUSTED);
  }
}
