package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.crd.ConditionedStatus;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.Decision;
import dev.herokuconnect.operator.reconciler.loop.Events;
import dev.herokuconnect.operator.reconciler.loop.ExternalClient;
import dev.herokuconnect.operator.reconciler.loop.Kind;
import dev.herokuconnect.operator.reconciler.loop.ManagedLoop;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.PlannedStep;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A kind for testing the loop alone: each pass observes nothing, decides nothing, and reports what
 * the test says ({@link #next}); each cleanup is done at once. It records every pass.
 */
class ScriptedKind<R extends CustomResource<?, S>, S extends ConditionedStatus>
    implements Kind<R, S, Object, ScriptedKind.NoStep> {
  enum NoStep implements PlannedStep {
    ;

    @Override
    public boolean writes() {
      return false;
    }
  }

  private record NoSteps() implements Decision<NoStep> {
    @Override public List<NoStep> steps() { return List.of(); }
    @Override public Outcome stop() { return null; }
  }

  final Supplier<S> status;
  final List<ManagedLoop.Pass> passes = new ArrayList<>();
  Supplier<Outcome> next = () -> Outcome.ready("in sync", StateTable.Requeue.REFRESH);
  Management management = Management.MANAGE;
  String doing = "testing";

  ScriptedKind(Supplier<S> status) {
    this.status = status;
  }

  @Override public S newStatus() { return status.get(); }

  @Override public Management management(R r) { return management; }

  @Override public String doing(R r) { return doing; }

  @Override public String credentialsHint(R r) { return "fix the credentials"; }

  @Override
  public ExternalClient<R, S, Object, NoStep> external() {
    return new ExternalClient<>() {
      @Override public Object observe(Reconcile<R, S> pass) {
        passes.add(pass.pass());
        return "observed";
      }

      @Override public Object act(NoStep step, Reconcile<R, S> pass, Object observed) {
        throw new IllegalStateException("no step is ever decided");
      }
    };
  }

  @Override public Decision<NoStep> decide(Object observed) { return new NoSteps(); }

  @Override public Outcome report(Reconcile<R, S> pass, Object observed, Decision<NoStep> decided, List<NoStep> done) {
    return next.get();
  }

  @Override
  public Cleanup<R, S, ?, ?> cleanup() {
    return new Cleanup<R, S, Object, NoStep>() {
      @Override public Object observe(Reconcile<R, S> pass) { return "observed"; }

      @Override public Cleanup.Verdict<NoStep> decide(Object observed) {
        return new Cleanup.Verdict<>() {
          @Override public NoStep step() { return null; }
          @Override public Events.Note event() { return null; }
          @Override public Cleanup.Finish finish() { return Cleanup.Finish.DONE; }
        };
      }

      @Override public ManagedLoop.Deletion act(NoStep step, Reconcile<R, S> pass, Object observed) {
        throw new IllegalStateException("nothing to send");
      }
    };
  }

  ManagedLoop.Pass lastPass() {
    return passes.get(passes.size() - 1);
  }
}
