package dev.herokuconnect.operator.reconciler.loop;

/** A step a kind's decision can choose. {@link #writes}: it changes the remote state, so the pass reads what it left before reporting. */
public interface PlannedStep {
  boolean writes();
}
