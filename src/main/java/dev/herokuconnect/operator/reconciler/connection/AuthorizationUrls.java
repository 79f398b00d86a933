package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The authorization URL asked for, per object and entry (state@generation): a reconcile that reads
 * a status from before its own write (or whose write was lost) shows this URL again rather than
 * asking twice.
 */
final class AuthorizationUrls {
  private record Asked(String entry, String url) {}

  private final Map<String, Asked> askedFor = new ConcurrentHashMap<>();

  void asked(HerokuConnection c, String state, String url) {
    askedFor.put(c.getMetadata().getUid(), new Asked(entry(c, state), url));
  }

  /** Part of observing: the URL this process asked for in this state and generation, when status lacks it. */
  void show(HerokuConnection c, HerokuConnectionStatus status, String state) {
    Asked memo = askedFor.get(c.getMetadata().getUid());
    if (memo != null && memo.entry().equals(entry(c, state)) && status.getAuthorizationUrl() == null) {
      status.setAuthorizationUrl(memo.url());
      status.setAuthorizationUrlForState(state);
    }
  }

  private static String entry(HerokuConnection c, String state) {
    return state + "@" + c.getMetadata().getGeneration();
  }

  void forget(HerokuConnection c) {
    askedFor.remove(c.getMetadata().getUid());
  }

  void retain(Set<String> live) {
    askedFor.keySet().retainAll(live);
  }

  int held() {
    return askedFor.size();
  }
}
