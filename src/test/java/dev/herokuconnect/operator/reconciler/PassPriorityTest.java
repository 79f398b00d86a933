package dev.herokuconnect.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: what people asked for keeps USER priority until it has been acted on, whatever the
 * first attempt ran into (ManagedLoop.Pass, through the loop itself, without HTTP).
 */
class PassPriorityTest {
  static final Events QUIET = new Events() {
    @Override public void normal(HasMetadata o, String reason, String message) {}

    @Override public void warning(HasMetadata o, String reason, String message) {}
  };

  final ManagedLoop loop = new ManagedLoop(Clock.systemUTC(), new Intervals(OperatorConfig.fromEnv(Map.of()), 4500), QUIET);

  /** A kind that records each pass and ends it as told. */
  static final class Recording<R extends CustomResource<?, S>, S extends dev.herokuconnect.operator.crd.ConditionedStatus>
      extends ScriptedKind<R, S> {
    Recording(Supplier<S> status) { super(status); }

    Priority last() { return lastPass().priority(); }
  }

  static HerokuMapping mapping(long generation, Map<String, String> annotations) {
    HerokuMapping m = new HerokuMapping();
    m.setMetadata(new ObjectMetaBuilder().withName("account").withNamespace("crm").withUid("u-1").withGeneration(generation)
        .withAnnotations(annotations).build());
    return m;
  }

  /** A mapping whose generation was acted on: its next refresh is background work. */
  HerokuMapping settled(Recording<HerokuMapping, HerokuMappingStatus> sync) {
    HerokuMapping m = mapping(1, Map.of());
    loop.reconcile(m, sync);
    assertEquals(Priority.USER, sync.last(), "a new object is a spec change");
    loop.reconcile(m, sync);
    assertEquals(Priority.BACKGROUND, sync.last(), "then a refresh is background work");
    return m;
  }

  @Test
  void aSpecChangeStaysUserUntilAPassActsOnIt() {
    List<ConnectApiException> stops = List.of(
        new ConnectApiException.ServerError("PUT /mappings/{id}", 500, "Internal Server Error"),
        new ConnectApiException.RateLimited("GET /connections/{id}", "the operator's API budget is spent", Instant.now().plusSeconds(60)),
        new ConnectApiException.Throttled("PUT /mappings/{id}", "429", java.time.Duration.ofMinutes(1), Instant.now().plusSeconds(60)));
    for (ConnectApiException stop : stops) {
      var sync = new Recording<HerokuMapping, HerokuMappingStatus>(HerokuMappingStatus::new);
      HerokuMapping m = settled(sync);
      m.getMetadata().setGeneration(2L); // kubectl apply of a changed spec
      sync.next = () -> { throw stop; };
      loop.reconcile(m, sync);
      assertEquals(Priority.USER, sync.last());
      loop.reconcile(m, sync);
      assertEquals(Priority.USER, sync.last(), "the retry after " + stop.getClass().getSimpleName() + " keeps USER priority");
      assertEquals(1L, m.getStatus().getObservedGeneration(), "generation 2 not acted on yet");
      sync.next = () -> Outcome.ready("in sync", StateTable.Requeue.REFRESH);
      loop.reconcile(m, sync);
      assertEquals(Priority.USER, sync.last());
      assertEquals(2L, m.getStatus().getObservedGeneration());
      loop.reconcile(m, sync);
      assertEquals(Priority.BACKGROUND, sync.last(), "acted on: back to background refreshes");
    }
  }

  @Test
  void aRefusedSpecIsActedOnAndDoesNotKeepItsPriority() {
    var sync = new Recording<HerokuMapping, HerokuMappingStatus>(HerokuMappingStatus::new);
    HerokuMapping m = settled(sync);
    m.getMetadata().setGeneration(2L);
    sync.next = () -> { throw new ConnectApiException.BadRequest("PUT /mappings/{id}", "object_name: unknown", Map.of()); };
    loop.reconcile(m, sync);
    loop.reconcile(m, sync);
    assertEquals(Priority.BACKGROUND, sync.last(), "a 400 is final until the spec changes: nothing to hurry");
    assertEquals(2L, m.getStatus().getObservedGeneration());
  }

  @Test
  void requestedActionsStayUserUntilHandled() {
    var sync = new Recording<HerokuMapping, HerokuMappingStatus>(HerokuMappingStatus::new);
    HerokuMapping m = settled(sync);
    for (String annotation : List.of(Crds.RELOAD_REQUESTED_AT, Crds.ABORT_REQUESTED_AT)) {
      m.getMetadata().setAnnotations(Map.of(annotation, "2026-12-01T10:00:00Z"));
      loop.reconcile(m, sync);
      loop.reconcile(m, sync);
      assertEquals(Priority.USER, sync.last(), annotation + " pending");
      (annotation.equals(Crds.RELOAD_REQUESTED_AT) ? RequestedAction.RELOAD : RequestedAction.ABORT)
          .markHandled(m.getStatus(), "2026-12-01T10:00:00Z"); // what ActionLedger does when it sends it
      loop.reconcile(m, sync);
      assertEquals(Priority.BACKGROUND, sync.last(), annotation + " handled");
    }

    var connections = new Recording<HerokuConnection, HerokuConnectionStatus>(HerokuConnectionStatus::new);
    HerokuConnection c = new HerokuConnection();
    c.setMetadata(new ObjectMetaBuilder().withName("sales").withNamespace("crm").withUid("u-2").withGeneration(1L).build());
    loop.reconcile(c, connections);
    loop.reconcile(c, connections);
    assertEquals(Priority.BACKGROUND, connections.last());
    for (String annotation : List.of(Crds.RESTART_REQUESTED_AT, Crds.VALIDATE_REQUESTED_AT)) {
      c.getMetadata().setAnnotations(Map.of(annotation, "r1"));
      loop.reconcile(c, connections);
      loop.reconcile(c, connections);
      assertEquals(Priority.USER, connections.last(), annotation + " pending");
      (annotation.equals(Crds.RESTART_REQUESTED_AT) ? RequestedAction.RESTART : RequestedAction.VALIDATE).markHandled(c.getStatus(), "r1");
      loop.reconcile(c, connections);
      assertEquals(Priority.BACKGROUND, connections.last(), annotation + " handled");
    }
  }
}
