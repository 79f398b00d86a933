package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.connect.ConnectApi;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingSpec;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps one remote mapping equal to its HerokuMapping: adopt or create, edit with the
 * revision only when something differs, reload/abort on request, delete per policy. Reads
 * come from the connection's shared deep snapshot; a mapping never needs its own GET.
 */
@ControllerConfiguration(name = "herokumapping", finalizerName = Crds.FINALIZER)
public class MappingReconciler implements Reconciler<HerokuMapping>, Cleaner<HerokuMapping> {
  static final String CONNECTION_INDEX = "mapping-by-connection";
  private static final int PUT_ATTEMPTS = 3;

  private final Services s;
  private final SimpleInboundEventSource<HerokuMapping> snapshotEvents = new SimpleInboundEventSource<>("snapshots");

  public MappingReconciler(Services services) {
    this.s = services;
  }

  @Override
  public List<EventSource<?, HerokuMapping>> prepareEventSources(EventSourceContext<HerokuMapping> context) {
    context.getPrimaryCache().addIndexer(CONNECTION_INDEX, m -> List.of(connectionKey(m)));
    var connections = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(HerokuConnection.class, HerokuMapping.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(c -> mappingsOf(context, c.getMetadata().getNamespace(), c.getMetadata().getName()))
            .withPrimaryToSecondaryMapper(m -> Set.of(new ResourceID(
                ((HerokuMapping) m).getSpec().getConnectionRef().getName(), ((HerokuMapping) m).getMetadata().getNamespace())))
            .withOnUpdateFilter(MappingReconciler::connectionChangeMatters)
            .build(),
        context);
    // A new deep snapshot of a connection wakes its mappings, so their status follows it.
    s.snapshots.onChange(connectionId -> s.registry.byConnectionId(connectionId).ifPresent(h ->
        mappingsOf(context, h.namespace(), h.name()).forEach(snapshotEvents::propagateEvent)));
    return List.of(connections, snapshotEvents);
  }

