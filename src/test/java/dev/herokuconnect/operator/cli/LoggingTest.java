package dev.herokuconnect.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoggingTest {
  @Test
  void jsonLinesCarryTheObjectAndTheMessage() throws Exception {
    LoggerContext ctx = new LoggerContext();
    Logging.JsonLayout layout = new Logging.JsonLayout();
    layout.setContext(ctx);
    layout.start();
    LoggingEvent e = new LoggingEvent("x", ctx.getLogger("dev.herokuconnect.operator.reconciler.mapping.MappingReconciler"), Level.INFO,
        "created the remote mapping {} of {}", new IllegalStateException("boom"), new Object[] {"m-1", "Account"});
    e.setMDCPropertyMap(Map.of("resource.namespace", "crm", "resource.name", "account"));
    String line = layout.doLayout(e);
    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line");
    JsonNode json = new ObjectMapper().readTree(line);
    assertEquals("INFO", json.path("level").asText());
    assertEquals("crm", json.path("namespace").asText());
    assertEquals("account", json.path("name").asText());
    assertEquals("created the remote mapping m-1 of Account", json.path("message").asText());
    assertTrue(json.path("error").asText().contains("boom"));
  }
}
