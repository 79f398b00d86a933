package dev.herokuconnect.operator.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** LOG_FORMAT=json (one JSON object per line) and LOG_LEVEL, on top of logback.xml. */
public final class Logging {
  private Logging() {}

  public static void configureFromEnv() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    String level = System.getenv("LOG_LEVEL");
    if (level != null && !level.isBlank()) root.setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
    if (!"json".equalsIgnoreCase(System.getenv("LOG_FORMAT"))) return;
    JsonLayout layout = new JsonLayout();
    layout.setContext(ctx);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(ctx);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setName("JSON");
    appender.setEncoder(encoder);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  /** {"time","level","logger","namespace","name","message","error"} per line. */
  static final class JsonLayout extends LayoutBase<ILoggingEvent> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String doLayout(ILoggingEvent e) {
      ObjectNode n = JSON.createObjectNode()
          .put("time", Instant.ofEpochMilli(e.getTimeStamp()).toString())
          .put("level", e.getLevel().toString())
          .put("logger", e.getLoggerName());
      String ns = e.getMDCPropertyMap().get("resource.namespace");
      String name = e.getMDCPropertyMap().get("resource.name");
      if (ns != null) n.put("namespace", ns);
      if (name != null) n.put("name", name);
      n.put("message", e.getFormattedMessage());
      if (e.getThrowableProxy() != null) n.put("error", ThrowableProxyUtil.asString(e.getThrowableProxy()));
      return n + "\n";
    }
  }
}