  private static Set<ResourceID> mappingsOf(EventSourceContext<HerokuMapping> context, String ns, String name) {
    return context.getPrimaryCache().byIndex(CONNECTION_INDEX, ns + "/" + name).stream()
        .map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  private static String connectionKey(HerokuMapping m) {
    return m.getMetadata().getNamespace() + "/" + m.getSpec().getConnectionRef().getName();
  }

  /** Only what decides whether mappings can proceed, not every rate-limit figure. */
  private static boolean connectionChangeMatters(HerokuConnection now, HerokuConnection before) {
    HerokuConnectionStatus a = now.getStatus();
    HerokuConnectionStatus b = before.getStatus();
    if (a == null || b == null) return a != b;
    return !Objects.equals(a.getState(), b.getState())
        || !Objects.equals(a.getConnectionId(), b.getConnectionId())
        || !Objects.equals(readiness(a), readiness(b))
        || !Objects.equals(now.getMetadata().getAnnotations(), before.getMetadata().getAnnotations());
  }

  private static String readiness(HerokuConnectionStatus st) {
    return Conditions.find(st, Conditions.READY).map(Condition::getStatus).orElse("")
        + Conditions.find(st, Conditions.STALLED).map(c -> c.getStatus() + c.getReason()).orElse("");
  }

  @Override
  public UpdateControl<HerokuMapping> reconcile(HerokuMapping m, Context<HerokuMapping> context) {
    if (m.getStatus() == null) m.setStatus(new HerokuMappingStatus());
    HerokuMappingStatus status = m.getStatus();
    Object before = Outcomes.snapshotOf(status);
    Outcome outcome;
    try {
      outcome = reconcileRemote(m, context, status);
    } catch (ConnectApiException e) {
      outcome = Outcomes.of(e, "reconciling mapping " + m.getSpec().getObjectName(),
          "fix the credentials of HerokuConnection " + m.getSpec().getConnectionRef().getName(), s, m);
      if (e instanceof ConnectApiException.BadRequest) s.events.warning(m, Reasons.INVALID_SPEC, outcome.message());
    }
    boolean newStall = outcome.kind() == Outcome.Kind.STALLED && !Conditions.isTrue(status, Conditions.STALLED);
    Conditions.apply(status, m.getMetadata().getGeneration(), outcome, s.clock.instant());
    if (newStall && !outcome.reason().equals(Reasons.INVALID_SPEC)) s.events.warning(m, outcome.reason(), outcome.message());
    return Outcomes.control(m, before, status, outcome, s);
  }

  private Outcome reconcileRemote(HerokuMapping m, Context<HerokuMapping> context, HerokuMappingStatus status) {
    HerokuMappingSpec spec = m.getSpec();
    String uid = m.getMetadata().getUid();
    String reconcileAt = Annotations.requested(m, Crds.RECONCILE_REQUESTED_AT, status.getLastHandledReconcileAt());
    boolean refreshWanted = reconcileAt != null;
    if (refreshWanted) status.setLastHandledReconcileAt(reconcileAt); // acted on now; the conditions tell how it went
    // observe: the connection
    Optional<HerokuConnection> conn = context.getSecondaryResource(HerokuConnection.class);
    Optional<ConnectionHandle> handle = s.registry.get(m.getMetadata().getNamespace(), spec.getConnectionRef().getName());
    Outcome waiting = connectionNotReady(m, conn, handle);
    if (waiting != null) return waiting;
    ConnectionHandle h = handle.orElseThrow();
    boolean observeOnly = Annotations.observeOnly(m, conn.get());
    long generation = m.getMetadata().getGeneration();
    boolean specChanged = !Objects.equals(status.getObservedGeneration(), generation);
    String reloadAt = Annotations.requested(m, Crds.RELOAD_REQUESTED_AT, status.getLastHandledReloadAt());
    String abortAt = Annotations.requested(m, Crds.ABORT_REQUESTED_AT, status.getLastHandledAbortAt());
    if (!specChanged && Conditions.find(status, Conditions.STALLED)
        .filter(c -> "True".equals(c.getStatus()) && Reasons.INVALID_SPEC.equals(c.getReason())).isPresent()) {
      // The API refused this generation; asking again would only be refused again.
      return Outcome.stalled(Reasons.INVALID_SPEC, Conditions.find(status, Conditions.STALLED).get().getMessage(), null);
    }
    boolean reloadWanted = reloadAt != null;
    boolean abortWanted = abortAt != null;
    Priority priority = specChanged || reloadWanted || abortWanted || refreshWanted ? Priority.USER : Priority.BACKGROUND;
    ConnectApi api = h.api().withPriority(priority);

    Duration maxAge = refreshWanted ? Duration.ZERO
        : Conditions.isTrue(status, Conditions.READY) && !specChanged ? s.refreshInterval().minusSeconds(1)
        : s.config.settlingInterval();
    SnapshotCache.Snapshot snapshot = s.snapshots.get(h, maxAge, priority);

    // observe: the remote mapping (by id, else by object name)
    Mapping remote = snapshot.mappingById(status.getMappingId()).orElse(null);
    if (remote == null && status.getMappingId() != null && snapshot.fetchedAt().isBefore(s.clock.instant().minus(s.config.settlingInterval()))) {
      snapshot = s.snapshots.get(h, Duration.ZERO, priority); // confirm before believing it is gone
      remote = snapshot.mappingById(status.getMappingId()).orElse(null);
    }
    boolean lost = remote == null && status.getMappingId() != null;
    if (remote == null) {
      remote = snapshot.mappingByObject(spec.getObjectName()).orElse(null);
      if (remote != null && !observeOnly) {
        s.events.normal(m, "Adopted", "adopted the existing remote mapping " + remote.id() + " of " + remote.objectName());
      }
    }

    // reconcile
    if (remote == null) {
      if (observeOnly) {
        status.setMappingId(null);
        status.setDrift(List.of("remote mapping of " + spec.getObjectName() + " does not exist"));
        return Outcome.progressing(Reasons.OBSERVING, "observe-only: no remote mapping of " + spec.getObjectName()
            + " exists; switch " + Crds.RECONCILE_POLICY + " to manage to create it", s.refreshInterval());
      }
      remote = create(m, api, h, lost);
    }
    status.setMappingId(remote.id());
    status.setConnectionId(h.connectionId());

    List<String> drift = MappingConfigs.differences(spec, remote.config() == null ? new MappingConfig() : remote.config());
    if (observeOnly) {
      status.setDrift(drift);
    } else {
      status.setDrift(List.of());
      if (!drift.isEmpty()) remote = edit(m, api, h, remote, drift);
      String id = remote.id();
      if (reloadWanted) {
        s.actOnce(m, "reload", reloadAt, () -> api.reloadMapping(id), "Reloaded",
            "reload requested (" + Crds.RELOAD_REQUESTED_AT + "=" + reloadAt + ")");
        status.setLastHandledReloadAt(reloadAt);
        s.snapshots.invalidate(h.connectionId());
      }
      if (abortWanted) {
        s.actOnce(m, "abort", abortAt, () -> api.abortMapping(id), "Aborted",
            "abort requested (" + Crds.ABORT_REQUESTED_AT + "=" + abortAt + ")");
        status.setLastHandledAbortAt(abortAt);
        s.snapshots.invalidate(h.connectionId());
      }
    }

    fillStatus(status, remote);
    if (reloadWanted || abortWanted) {
      return Outcome.progressing(Reasons.PROGRESSING, "action requested; waiting for the new state", s.config.settlingInterval());
    }
    if (observeOnly && !drift.isEmpty()) {
      return Outcome.progressing(Reasons.OBSERVING, "observe-only: " + drift.size()
          + " difference(s) between spec and the remote mapping, see status.drift", s.refreshInterval());
    }
    return outcomeForState(uid, remote);
  }

  /**
   * Creates the remote mapping. A 400 may mean that someone created it since our snapshot was
   * taken: one fresh read tells, and then it is adopted rather than reported.
   */
  private Mapping create(HerokuMapping m, ConnectApi api, ConnectionHandle h, boolean lost) {
    String object = m.getSpec().getObjectName();
    Mapping created;
    try {
      created = api.withPriority(Priority.USER).createMapping(h.connectionId(), object, MappingConfigs.desired(m.getSpec(), null));
    } catch (ConnectApiException.BadRequest refused) {
      Optional<Mapping> appeared = s.snapshots.get(h, Duration.ZERO, Priority.USER).mappingByObject(object);
      if (appeared.isEmpty()) throw refused;
      s.events.normal(m, "Adopted", "adopted the remote mapping " + appeared.get().id() + " of " + object + ", created elsewhere meanwhile");
      return appeared.get();
    }
    s.snapshots.putMapping(h.connectionId(), created);
    if (lost) {
      s.events.warning(m, "Recreated", "the remote mapping " + m.getStatus().getMappingId()
          + " was deleted outside the operator; created " + created.id() + " again");
    } else {
      s.events.normal(m, "Created", "created the remote mapping " + created.id() + " of " + object);
    }
    return created;
  }

  /** PUT with the revision just read; on 409, read the mapping again and retry. */
  private Mapping edit(HerokuMapping m, ConnectApi api, ConnectionHandle h, Mapping remote, List<String> drift) {
    Mapping current = remote;
    for (int attempt = 1; ; attempt++) {
      try {
        Mapping edited = api.withPriority(Priority.USER).editMapping(current.id(), current.objectName(),
            MappingConfigs.desired(m.getSpec(), current.config()));
        s.snapshots.putMapping(h.connectionId(), edited);
        s.events.normal(m, "Updated", "updated the remote mapping " + current.id() + ": " + String.join("; ", drift));
        return edited;
      } catch (ConnectApiException.Conflict conflict) {
        if (attempt >= PUT_ATTEMPTS) throw conflict;
        current = api.withPriority(Priority.USER).getMapping(current.id());
        s.snapshots.putMapping(h.connectionId(), current);
        if (MappingConfigs.differences(m.getSpec(), current.config()).isEmpty()) return current;
      }
    }
  }

  private Outcome connectionNotReady(HerokuMapping m, Optional<HerokuConnection> conn, Optional<ConnectionHandle> handle) {
    String name = m.getSpec().getConnectionRef().getName();
    if (conn.isEmpty()) {
      return Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection " + m.getMetadata().getNamespace() + "/"
          + name + " (spec.connectionRef) not found", s.config.maxBackoff());
    }
    HerokuConnectionStatus cs = conn.get().getStatus();
    String state = cs == null ? null : cs.getState();
    if (handle.isEmpty() || state == null || !States.acceptsMappings(state)
        || Conditions.isTrue(cs, Conditions.STALLED) && !Reasons.REMOTE_ERROR.equals(Conditions.find(cs, Conditions.STALLED).get().getReason())) {
      String why = cs == null ? "not reconciled yet" : Conditions.find(cs, Conditions.READY)
          .map(c -> c.getReason() + ": " + c.getMessage()).orElse("state " + state);
      // A connection that looks set up but is not registered yet: this process has just started.
      Duration again = handle.isEmpty() && state != null && States.acceptsMappings(state) ? s.config.settlingInterval() : s.refreshInterval();
      return Outcome.progressing(Reasons.CONNECTION_NOT_READY, "waiting for HerokuConnection " + name + " (" + why + ")", again);
    }
    return null;
  }

