package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.client.CustomResource;

/**
 * One kind's deletion, run by the same loop ({@link ManagedLoop#cleanup}): observe what deleting
 * the object touches, decide (pure: the step, its Event, and whether the finalizer goes, waits or
 * the step must be sent), act (the one write).
 *
 * @param <D> the deletion's observation
 * @param <T> its steps
 */
public interface Cleanup<R extends CustomResource<?, S>, S extends ConditionedStatus, D, T> {
  D observe(Reconcile<R, S> pass);

  Verdict<T> decide(D observed);

  /** Sends the decided step (only for {@link Finish#ACT}): done, or try again. */
  ManagedLoop.Deletion act(T step, Reconcile<R, S> pass, D observed);

  /** How a cleanup decision ends the pass. */
  enum Finish {
    /** the finalizer goes: nothing (more) to send */
    DONE,
    /** not now: look again with the object's backoff */
    RETRY,
    /** not now: look again after the settling interval (something else is being deleted first) */
    POLL,
    /** send the step, then its result decides */
    ACT
  }

  /** A cleanup decision: the step, the Event that reports it (or null), and how the pass ends. */
  interface Verdict<T> {
    T step();

    Events.Note event();

    Finish finish();
  }
}
