package dev.herokuconnect.operator.reconciler.cluster;

import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.connect.ApiUrls;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.ConnectionFinder;
import dev.herokuconnect.operator.connect.HostAllowlist;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionSpec;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.RateLimitStatus;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a HerokuConnection and its Secret into a client for its add-on: reads the token, finds
 * the add-on (pinned in the spec, remembered in status, or discovered), and restores the API
 * budget recorded in status before anything can spend. Either controller calls it; the result
 * is cached per object and token, so a mapping never depends on its connection having been
 * reconciled in this process first.
 */
public final class Connector {
  /** How clients for a token are made (Controllers.http: over HTTP, to the real API or the fake one). */
  public interface Clients {
    /** {@code source} names where {@code apiRoot} came from, for the refusal when its host is not allowed. */
    ConnectionApi region(ApiToken token, String apiRoot, HostAllowlist.Source source, String connectionId);

    ConnectionFinder.Found find(ApiToken token, ConnectionFinder.Query query, Priority priority, boolean mayLink);

    /** The Platform API client for a token (spec.addon), paid from the Platform budget, never the Connect one. */
    dev.herokuconnect.operator.platform.PlatformApi platform(ApiToken token);
  }

  /** Where Secrets are read (the connection controller's informer, or a plain GET). */
  public interface Secrets {
    Optional<Secret> get(String namespace, String name);
  }

  /** The add-on one HerokuConnection stands for, and how to reach it. */
  public record Connected(String connectionId, String apiRoot, String resourceName, ConnectionApi api) {}

  /** Connected, or the problem that stops it (a condition for the object). */
  public record Result(Connected connected, Outcome problem) {
    static Result of(Connected c) { return new Result(c, null); }
    public static Result failed(Outcome o) { return new Result(null, o); }
    public boolean ok() { return connected != null; }
  }

  private record Cached(String uid, ApiToken token, String connectionId, String apiRoot, Connected connected) {}

  private final Clients clients;
  private final ApiBudget budget;
  private final Intervals intervals;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public Connector(Clients clients, ApiBudget budget, Intervals intervals) {
    this.clients = clients;
    this.budget = budget;
    this.intervals = intervals;
  }

  /**
   * For the connection controller: may run discovery (linking the user only when
   * {@code mayLink}). {@code secret} is what the caller read, or empty.
   */
  public Result connect(HerokuConnection c, Optional<Secret> secret, Priority priority, boolean mayLink) {
    return connect(c, secret, priority, mayLink, null);
  }

  /**
   * As {@link #connect(HerokuConnection, Optional, Priority, boolean)}, for the add-on spec.addon
   * manages: {@code addonId} (its id is the connection id) is what discovery looks for.
   */
  public Result connect(HerokuConnection c, Optional<Secret> secret, Priority priority, boolean mayLink, String addonId) {
    restoreBudget(c);
    Optional<ApiToken> token = secret.flatMap(s -> tokenIn(s, c));
    if (token.isEmpty()) {
      forget(c);
      return Result.failed(Outcome.stalled(Reasons.UNAUTHORIZED, secretProblem(c, secret), StateTable.Requeue.ERROR_BACKOFF));
    }
    Where where = known(c);
    if (where == null) {
      HerokuConnectionSpec spec = c.getSpec();
      try {
        ConnectionFinder.Found found = clients.find(token.get(), new ConnectionFinder.Query(spec.getAppName(),
            spec.getResourceName(), addonId != null ? addonId : spec.getConnectionId(), spec.getApiUrl()), priority, mayLink);
        where = new Where(found.connectionId(), found.apiRoot(), found.resourceName(), rootSource(spec, "region_url"));
      } catch (ConnectionFinder.NotFound e) {
        return Result.failed(Outcome.stalled(e.ambiguous() ? Reasons.CONNECTION_AMBIGUOUS : Reasons.CONNECTION_NOT_FOUND,
            e.getMessage() + " (spec.appName, spec.resourceName, spec.connectionId)", intervals.maxBackoff()));
      }
    }
    return Result.of(remember(c, token.get(), where));
  }

  /**
   * For the mapping controller and cleanups: the add-on the connection has already resolved
   * (status or pin), never discovery. The token is read again only when not cached.
   */
  public Result connectKnown(HerokuConnection c, Secrets secrets) {
    restoreBudget(c);
    Where where = known(c);
    if (where == null) {
      return Result.failed(Outcome.progressing(Reasons.CONNECTION_NOT_READY, "HerokuConnection " + ref(c)
          + " has not found its add-on yet", intervals.settling()));
    }
    Cached hit = cache.get(ref(c));
    if (hit != null && hit.connectionId().equals(where.id()) && hit.apiRoot().equals(where.root())) return Result.of(hit.connected());
    String name = c.getSpec().getCredentials().getSecretRef().getName();
    Optional<Secret> secret = secrets.get(c.getMetadata().getNamespace(), name);
    Optional<ApiToken> token = secret.flatMap(s -> tokenIn(s, c));
    if (token.isEmpty()) {
      return Result.failed(Outcome.progressing(Reasons.CONNECTION_NOT_READY, secretProblem(c, secret), intervals.maxBackoff()));
    }
    return Result.of(remember(c, token.get(), where));
  }

