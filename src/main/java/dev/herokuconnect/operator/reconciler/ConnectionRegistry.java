package dev.herokuconnect.operator.reconciler;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections the connection controller has resolved (id, API root, token), by
 * namespace/name, for the mapping controller. In memory only: after a restart the
 * connection controller fills it again on its first pass.
 */
public final class ConnectionRegistry {
  private final Map<String, ConnectionHandle> byKey = new ConcurrentHashMap<>();

  public void put(ConnectionHandle handle) {
    byKey.put(handle.key(), handle);
  }

  public Optional<ConnectionHandle> get(String namespace, String name) {
    return Optional.ofNullable(byKey.get(ConnectionHandle.key(namespace, name)));
  }

  public Optional<ConnectionHandle> byConnectionId(String connectionId) {
    return byKey.values().stream().filter(h -> h.connectionId().equals(connectionId)).findFirst();
  }

  public void remove(String namespace, String name) {
    byKey.remove(ConnectionHandle.key(namespace, name));
  }
}
