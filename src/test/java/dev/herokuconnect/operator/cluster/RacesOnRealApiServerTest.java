package dev.herokuconnect.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.sandbox.Sandbox;
import dev.herokuconnect.operator.testing.Manifests;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Races on a real kube-apiserver (1.20.2; see {@link KubeApiServerExtension}), made to happen
 * rather than hoped for: the {@link WriteRecorder} in the operator's HTTP client lets the user's
 * edit land between the operator's read and its write, or drops the operator's write as a
 * process dying before it would.
 *
 * <p>The CRDs from crds/ go in without their CEL rules ({@code x-kubernetes-validations}, which
 * 1.20 does not know; stripped by the extension); schema validation, pruning, the status
 * subresource, resourceVersion conflicts and finalizers are the API server's own.
 */
class RacesOnRealApiServerTest extends ClusterTestBase {
  @RegisterExtension
  static final KubeApiServerExtension CLUSTER = new KubeApiServerExtension();

  @Override
  KubeApiServerExtension cluster() { return CLUSTER; }

  private static final String EDIT = "{\"spec\":{\"sfPollingSeconds\":900},\"metadata\":{\"labels\":{\"edited-by\":\"user\"}}}";

  /** Why the user's edit failed, if it did (it runs inside the operator's HTTP call, where a failure would only fail that call). */
  private final AtomicReference<Throwable> editFailure = new AtomicReference<>();

  /** The user's edit, made with the test's own client (another party than the operator). */
  private void userEdit(String name) {
    try {
      kube.resources(HerokuMapping.class).inNamespace(ns).withName(name).patch(MERGE, EDIT);
    } catch (RuntimeException e) {
      editFailure.set(e);
      throw e;
    }
  }

  private void assertEditKeptAndApplied(String name) {
    assertNull(editFailure.get(), () -> "the user's edit failed: " + editFailure.get());
    HerokuMapping m = awaitMapping(name, x -> x.getStatus() != null
        && x.getMetadata().getGeneration().equals(x.getStatus().getObservedGeneration())
        && dev.herokuconnect.operator.reconciler.loop.Conditions.isTrue(x.getStatus(), dev.herokuconnect.operator.reconciler.loop.Conditions.READY),
        "Ready at its latest generation");
    assertEquals(900, m.getSpec().getSfPollingSeconds(), "the user's edit is kept" + writes());
    assertEquals("user", m.getMetadata().getLabels().get("edited-by"), "the user's label is kept");
    assertTrue(m.getMetadata().getFinalizers().contains(Crds.FINALIZER), describe(m));
    assertTrue(Sandbox.await(WAIT, () -> fake.mappings(connectionId).get(0).config().path("sf_polling_seconds").asInt() == 900),
        () -> "the edit reached the remote mapping: " + fake.mappings(connectionId));
    assertEquals(1, fake.mappings(connectionId).size());
  }

  @Test
  void aUserEditBetweenTheOperatorsReadAndItsStatusWriteIsKept() {
    readyConnection();
    apply(Manifests.mapping("account", "Account", "sfPollingSeconds: 600"));
    awaitMappingReady("account");
    AtomicInteger raced = new AtomicInteger(-1);
    int before = recorder.writes().size();
    recorder.hook((method, path) -> {
      if (path.endsWith("/herokumappings/account/status") && raced.compareAndSet(-1, 1)) {
        try {
          userEdit("account");
        } finally {
          raced.set(0); // set once the edit has landed (or failed: editFailure says why), never before it
        }
      }
    });
    // A refresh makes the operator read the object and write its status: the edit lands in between.
    kube.resources(HerokuMapping.class).inNamespace(ns).withName("account")
        .patch(MERGE, "{\"metadata\":{\"annotations\":{\"" + Crds.RECONCILE_REQUESTED_AT + "\":\"now\"}}}");
    assertTrue(Sandbox.await(WAIT, () -> raced.get() == 0), "the operator wrote status after the refresh" + writes());
    assertEditKeptAndApplied("account");
    List<WriteRecorder.Write> after = recorder.writes().subList(before, recorder.writes().size());
    WriteRecorder.Write racedWrite = after.stream().filter(WriteRecorder.Write::status).findFirst().orElseThrow();
    System.out.printf("the status write that raced the user's edit: %s; %d conflicts (409) in all%n",
        racedWrite, recorder.writes().stream().filter(w -> w.code() == 409).count());
  }

  @Test
  void aUserEditBeforeTheOperatorsFirstWriteIsKept() {
    readyConnection();
    AtomicInteger raced = new AtomicInteger(-1);
    recorder.hook((method, path) -> {
      if (path.endsWith("/herokumappings/account") && !method.equals("DELETE") && raced.compareAndSet(-1, 1)) {
        try {
          userEdit("account");
        } finally {
          raced.set(0);
        }
      }
    });
    apply(Manifests.mapping("account", "Account", "sfPollingSeconds: 600"));
    assertTrue(Sandbox.await(WAIT, () -> raced.get() == 0), "the operator wrote the object (its finalizer)" + writes());
    assertEditKeptAndApplied("account");
    System.out.printf("the operator's writes to the object: %s%n",
        recorder.writes().stream().filter(w -> !w.status()).map(WriteRecorder.Write::toString).toList());
    assertEquals(1, count("POST", "/mappings"));
  }

  @Test
  void aRestartBeforeTheStatusWriteKeepsOneRemoteMapping() throws Exception {
    readyConnection();
    // The first process creates the remote mapping but none of its status writes for the mapping lands.
    recorder.hook((method, path) -> {
      if (path.endsWith("/herokumappings/account/status")) throw new IOException("dropped by the test: the process dies before this write");
    });
    apply(Manifests.mapping("account", "Account", ""));
    assertTrue(Sandbox.await(WAIT, () -> fake.mappings(connectionId).size() == 1), "created remotely" + writes());
    crashOperator();
    HerokuMapping left = map("account");
    assertNull(left.getStatus() == null ? null : left.getStatus().getMappingId(), "the object never learnt its mapping id");

    startOperator();
    HerokuMapping m = awaitMappingReady("account");
    assertEquals(1, fake.mappings(connectionId).size(), "one remote mapping: " + fake.mappings(connectionId));
    assertEquals(fake.mappings(connectionId).get(0).id(), m.getStatus().getMappingId(), "adopted");
    assertEquals(1, count("POST", "/mappings"), "created once");
  }
}
