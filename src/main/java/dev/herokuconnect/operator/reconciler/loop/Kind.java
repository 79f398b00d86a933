package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.List;
import java.util.Set;

/**
 * What one kind supplies to the loop: its external client, its pure decisions, its report, its
 * cleanup. The sequencing (observe → decide → act → report, a second round after writes, the
 * conditions, the Events, failures, backoff) is the loop's alone ({@link ManagedLoop}).
 *
 * @param <O> the kind's observation
 * @param <T> the steps its decisions choose
 */
public interface Kind<R extends CustomResource<?, S>, S extends ConditionedStatus, O, T extends PlannedStep> {
  S newStatus();

  Management management(R resource);

  /** What the loop was doing, for messages: "reconciling mapping Account". */
  String doing(R resource);

  /** What a person does when the API refuses the token. */
  String credentialsHint(R resource);

  ExternalClient<R, S, O, T> external();

  /** Pure: the steps for what was observed (the same function {@code plan} runs). */
  Decision<T> decide(O observed);

  /**
   * After a round of steps: what to decide on next, a fresh read when a step {@link PlannedStep#writes}
   * (a pause waits for the configure before it), else the observation the steps' own answers
   * left; null ends the pass's rounds (the report follows).
   */
  default O observeAfter(Reconcile<R, S> pass, O observed, List<T> round) {
    return null;
  }

  /** Status from the last observation, and where the object stands: the decision's stop, or what the steps left. */
  Outcome report(Reconcile<R, S> pass, O observed, Decision<T> decided, List<T> done);

  /** Status the kind shows whatever the pass met, exceptions included (the connection's budget). */
  default void reportAlways(Reconcile<R, S> pass) {}

  Cleanup<R, S, ?, ?> cleanup();

  /** The cleanup is done: release what is kept for the object, and wake whoever takes over from it. */
  default void deleted(R resource) {}

  /** Keep only what belongs to these uids (objects that went without a cleanup leave nothing). */
  default void retain(Set<String> live) {}
}
