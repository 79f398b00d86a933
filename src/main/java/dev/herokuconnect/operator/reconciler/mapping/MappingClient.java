package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.HerokuMappingSpec;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Freshness;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache.Snapshot;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import java.time.Instant;

/**
 * The external client for remote mappings of one connection: reads come from the shared
 * snapshot; create, update (PUT with the revision, 409 → read again and retry), delete (404 is
 * done) and the actions go to the API, and every write is folded back into the snapshot.
 */
final class MappingClient {
  private static final int PUT_ATTEMPTS = 3;

  private final SnapshotCache snapshots;
  private final String connectionId;
  private final ConnectionApi api;

  MappingClient(SnapshotCache snapshots, String connectionId, ConnectionApi api) {
    this.snapshots = snapshots;
    this.connectionId = connectionId;
    this.api = api;
  }

  Snapshot snapshot(Freshness want) {
    return snapshots.get(connectionId, api, want);
  }

  Snapshot snapshotTakenAfter(Instant t) {
    return snapshots.get(connectionId, api, Freshness.now(Priority.USER).takenAfter(t));
  }

  Mapping create(String objectName, MappingConfig config) {
    Mapping created = api.createMapping(connectionId, objectName, config);
    snapshots.putMapping(connectionId, created);
    return created;
  }

  /** PUT with the revision just read; on 409, read the mapping again and retry. */
  Mapping update(Mapping remote, HerokuMappingSpec spec) {
    Mapping current = remote;
    for (int attempt = 1; ; attempt++) {
      try {
        Mapping edited = api.editMapping(current.id(), current.objectName(), MappingConfigs.desired(spec, current.config()));
        snapshots.putMapping(connectionId, edited);
        return edited;
      } catch (ConnectApiException.Conflict conflict) {
        if (attempt >= PUT_ATTEMPTS) throw conflict;
        current = api.getMapping(current.id());
        snapshots.putMapping(connectionId, current);
        if (MappingConfigs.differences(spec, current.config()).isEmpty()) return current;
      }
    }
  }

  void delete(String mappingId) {
    try {
      api.deleteMapping(mappingId);
    } catch (ConnectApiException.NotFound gone) {
      // already gone: that is what was wanted
    }
    snapshots.removeMapping(connectionId, mappingId);
  }

  void reload(String mappingId) {
    api.reloadMapping(mappingId);
    snapshots.invalidate(connectionId);
  }

  void abort(String mappingId) {
    api.abortMapping(mappingId);
    snapshots.invalidate(connectionId);
  }
}
