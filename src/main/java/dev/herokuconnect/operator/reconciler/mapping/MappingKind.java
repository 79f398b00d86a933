package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.MappingStatusView;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import dev.herokuconnect.operator.reconciler.loop.ActionLedger;
import dev.herokuconnect.operator.reconciler.loop.Cleanup;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.ExternalClient;
import dev.herokuconnect.operator.reconciler.loop.Decision;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.Kind;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Step;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * The HerokuMapping kind, as the loop runs it: its external client ({@link MappingExternal}), its
 * decisions ({@link MappingDecisions}), its report (status from the remote mapping), its cleanup
 * ({@link MappingCleanup}). No sequencing lives here: that is {@link dev.herokuconnect.operator.reconciler.loop.ManagedLoop}'s.
 */
public final class MappingKind implements Kind<HerokuMapping, HerokuMappingStatus, MappingObservation, Step> {
  private final Directory directory;
  private final Connector connector;
  private final MappingLinks links;
  private final MappingExternal external;
  private final MappingCleanup cleanup;
  private final WriteErrors writeErrors;

  public MappingKind(Directory directory, Connector connector, Connector.Secrets secrets, SnapshotCache snapshots,
                     Intervals intervals, Clock clock, ActionLedger actions) {
    this.directory = directory;
    this.connector = connector;
    this.links = new MappingLinks(directory, connector, secrets);
    this.external = new MappingExternal(links, directory, snapshots, intervals, clock, actions);
    this.cleanup = new MappingCleanup(links, directory, external);
    this.writeErrors = new WriteErrors(clock, intervals);
  }

  public int held() { return writeErrors.held(); }

  @Override
  public HerokuMappingStatus newStatus() {
    return new HerokuMappingStatus();
  }

  @Override
  public Management management(HerokuMapping m) {
    return Management.of(m, m.getSpec().getDeletionPolicy(), links.connection(m).orElse(null));
  }

  @Override
  public String doing(HerokuMapping m) {
    return "reconciling mapping " + m.getSpec().getObjectName();
  }

  @Override
  public String credentialsHint(HerokuMapping m) {
    return "fix the credentials of HerokuConnection " + Binding.of(m).connectionName();
  }

  @Override
  public ExternalClient<HerokuMapping, HerokuMappingStatus, MappingObservation, Step> external() {
    return external;
  }

  @Override
  public MappingDecisions.Plan decide(MappingObservation observed) {
    return MappingDecisions.plan(observed.facts());
  }

  /** Status from the remote mapping the steps left (drift only while observe-only), and where it stands. */
  @Override
  public Outcome report(Reconcile<HerokuMapping, HerokuMappingStatus> ctx, MappingObservation o, Decision<Step> decided,
                        List<Step> done) {
    HerokuMappingStatus status = ctx.status();
    Outcome stop = decided.stop();
    if (stop != null && done.isEmpty()) return keepMessage(stop, status);
    Mapping remote = o.current();
    List<String> drift = remote == null ? List.of()
        : MappingConfigs.differences(ctx.resource().getSpec(), remote.config() == null ? new MappingConfig() : remote.config());
    status.setDrift(o.facts().management().observeOnly() ? drift : List.of());
    if (remote == null) return stop;
    status.setConnectionId(o.connected().connectionId());
    fillStatus(status, remote);
    writeErrors.read(ctx, remote, o.connected().api());
    return stop != null ? keepMessage(stop, status) : MappingDecisions.outcome(o.facts(), remote, done, drift);
  }

  /** A repeated refusal keeps the message the API gave when it refused. */
  private static Outcome keepMessage(Outcome o, HerokuMappingStatus status) {
    if (o.message() != null) return o;
    String was = Conditions.find(status, Conditions.STALLED).map(c -> c.getMessage()).orElse("the API refused this spec");
    return new Outcome(o.kind(), o.reason(), was, o.requeue(), o.after());
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

  @Override
  public Cleanup<HerokuMapping, HerokuMappingStatus, ?, ?> cleanup() {
    return cleanup;
  }

  @Override
  public void deleted(HerokuMapping m) {
    writeErrors.forget(m.getMetadata().getUid());
    directory.markGone(m); // it claims nothing from now on, though the caches show it a moment longer
  }

  /** The mapping's cleanup is done: what was kept for objects gone without one goes. */
  @Override
  public void retain(Set<String> live) {
    writeErrors.retain(live);
    connector.retain(live); // connections deleted without a cleanup: their clients (and tokens) go too
  }
}
