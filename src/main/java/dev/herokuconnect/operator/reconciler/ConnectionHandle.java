package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.connect.ConnectApi;

/** What a mapping needs to talk to its connection: the resolved id and an API client. */
public record ConnectionHandle(String namespace, String name, String connectionId, String resourceName, ConnectApi api) {
  public static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  public String key() {
    return key(namespace, name);
  }
}
