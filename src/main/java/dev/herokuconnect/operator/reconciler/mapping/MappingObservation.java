package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Facts;
import java.util.List;

/**
 * What one pass observed of a HerokuMapping's remote side (crossplane's ExternalObservation): the
 * decision's facts, the connection's client when it can be used, and the remote mapping as it is
 * now ({@code current}: as read, then as each write left it).
 */
public record MappingObservation(Facts facts, Connector.Connected connected, Mapping current) {

  static MappingObservation of(Facts facts, Connector.Connected connected) {
    return new MappingObservation(facts, connected, facts.remote());
  }

  MappingObservation with(Mapping now) {
    return new MappingObservation(facts, connected, now);
  }

  /** A remote mapping of the object exists (found by the bound id, else by object name). */
  public boolean exists() {
    return current != null;
  }

  /** The remote mapping matches the spec. */
  public boolean upToDate() {
    return facts.drift().isEmpty();
  }

  /** How the remote mapping differs from the spec, one line a field. */
  public List<String> differences() {
    return facts.drift();
  }

  /** The remote mapping's state (null when none exists), and the connection's. */
  public String remoteState() {
    return current == null ? null : current.state();
  }

  public String connectionState() {
    return facts.connectionState();
  }

  /** What is in flight: the actions asked for by annotation and not sent yet. */
  public List<Request> requested() {
    return facts.requested();
  }
}
