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
import dev.herokuconnect.operator.fake.FakeConnectApi.Garbage;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** Garbage from the API, and the token kept out of everything a person or a machine can read. */
class BadAnswersAndSecretsTest extends OperatorTestBase {

  @ParameterizedTest
  @EnumSource(value = Garbage.class, names = {"HTML_PAGE", "INVALID_JSON", "MISSING_FIELDS", "HUGE_BODY"})
  void garbageGivesAClearConditionAndTheOperatorRecovers(Garbage garbage) {
    readyConnection();
    fake.setGarbage(garbage);
    reconcileConnectionNow();
    HerokuConnection c = awaitConnection(connectionReason(Conditions.RECONCILING, Reasons.REMOTE_ERROR), "reports " + garbage);
    String msg = Conditions.find(c.getStatus(), Conditions.RECONCILING).map(Condition::getMessage).orElse("");
    assertTrue(msg.contains("GET /connections/{id}?deep"), msg);
    System.out.println(garbage + " -> " + msg);
    fake.setGarbage(Garbage.NONE);
    reconcileConnectionNow();
    awaitConnection(x -> Conditions.isTrue(x.getStatus(), Conditions.READY)
        && !Conditions.isTrue(x.getStatus(), Conditions.RECONCILING), "recovers");
  }

  @Test
  void anUnknownStateIsShownVerbatimAndTreatedAsSettling() {
    readyConnection();
    fake.setGarbage(Garbage.UNKNOWN_STATE);
    reconcileConnectionNow();
    HerokuConnection c = awaitConnection(x -> "QUANTUM_FLUX".equals(x.getStatus().getState()), "shows the state");
    assertTrue(Conditions.isTrue(c.getStatus(), Conditions.RECONCILING));
    assertFalse(Conditions.isTrue(c.getStatus(), Conditions.STALLED));
  }

  @Test
  void plainHttpToARemoteHostIsRefusedWithAClearMessage() {
    apply(secret(TOKEN) + "---\n" + connection("connectionId: " + connectionId + "\napiUrl: http://connect-oregon.heroku.com/api/v3"));
    HerokuConnection c = awaitConnection(connectionReason(Conditions.STALLED, Reasons.INVALID_SPEC), "refuses");
    String msg = Conditions.find(c.getStatus(), Conditions.STALLED).get().getMessage();
    assertTrue(msg.contains("plain http") && msg.contains("https"), msg);
  }

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
