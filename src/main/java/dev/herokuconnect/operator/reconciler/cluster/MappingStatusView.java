package dev.herokuconnect.operator.reconciler.cluster;

import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.Model.Times;
import java.util.Objects;
import java.util.stream.Stream;

/** Derived values of a remote mapping. */
public final class MappingStatusView {
  private MappingStatusView() {}

  /** The latest of the mapping's poll and write times. */
  public static String lastSyncTime(Mapping m) {
    Times t = m.times();
    if (t == null) return null;
    return Stream.of(t.dbPoll(), t.dbWrite(), t.sfPoll(), t.sfWrite()).filter(Objects::nonNull).max(String::compareTo).orElse(null);
  }
}