  /** Forgets what was resolved for {@code c} (its Secret is gone, or the add-on is). */
  public void forget(HerokuConnection c) {
    cache.remove(ref(c));
  }

  /** Keeps only the clients of these HerokuConnections (uids): one deleted without a cleanup leaves no token behind. */
  public void retain(java.util.Set<String> live) {
    cache.values().removeIf(c -> !live.contains(c.uid()));
  }

  /** Entries held, for Controllers.held(). */
  public int held() {
    return cache.size();
  }

  private record Where(String id, String root, String resourceName, HostAllowlist.Source source) {}

  /** The spec's apiUrl when it sets one (the user can fix it), else where the operator found the root. */
  private static HostAllowlist.Source rootSource(HerokuConnectionSpec spec, String found) {
    return isBlank(spec.getApiUrl()) ? HostAllowlist.Source.answer(found) : HostAllowlist.Source.field("spec.apiUrl");
  }

  /**
   * What is known without a request. Once status records the add-on (connectionId and apiUrl), that
   * binding says which add-on (spec.apiUrl, when set, where its region answers): a spec that would
   * point at another add-on is refused by the connection
   * ({@link dev.herokuconnect.operator.crd.ConnectionIdentity}), never followed, so mappings and
   * cleanups keep reaching the add-on they are bound to. Before that, the spec's pin.
   */
  private static Where known(HerokuConnection c) {
    HerokuConnectionSpec spec = c.getSpec();
    HerokuConnectionStatus st = c.getStatus();
    if (st != null && !isBlank(st.getConnectionId()) && !isBlank(st.getApiUrl())) {
      // status decides which add-on; the spec's apiUrl, when set, says where its region answers (a typo can be fixed)
      String root = isBlank(spec.getApiUrl()) ? st.getApiUrl() : ApiUrls.apiRootOf(spec.getApiUrl());
      return new Where(st.getConnectionId(), root, st.getResourceName(), rootSource(spec, "status.apiUrl"));
    }
    if (!isBlank(spec.getConnectionId()) && !isBlank(spec.getApiUrl())) {
      return new Where(spec.getConnectionId(), ApiUrls.apiRootOf(spec.getApiUrl()), spec.getResourceName(), rootSource(spec, null));
    }
    return null;
  }

  private Connected remember(HerokuConnection c, ApiToken token, Where where) {
    Cached hit = cache.get(ref(c));
    if (hit != null && hit.token().equals(token) && hit.connectionId().equals(where.id()) && hit.apiRoot().equals(where.root())) {
      return hit.connected();
    }
    Connected connected = new Connected(where.id(), where.root(), where.resourceName(), clients.region(token, where.root(), where.source(), where.id()));
    cache.put(ref(c), new Cached(c.getMetadata().getUid(), token, where.id(), where.root(), connected));
    return connected;
  }

  /** The spend recorded in status goes back into the budget before anything can read or spend it. */
  private void restoreBudget(HerokuConnection c) {
    HerokuConnectionStatus st = c.getStatus();
    RateLimitStatus rl = st == null ? null : st.getRateLimit();
    if (st == null || isBlank(st.getConnectionId()) || rl == null || rl.getUsed() == null) return;
    budget.restore(st.getConnectionId(), rl.getUsed(), parse(rl.getUsedAsOf()),
        rl.getReserved() == null ? rl.getUsed() : rl.getReserved(), parse(rl.getThrottledUntil()));
  }

  /** The Platform API client for {@code token}. */
  public dev.herokuconnect.operator.platform.PlatformApi platform(ApiToken token) {
    return clients.platform(token);
  }

  /** The token in the Secret under spec.credentials.secretRef.key, if any. */
  public static Optional<ApiToken> tokenIn(Secret secret, HerokuConnection c) {
    String key = c.getSpec().getCredentials().getSecretRef().getKey();
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    String value = encoded == null ? null : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    if (value == null && secret.getStringData() != null) value = secret.getStringData().get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(new ApiToken(value.trim()));
  }

  static String secretProblem(HerokuConnection c, Optional<Secret> secret) {
    var ref = c.getSpec().getCredentials().getSecretRef();
    String where = "Secret " + c.getMetadata().getNamespace() + "/" + ref.getName();
    if (secret.isEmpty()) {
      return where + " (spec.credentials.secretRef) not found: create it with the Heroku API token under key '" + ref.getKey()
          + "', e.g. kubectl create secret generic " + ref.getName() + " --from-literal=" + ref.getKey() + "=$(heroku auth:token)";
    }
    return where + " has no key '" + ref.getKey() + "' (spec.credentials.secretRef.key) with the Heroku API token";
  }

  /** What to tell a person whose token the API refused. */
  public static String credentialsHint(HerokuConnection c) {
    var ref = c.getSpec().getCredentials().getSecretRef();
    return "put a valid Heroku API token in Secret " + c.getMetadata().getNamespace() + "/" + ref.getName()
        + " key '" + ref.getKey() + "'";
  }

  private static String ref(HerokuConnection c) {
    return c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
  }

  private static Instant parse(String t) {
    try {
      return t == null ? null : Instant.parse(t);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean isBlank(String v) {
    return v == null || v.isBlank();
  }
}