  private Outcome outcomeForState(String uid, Mapping remote) {
    String state = remote.state();
    String described = state + (remote.stateDescription() == null ? "" : " (" + remote.stateDescription() + ")");
    return switch (States.ofMapping(state)) {
      case HEALTHY -> {
        s.backoff.reset(uid);
        yield Outcome.ready("the mapping is " + described,
            "DATA_SYNCED".equals(state) ? s.refreshInterval() : s.config.settlingInterval().multipliedBy(3));
      }
      case ERROR -> Outcome.stalled(Reasons.REMOTE_ERROR, "the mapping is in the error state " + described
          + ": fix the cause, then set " + Crds.RELOAD_REQUESTED_AT + " (or restart the connection)", s.backoff.next(uid));
      case ABORTED -> Outcome.stalled(Reasons.ABORTED, "the mapping is " + described + ": set " + Crds.RELOAD_REQUESTED_AT
          + " to reload it and resume sync", s.refreshInterval());
      default -> Outcome.progressing(Reasons.PROGRESSING, "the mapping is " + described, s.config.settlingInterval());
    };
  }

  private static void fillStatus(HerokuMappingStatus st, Mapping remote) {
    st.setState(remote.state());
    st.setStateDescription(remote.stateDescription());
    st.setRevision(remote.config() == null ? null : remote.config().revision());
    st.setActivelyWriting(remote.activelyWriting());
    if (remote.counts() != null) {
      st.setCounts(new HerokuMappingStatus.Counts(remote.counts().db(), remote.counts().sf(), remote.counts().errors(), remote.counts().pending()));
    }
    if (remote.times() != null) {
      st.setTimes(new HerokuMappingStatus.Times(remote.times().dbPoll(), remote.times().dbWrite(), remote.times().sfPoll(), remote.times().sfWrite()));
    }
    st.setLastSyncTime(MappingStatusView.lastSyncTime(remote));
  }

