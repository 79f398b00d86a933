package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The token kept out of everything a person or a machine can read: the operator's logs at DEBUG
 * (its Kubernetes client and the SDK included, which only the sandbox runs), Events, status and the
 * fake's log. Garbage from the API runs a layer down, in {@link BadAnswersLoopTest}.
 */
class BadAnswersAndSecretsTest extends OperatorTestBase {

  @Test
  void theTokenNeverAppearsInLogsEventsStatusOrTheFakesLog() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
    List<Logger> quiet = new ArrayList<>();
    for (String name : List.of("io.fabric8", "io.javaoperatorsdk", "okhttp3")) {
      Logger l = ctx.getLogger(name);
      quiet.add(l);
      l.setLevel(Level.DEBUG);
    }
    try {
      readyConnection();
      apply(mapping("account", "Account", "") + "---\n" + mapping("ghost", "Ghost", ""));
      awaitMappingReady("account");
      awaitMapping("ghost", mappingReason(Conditions.STALLED, Reasons.INVALID_SPEC), "stalls");
      fake.setFailureRate(0.5);
      reconcileConnectionNow();
      reconcileMappingNow("account");
      fake.setFailureRate(0);
      fake.revokeToken(TOKEN);
      reconcileConnectionNow();
      awaitConnection(connectionReason(Conditions.STALLED, Reasons.UNAUTHORIZED), "stalls on 401");
    } finally {
      root.detachAppender(logs);
      root.setLevel(before);
      quiet.forEach(l -> l.setLevel(Level.WARN));
    }
    StringBuilder everything = new StringBuilder();
    for (ILoggingEvent e : logs.list) {
      // The mock API server stands in for the cluster, which does hold the Secret; the operator's side must not.
      if (e.getLoggerName().startsWith("io.fabric8.kubernetes.client.server.mock") || e.getLoggerName().startsWith("io.fabric8.mockwebserver")) continue;
      everything.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) everything.append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
    }
    assertTrue(logs.list.size() > 100, "DEBUG logs were captured: " + logs.list.size());
    sb.client().v1().events().inNamespace(NS).list().getItems().forEach(e -> everything.append(e.getMessage()).append('\n'));
    everything.append(describe(conn()));
    sb.client().resources(HerokuMapping.class).inNamespace(NS).list().getItems().forEach(m -> everything.append(describe(m)));
    fake.requests().forEach(r -> everything.append(r).append(r.body()).append('\n'));
    assertFalse(everything.toString().contains(TOKEN), "the token leaked");
    assertEquals(-1, everything.indexOf(TOKEN));
  }
}
