package dev.herokuconnect.operator.reconciler;

import org.junit.jupiter.api.AfterEach;

/** A middle-layer case: a fresh {@link LoopWorld} per test, closed after it. */
abstract class LoopWorldCase {
  final LoopWorld w;

  LoopWorldCase() {
    try {
      w = new LoopWorld();
    } catch (Exception e) {
      throw new IllegalStateException("the loop world did not start", e);
    }
  }

  @AfterEach
  void closeWorld() {
    w.close();
  }
}
