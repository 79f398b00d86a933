package dev.herokuconnect.operator.reconciler.loop;

import java.util.List;

/**
 * What a kind's pure decision chose from one observation: the steps to send, in order, and where
 * the object stands if the pass stops there ({@code stop}, or null when the report decides).
 */
public interface Decision<T extends PlannedStep> {
  List<T> steps();

  Outcome stop();

}
