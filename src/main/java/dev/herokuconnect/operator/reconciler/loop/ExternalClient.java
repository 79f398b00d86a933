package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.client.CustomResource;

/**
 * One kind's remote side, as crossplane-runtime's {@code ExternalClient}: {@link #observe} reads
 * (through the shared snapshot) into an observation record, and {@link #act} sends the one write a
 * decision chose. The loop calls them in order ({@link ManagedLoop#reconcile}); neither decides.
 *
 * @param <O> the observation: what exists remotely, how it differs from the spec, its state, what is in flight
 * @param <T> the steps a decision can choose
 */
public interface ExternalClient<R extends CustomResource<?, S>, S extends ConditionedStatus, O, T> {
  /** Reads only: what the remote side is now, as far as this pass needs to know. */
  O observe(Reconcile<R, S> pass);

  /** Sends one decided step; returns the observation it leaves (the write's own answer, folded in). */
  O act(T step, Reconcile<R, S> pass, O observed);
}
