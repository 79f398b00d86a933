package dev.herokuconnect.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.reconciler.loop.StateTable;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ObjectMetricsTest {
  @Test
  void theExportedStatesAreTheOnesTheOperatorKnows() {
    for (String s : ObjectMetrics.CONNECTION_STATES) {
      assertTrue(s.equals(ObjectMetrics.OTHER) || StateTable.CONNECTION.known(s), "unknown connection state listed: " + s);
    }
    for (String s : ObjectMetrics.MAPPING_STATES) {
      boolean settling = s.equals("INITIAL") || s.equals("SCHEMA_CHANGED") || s.equals("RECOVERY"); // settling: the table's default
      assertTrue(s.equals(ObjectMetrics.OTHER) || settling || StateTable.MAPPING.known(s), "unknown mapping state listed: " + s);
    }
    assertEquals(ObjectMetrics.OTHER, ObjectMetrics.CONNECTION_STATES.get(ObjectMetrics.CONNECTION_STATES.size() - 1));
    assertEquals(ObjectMetrics.OTHER, ObjectMetrics.MAPPING_STATES.get(ObjectMetrics.MAPPING_STATES.size() - 1));
  }

  @Test
  void timesAsTheApiWritesThem() {
    assertEquals(Instant.parse("2024-05-08T16:27:58Z"), ObjectMetrics.parseTime("2024-05-08T16:27:58Z"));
    assertEquals(Instant.parse("2024-05-08T16:27:58.740431Z"), ObjectMetrics.parseTime("2024-05-08T18:27:58.740431+02:00"));
    assertEquals(Instant.parse("2024-05-08T16:27:58Z"), ObjectMetrics.parseTime("2024-05-08T16:27:58"));
    assertNull(ObjectMetrics.parseTime(null));
    assertNull(ObjectMetrics.parseTime("yesterday"));
  }
}