  /**
   * Delete removes the remote mapping (404 counts as done); Orphan and observe-only leave it.
   * Failures keep the finalizer and are retried with backoff, each with an Event.
   */
  @Override
  public DeleteControl cleanup(HerokuMapping m, Context<HerokuMapping> context) {
    HerokuMappingSpec spec = m.getSpec();
    Optional<HerokuConnection> conn = context.getSecondaryResource(HerokuConnection.class);
    if (spec.getDeletionPolicy() == HerokuMappingSpec.DeletionPolicy.Orphan || Annotations.observeOnly(m, conn.orElse(null))) {
      s.events.normal(m, "Orphaned", "left the remote mapping of " + spec.getObjectName() + " in place ("
          + (spec.getDeletionPolicy() == HerokuMappingSpec.DeletionPolicy.Orphan ? "deletionPolicy: Orphan" : "observe-only") + ")");
      return DeleteControl.defaultDelete();
    }
    String mappingId = m.getStatus() == null ? null : m.getStatus().getMappingId();
    Optional<ConnectionHandle> handle = s.registry.get(m.getMetadata().getNamespace(), spec.getConnectionRef().getName());
    if (handle.isEmpty()) {
      if (conn.isEmpty() && mappingId == null) return DeleteControl.defaultDelete(); // never reached the API
      s.events.warning(m, "DeleteWaiting", "cannot delete the remote mapping of " + spec.getObjectName() + " yet: HerokuConnection "
          + spec.getConnectionRef().getName() + (conn.isEmpty() ? " does not exist; create it again, or set deletionPolicy: Orphan"
          : " is not ready"));
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(s.realDelay(s.backoff.next(m.getMetadata().getUid())));
    }
    ConnectionHandle h = handle.get();
    try {
      SnapshotCache.Snapshot snap = s.snapshots.get(h, s.config.settlingInterval(), Priority.USER);
      Optional<Mapping> remote = snap.mappingById(mappingId).or(() -> snap.mappingByObject(spec.getObjectName()));
      if (remote.isPresent()) {
        try {
          h.api().withPriority(Priority.USER).deleteMapping(remote.get().id());
        } catch (ConnectApiException.NotFound gone) {
          // already gone: that is what we wanted
        }
        s.snapshots.removeMapping(h.connectionId(), remote.get().id());
        s.events.normal(m, "Deleted", "deleted the remote mapping " + remote.get().id() + " of " + spec.getObjectName());
      }
      s.backoff.reset(m.getMetadata().getUid());
      return DeleteControl.defaultDelete();
    } catch (ConnectApiException e) {
      Outcome o = Outcomes.of(e, "deleting the remote mapping of " + spec.getObjectName(),
          "fix the credentials of HerokuConnection " + spec.getConnectionRef().getName(), s, m);
      Duration again = o.requeue() == null ? s.backoff.next(m.getMetadata().getUid()) : o.requeue();
      s.events.warning(m, "DeleteFailed", o.message() + "; trying again in " + again.toSeconds() + " s");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(s.realDelay(again));
    }
  }
}
