package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.loop.Outcome;

/**
 * What one pass observed of a HerokuConnection's add-on (crossplane's ExternalObservation): where
 * it is and its client, the older HerokuConnection that owns it (if another does), the connection
 * as read, and the decision's facts; or why nothing more can be observed now ({@code stop}: the
 * identity refused, the token or add-on not found, a 429, a non-owner before any read). With
 * spec.addon, {@code addon}: the add-on as the Platform API showed it (null without spec.addon); an
 * observation of only that, the connection unread, while the add-on is not usable yet.
 */
public record ConnectionObservation(Outcome stop, Connector.Connected where, String conflictOwner, Connection remote,
                                    ConnectionDecisions.Facts facts, NotificationDecisions.Facts notices,
                                    AddonDecisions.Facts addon) {

  static ConnectionObservation stopped(Outcome why) {
    return new ConnectionObservation(why, null, null, null, null, null, null);
  }

  /** The add-on is not usable yet (none, provisioning, several): the connection is not read. */
  static ConnectionObservation addonOnly(AddonDecisions.Facts addon) {
    return new ConnectionObservation(null, null, null, null, null, null, addon);
  }

  ConnectionObservation withAddon(AddonDecisions.Facts addon) {
    return new ConnectionObservation(stop, where, conflictOwner, remote, facts, notices, addon);
  }

  /** The add-on exists and was read. */
  public boolean exists() {
    return remote != null;
  }

  /** Database, schema and pause match the spec (a requested restart or authorization aside). */
  public boolean upToDate() {
    return facts != null && !facts.databaseDiffers() && facts.wantPaused() == facts.paused();
  }

  public String remoteState() {
    return remote == null ? null : remote.state();
  }
}
