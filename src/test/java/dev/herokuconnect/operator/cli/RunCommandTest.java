package dev.herokuconnect.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings step of the operator's start (issue 16): a value that cannot be read stops it with one line. */
class RunCommandTest {
  @Test
  void anUnreadableDurationStopsTheStartWithOneLineNamingTheSetting() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // earlier versions read "1y" as one second and started
    var config = RunCommand.settings(Map.of("HEROKU_CONNECT_REFRESH_INTERVAL", "1y"), new PrintStream(err, true, StandardCharsets.UTF_8));
    String out = err.toString(StandardCharsets.UTF_8);
    assertNull(config, "did not start");
    assertEquals(1, out.lines().count(), out);
    assertEquals("heroku-connect-operator cannot start: HEROKU_CONNECT_REFRESH_INTERVAL=1y is not a duration: write seconds (300), "
        + "numbers with units (90s, 5m, 1h30m, 1d, 2w) or ISO-8601 (PT5M)", out.strip());
  }

  @Test
  void aReadableOneStartsWithWhatWasWritten() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var config = RunCommand.settings(Map.of("HEROKU_CONNECT_REFRESH_INTERVAL", "1d"), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertNotNull(config, err.toString(StandardCharsets.UTF_8));
    assertEquals(Duration.ofDays(1), config.refreshInterval());
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }
}
