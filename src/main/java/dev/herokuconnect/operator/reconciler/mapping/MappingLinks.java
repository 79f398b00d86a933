package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.RefusedUrl;
import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.reconciler.cluster.Binding;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.loop.Conditions;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import java.util.Optional;

/**
 * Observing a HerokuMapping's HerokuConnection: the one it is bound to (never an edited
 * connectionRef), and its client, or why the mapping must wait. Read by the reconcile and the
 * cleanup alike.
 */
final class MappingLinks {
  private final Directory directory;
  private final Connector connector;
  private final Connector.Secrets secrets;

  MappingLinks(Directory directory, Connector connector, Connector.Secrets secrets) {
    this.directory = directory;
    this.connector = connector;
    this.secrets = secrets;
  }

  /** The HerokuConnection the mapping is bound to (its first connectionRef, never an edited one). */
  Optional<HerokuConnection> connection(HerokuMapping m) {
    return directory.connection(m.getMetadata().getNamespace(), Binding.of(m).connectionName());
  }

  /**
   * A connection stalled for these reasons still serves its mappings: a remote error of its own, and
   * a blocked change of its Salesforce API version (which a person unblocks by editing the mappings).
   */
  private static final java.util.Set<String> USABLE_WHILE_STALLED = java.util.Set.of(Reasons.REMOTE_ERROR,
      Reasons.API_VERSION_CHANGE_BLOCKED);

  /** Stalled for a reason that leaves the connection usable, or only because of the Salesforce API version its spec asks for. */
  private static boolean usableWhileStalled(HerokuConnectionStatus cs) {
    String reason = Conditions.find(cs, Conditions.STALLED).get().getReason();
    boolean versionOnly = Reasons.INVALID_SPEC.equals(reason) && cs.getApiVersionChange() != null
        && ApiVersionChangeStatus.PHASE_REFUSED.equals(cs.getApiVersionChange().getPhase());
    return USABLE_WHILE_STALLED.contains(reason) || versionOnly;
  }

  /** The connection and its client, or why the mapping must wait. */
  record Link(HerokuConnection connection, Connector.Connected connected, Outcome waiting) {}

  Link link(HerokuMapping m) {
    String name = Binding.of(m).connectionName();
    Optional<HerokuConnection> conn = connection(m);
    if (conn.isEmpty()) {
      return new Link(null, null, Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection "
          + m.getMetadata().getNamespace() + "/" + name + " (spec.connectionRef) not found", StateTable.Requeue.REFRESH));
    }
    HerokuConnectionStatus cs = conn.get().getStatus();
    String state = cs == null ? null : cs.getState();
    boolean stalled = Conditions.isTrue(cs, Conditions.STALLED) && !usableWhileStalled(cs);
    if (state == null || stalled) {
      String why = cs == null ? "not reconciled yet" : Conditions.find(cs, Conditions.READY)
          .map(c -> c.getReason() + ": " + c.getMessage()).orElse("state " + state);
      return new Link(conn.get(), null, Outcome.progressing(Reasons.CONNECTION_NOT_READY, "waiting for HerokuConnection " + name
          + " (" + why + ")", StateTable.Requeue.SETTLING)); // costs no request; a change of the connection wakes it too
    }
    Connector.Result r = connectTo(conn.get());
    if (!r.ok()) return new Link(conn.get(), null, r.problem());
    String bound = Binding.of(m).connectionId();
    if (bound != null && !bound.equals(r.connected().connectionId())) { // identity: never re-derived from where the connection went
      return new Link(conn.get(), null, Outcome.stalled(Reasons.ADDON_CHANGED, MappingDecisions.addonChanged(name, bound,
          r.connected().connectionId()) + ": nothing is written. If add-on " + bound + " is gone for good, delete this HerokuMapping "
          + "(it deletes nothing elsewhere) and apply it again to create the mapping on the new add-on", StateTable.Requeue.REFRESH));
    }
    if (!directory.ownsAddon(conn.get(), r.connected().connectionId())) {
      return new Link(conn.get(), null, Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection " + name
          + " does not own its add-on (see its status)", StateTable.Requeue.REFRESH));
    }
    return new Link(conn.get(), r.connected(), null);
  }

  /**
   * A client for the connection's add-on. A URL of the connection's that is refused (its host not
   * allowed) is the connection's to fix, not this mapping's spec: the mapping waits for it.
   */
  Connector.Result connectTo(HerokuConnection c) {
    try {
      return connector.connectKnown(c, secrets);
    } catch (RefusedUrl refused) {
      return Connector.Result.failed(Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection "
          + c.getMetadata().getName() + " cannot be reached: " + refused.getMessage(), StateTable.Requeue.SETTLING));
    }
  }
}
