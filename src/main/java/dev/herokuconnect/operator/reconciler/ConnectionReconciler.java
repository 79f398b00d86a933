package dev.herokuconnect.operator.reconciler;

import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.connect.ApiUrls;
import dev.herokuconnect.operator.connect.ConnectApi;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectHttp;
import dev.herokuconnect.operator.connect.ConnectionFinder;
import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.Crds;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionSpec;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.RateLimitStatus;
import dev.herokuconnect.operator.crd.SalesforceSpec;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import io.fabric8.kubernetes.api.model.Secret;
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
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one Heroku Connect add-on: find it, set its database and schema, get Salesforce
 * authorized, pause/resume and restart it, and show its state. observe → validate →
 * reconcile → status → reschedule, with one deep GET per refresh shared with the mappings.
 */
@ControllerConfiguration(name = "herokuconnection", finalizerName = Crds.FINALIZER)
public class ConnectionReconciler implements Reconciler<HerokuConnection>, Cleaner<HerokuConnection> {
  private static final Logger log = LoggerFactory.getLogger(ConnectionReconciler.class);
  static final String SECRET_INDEX = "connection-by-secret";

  private final Services s;

  public ConnectionReconciler(Services services) {
    this.s = services;
  }

  @Override
  public List<EventSource<?, HerokuConnection>> prepareEventSources(EventSourceContext<HerokuConnection> context) {
    context.getPrimaryCache().addIndexer(SECRET_INDEX, c -> List.of(secretKey(c)));
    var secrets = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Secret.class, HerokuConnection.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
                .byIndex(SECRET_INDEX, secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName())
                .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(c -> Set.of(new ResourceID(
                ((HerokuConnection) c).getSpec().getCredentials().getSecretRef().getName(),
                ((HerokuConnection) c).getMetadata().getNamespace())))
            .build(),
        context);
    // Mappings matter here only for deletion: the finalizer waits for the mappings that use us.
    var mappings = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(HerokuMapping.class, HerokuConnection.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(m -> Set.of(new ResourceID(m.getSpec().getConnectionRef().getName(),
                m.getMetadata().getNamespace())))
            .withOnAddFilter(m -> false)
            .withOnUpdateFilter((n, o) -> n.getMetadata().getDeletionTimestamp() != null)
            .build(),
        context);
    return List.of(secrets, mappings);
  }

  private static String secretKey(HerokuConnection c) {
    return c.getMetadata().getNamespace() + "/" + c.getSpec().getCredentials().getSecretRef().getName();
  }

  @Override
  public UpdateControl<HerokuConnection> reconcile(HerokuConnection c, Context<HerokuConnection> context) {
    if (c.getStatus() == null) c.setStatus(new HerokuConnectionStatus());
    HerokuConnectionStatus status = c.getStatus();
    Object before = Outcomes.snapshotOf(status);
    Outcome outcome;
    try {
      outcome = reconcileRemote(c, context, status);
    } catch (ConnectApiException e) {
      outcome = Outcomes.of(e, "reconciling the connection", credentialsHint(c), s, c);
    } catch (IllegalArgumentException e) { // e.g. an apiUrl that is plain http to a remote host
      outcome = Outcome.stalled(Reasons.INVALID_SPEC, e.getMessage(), null);
    }
    finish(c, status, outcome);
    return Outcomes.control(c, before, status, outcome, s);
  }

  private Outcome reconcileRemote(HerokuConnection c, Context<HerokuConnection> context, HerokuConnectionStatus status) {
    long generation = c.getMetadata().getGeneration();
    boolean specChanged = !Objects.equals(status.getObservedGeneration(), generation);
    String restartAt = Annotations.requested(c, Crds.RESTART_REQUESTED_AT, status.getLastHandledRestartAt());
    String reconcileAt = Annotations.requested(c, Crds.RECONCILE_REQUESTED_AT, status.getLastHandledReconcileAt());
    boolean restartWanted = restartAt != null;
    boolean refreshWanted = reconcileAt != null;
    Priority priority = specChanged || restartWanted || refreshWanted ? Priority.USER : Priority.BACKGROUND;
    boolean observeOnly = Annotations.observeOnly(c);

    if (refreshWanted) status.setLastHandledReconcileAt(reconcileAt); // acted on now; the conditions tell how it went

    // observe: the token and where the connection is
    Resolution where = connect(c, context, priority, status);
    if (where.problem() != null) return where.problem();
    ConnectionHandle handle = where.handle();
    ConnectApi api = handle.api();

    Duration maxAge = specChanged || restartWanted || refreshWanted ? Duration.ZERO
        : Conditions.isTrue(status, Conditions.READY) ? s.refreshInterval().minusSeconds(1) : s.config.settlingInterval();
    Connection remote = s.snapshots.get(handle, maxAge, priority).connection();
    String id = handle.connectionId();

    // reconcile: database and schema, restart, pause/resume
    HerokuConnectionSpec.DatabaseSpec db = c.getSpec().getDatabase();
    boolean dbDiffers = !db.getConfigVar().equals(remote.dbKey()) || !db.getSchema().equals(remote.schemaName());
    if (dbDiffers && !observeOnly) {
      api.withPriority(Priority.USER).configureDatabase(id, db.getConfigVar(), db.getSchema());
      s.events.normal(c, "Configured", "set db_key " + db.getConfigVar() + " and schema_name " + db.getSchema());
    }
    if (restartWanted && !observeOnly) {
      s.actOnce(c, "restart", restartAt, () -> api.withPriority(Priority.USER).restart(id), "Restarted",
          "restarted the connection (" + Crds.RESTART_REQUESTED_AT + "=" + restartAt + ")");
      status.setLastHandledRestartAt(restartAt);
    }
    if (!observeOnly && (dbDiffers || restartWanted)) remote = refetch(handle); // one read after both writes
    Outcome waitingToPause = null;
    if (!observeOnly) {
      PauseStep step = pauseOrResume(c, api, id, remote.state());
      if (step == PauseStep.SENT) remote = refetch(handle);
      if (step == PauseStep.WAITING_FOR_IDLE) {
        waitingToPause = Outcome.progressing("Pausing", "spec.paused is true; the API pauses only an IDLE connection, and it is "
            + remote.state() + ": trying again shortly", s.config.settlingInterval());
      }
    }
    String state = remote.state();

    fillStatus(status, remote);
    Outcome authorization = authorization(c, api, status, state);
    if (authorization != null) return authorization;
    if (waitingToPause != null) return waitingToPause;
    if (observeOnly && dbDiffers) {
      return Outcome.progressing(Reasons.OBSERVING, "observe-only: the API has db_key " + remote.dbKey() + " and schema_name "
          + remote.schemaName() + ", the spec wants " + db.getConfigVar() + " and " + db.getSchema(), s.refreshInterval());
    }
    return outcomeForState(c, remote);
  }

  private Connection refetch(ConnectionHandle handle) {
    return s.snapshots.get(handle, Duration.ZERO, Priority.USER).connection();
  }

  enum PauseStep { NOTHING, SENT, WAITING_FOR_IDLE }

  /** Pauses or resumes as spec.paused asks. */
  private PauseStep pauseOrResume(HerokuConnection c, ConnectApi api, String id, String state) {
    boolean paused = "PAUSED".equals(state);
    if (c.getSpec().isPaused() && !paused) {
      if (!"IDLE".equals(state)) return PauseStep.WAITING_FOR_IDLE;
      api.withPriority(Priority.USER).pause(id);
      s.events.normal(c, "Paused", "paused the connection (spec.paused: true)");
      return PauseStep.SENT;
    }
    if (!c.getSpec().isPaused() && paused) {
      api.withPriority(Priority.USER).resume(id);
      s.events.normal(c, "Resumed", "resumed the connection (spec.paused: false)");
      return PauseStep.SENT;
    }
    return PauseStep.NOTHING;
  }

  /** While Salesforce authorization is needed: ask for the URL once per entry into that state. */
  private Outcome authorization(HerokuConnection c, ConnectApi api, HerokuConnectionStatus status, String state) {
    if (States.ofConnection(state) != States.Kind.NEEDS_AUTHORIZATION) {
      s.firstTime(c.getMetadata().getUid(), "authorize", "-");
      status.setAuthorizationUrl(null);
      status.setAuthorizationUrlForState(null);
      return null;
    }
    boolean newEntry = !state.equals(status.getAuthorizationUrlForState()) || status.getAuthorizationUrl() == null;
    if (newEntry && s.firstTime(c.getMetadata().getUid(), "authorize", state + "@" + status.getObservedGeneration())) {
      SalesforceSpec sf = c.getSpec().getSalesforce();
      String url = api.withPriority(Priority.USER).authorizeUrl(status.getConnectionId(), new Model.AuthorizeRequest(
          sf.getEnvironment().apiValue(), sf.getDomain(), sf.getApiVersion(), sf.getRedirectUrl()));
      status.setAuthorizationUrl(url);
      status.setAuthorizationUrlForState(state);
      s.events.warning(c, Reasons.NEEDS_SALESFORCE_AUTHORIZATION, "the connection is " + state
          + ": a Salesforce user must open status.authorizationUrl (kubectl get hconn " + c.getMetadata().getName()
          + " -o jsonpath='{.status.authorizationUrl}') and log in");
    }
    return Outcome.stalled(Reasons.NEEDS_SALESFORCE_AUTHORIZATION, "the connection is " + state
        + ": open status.authorizationUrl and log in to Salesforce (" + c.getSpec().getSalesforce().getEnvironment().apiValue()
        + "); the operator notices when it is done", s.backoff.next(c.getMetadata().getUid()));
  }

  private Outcome outcomeForState(HerokuConnection c, Connection remote) {
    String state = remote.state();
    String uid = c.getMetadata().getUid();
    return switch (States.ofConnection(state)) {
      case HEALTHY -> {
        s.backoff.reset(uid);
        if (remote.mappingsSummaryState() != null && !"OK".equals(remote.mappingsSummaryState())) {
          yield Outcome.blocked(Reasons.REMOTE_ERROR, "the connection is " + state + " but mappings_summary_state is "
              + remote.mappingsSummaryState() + ": see the HerokuMappings", s.refreshInterval());
        }
        yield Outcome.ready("the connection is " + state, s.refreshInterval());
      }
      case PAUSED -> Outcome.idle(Reasons.PAUSED, "the connection is " + state
          + (c.getSpec().isPaused() ? " as spec.paused asks" : ""), s.config.pausedInterval());
      case ERROR -> Outcome.stalled(Reasons.REMOTE_ERROR, "the connection is in the error state " + state + ": "
          + States.adviceForConnection(state), s.backoff.next(uid));
      case NEEDS_SETUP -> Outcome.progressing(Reasons.PROGRESSING, "the connection is NEW: database and schema not set yet"
          + (Annotations.observeOnly(c) ? " (observe-only: the operator does not set them)" : ""), s.config.settlingInterval());
      default -> Outcome.progressing(Reasons.PROGRESSING, "the connection is " + state, s.config.settlingInterval());
    };
  }

  private void fillStatus(HerokuConnectionStatus status, Connection remote) {
    status.setState(remote.state());
    status.setResourceName(remote.resourceName());
    status.setMappingsSummaryState(remote.mappingsSummaryState());
    status.setOrganizationId(remote.organizationId());
    status.setSchemaName(remote.schemaName());
    status.setDbKey(remote.dbKey());
    status.setLastSyncTime(remote.mappingsOrEmpty().stream()
        .map(MappingStatusView::lastSyncTime).filter(Objects::nonNull).max(String::compareTo).orElse(null));
  }

  private void finish(HerokuConnection c, HerokuConnectionStatus status, Outcome outcome) {
    Instant now = s.clock.instant();
    boolean wasStalledFor = Conditions.find(status, Conditions.STALLED)
        .map(x -> "True".equals(x.getStatus()) && outcome.reason().equals(x.getReason())).orElse(false);
    Conditions.apply(status, c.getMetadata().getGeneration(), outcome, now);
    if (outcome.kind() == Outcome.Kind.STALLED && !wasStalledFor && !outcome.reason().equals(Reasons.NEEDS_SALESFORCE_AUTHORIZATION)) {
      s.events.warning(c, outcome.reason(), outcome.message());
    }
    if (status.getConnectionId() != null) {
      ApiBudget.Usage u = s.budget.usage(status.getConnectionId());
      RateLimitStatus rl = status.getRateLimit() == null ? new RateLimitStatus() : status.getRateLimit();
      rl.setDailyLimit(u.dailyLimit());
      rl.setUsed(u.used());
      rl.setRemaining(u.remaining());
      rl.setThrottledUntil(u.throttledUntil() == null ? null : u.throttledUntil().toString());
      rl.setUsedAsOf(now.toString());
      rl.setReserved(u.reserved());
      status.setRateLimit(rl);
    }
  }

  private void restoreBudget(String connectionId, HerokuConnectionStatus status) {
    RateLimitStatus rl = status.getRateLimit();
    if (rl == null || rl.getUsed() == null) return;
    s.budget.restore(connectionId, rl.getUsed(), parse(rl.getUsedAsOf()),
        rl.getReserved() == null ? rl.getUsed() : rl.getReserved(), parse(rl.getThrottledUntil()));
  }

  private static Instant parse(String t) {
    try {
      return t == null ? null : Instant.parse(t);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Where the connection is: pinned in the spec, remembered in status, or discovered. */
  record Resolution(String connectionId, String apiRoot, String resourceName, Outcome problem, ConnectionHandle handle) {
    static Resolution found(String connectionId, String apiRoot, String resourceName) {
      return new Resolution(connectionId, apiRoot, resourceName, null, null);
    }

    static Resolution problem(Outcome problem) {
      return new Resolution(null, null, null, problem, null);
    }
  }

  /**
   * Reads the token, finds the connection and registers it for the mappings; the
   * resolution carries the handle, or the problem that stops us.
   */
  private Resolution connect(HerokuConnection c, Context<HerokuConnection> context, Priority priority,
                             HerokuConnectionStatus status) {
    ApiToken token;
    try {
      token = readToken(c, context);
    } catch (IllegalStateException missing) {
      s.registry.remove(c.getMetadata().getNamespace(), c.getMetadata().getName());
      return Resolution.problem(Outcome.stalled(Reasons.UNAUTHORIZED, missing.getMessage(), s.config.maxBackoff()));
    }
    ConnectHttp http = s.http(token);
    Resolution where = resolve(c, http, priority, status);
    if (where.problem() != null) return where;
    restoreBudget(where.connectionId(), status);
    ConnectionHandle handle = new ConnectionHandle(c.getMetadata().getNamespace(), c.getMetadata().getName(),
        where.connectionId(), where.resourceName(), new ConnectApi(http, where.apiRoot(), where.connectionId(), priority));
    s.registry.put(handle);
    status.setConnectionId(where.connectionId());
    status.setApiUrl(where.apiRoot());
    return new Resolution(where.connectionId(), where.apiRoot(), where.resourceName(), null, handle);
  }

  private Resolution resolve(HerokuConnection c, ConnectHttp http, Priority priority, HerokuConnectionStatus status) {
    HerokuConnectionSpec spec = c.getSpec();
    ConnectionFinder.Query query = new ConnectionFinder.Query(spec.getAppName(), spec.getResourceName(),
        spec.getConnectionId(), spec.getApiUrl());
    boolean pinned = !isBlank(spec.getConnectionId()) && !isBlank(spec.getApiUrl());
    // What was found before: in status, or (should the status read be stale) in this process's registry.
    Optional<ConnectionHandle> known = s.registry.get(c.getMetadata().getNamespace(), c.getMetadata().getName());
    String knownId = status.getConnectionId() != null ? status.getConnectionId() : known.map(ConnectionHandle::connectionId).orElse(null);
    String knownRoot = status.getApiUrl() != null ? status.getApiUrl() : known.map(h -> h.api().root()).orElse(null);
    String knownResource = status.getResourceName() != null ? status.getResourceName() : known.map(ConnectionHandle::resourceName).orElse(null);
    if (!pinned && knownId != null && knownRoot != null
        && (isBlank(spec.getConnectionId()) || spec.getConnectionId().equals(knownId))
        && (isBlank(spec.getApiUrl()) || ApiUrls.apiRootOf(spec.getApiUrl()).equals(knownRoot))
        && (isBlank(spec.getResourceName()) || spec.getResourceName().equals(knownResource))) {
      return Resolution.found(knownId, knownRoot, knownResource); // found before: no discovery again
    }
    try {
      ConnectionFinder.Found found = new ConnectionFinder(http, s.config.discoveryUrl(), priority).find(query);
      if (!pinned) log.info("found connection {} ({}) of app {} at {}", found.connectionId(), found.resourceName(), spec.getAppName(), found.apiRoot());
      return Resolution.found(found.connectionId(), found.apiRoot(), found.resourceName());
    } catch (ConnectionFinder.NotFound e) {
      return Resolution.problem(Outcome.stalled(e.ambiguous() ? Reasons.CONNECTION_AMBIGUOUS : Reasons.CONNECTION_NOT_FOUND,
          e.getMessage() + " (spec.appName, spec.resourceName, spec.connectionId)", s.config.maxBackoff()));
    }
  }


  private ApiToken readToken(HerokuConnection c, Context<HerokuConnection> context) {
    Secret secret = secret(c, context);
    ApiToken token = tokenIn(secret, c);
    if (!Annotations.observeOnly(c) && secret.getMetadata().getDeletionTimestamp() == null) s.secrets.hold(secret);
    return token;
  }

  private static String secretWhere(HerokuConnection c) {
    return "Secret " + c.getMetadata().getNamespace() + "/" + c.getSpec().getCredentials().getSecretRef().getName();
  }

  private Secret secret(HerokuConnection c, Context<HerokuConnection> context) {
    var ref = c.getSpec().getCredentials().getSecretRef();
    Secret secret = context.getSecondaryResource(Secret.class).orElseThrow(() -> new IllegalStateException(
        secretWhere(c) + " (spec.credentials.secretRef) not found: create it with the Heroku API token under key '" + ref.getKey()
            + "', e.g. kubectl create secret generic " + ref.getName() + " --from-literal=" + ref.getKey() + "=$(heroku auth:token)"));
    return secret;
  }

  private static ApiToken tokenIn(Secret secret, HerokuConnection c) {
    var ref = c.getSpec().getCredentials().getSecretRef();
    String encoded = secret.getData() == null ? null : secret.getData().get(ref.getKey());
    String value = encoded == null ? null : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    if (value == null && secret.getStringData() != null) value = secret.getStringData().get(ref.getKey());
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(secretWhere(c) + " has no key '" + ref.getKey() + "' (spec.credentials.secretRef.key)"
          + " with the Heroku API token");
    }
    return new ApiToken(value);
  }

  private static String credentialsHint(HerokuConnection c) {
    var ref = c.getSpec().getCredentials().getSecretRef();
    return "put a valid Heroku API token in Secret " + c.getMetadata().getNamespace() + "/" + ref.getName()
        + " key '" + ref.getKey() + "'";
  }

  private static boolean isBlank(String v) {
    return v == null || v.isBlank();
  }

  /**
   * The add-on itself is never deleted (the API cannot). The finalizer stays while any
   * HerokuMapping still uses this connection, so their cleanup can always reach the API.
   */
  @Override
  public DeleteControl cleanup(HerokuConnection c, Context<HerokuConnection> context) {
    List<String> users = context.getSecondaryResources(HerokuMapping.class).stream()
        .filter(m -> c.getMetadata().getName().equals(m.getSpec().getConnectionRef().getName()))
        .map(m -> m.getMetadata().getName()).sorted().toList();
    if (!users.isEmpty()) {
      if (s.registry.get(c.getMetadata().getNamespace(), c.getMetadata().getName()).isEmpty() && c.getStatus() != null) {
        try {
          connect(c, context, Priority.USER, c.getStatus()); // their cleanup needs to reach the API
        } catch (ConnectApiException | IllegalArgumentException e) {
          log.warn("connection {}/{} could not be resolved for its mappings' cleanup: {}",
              c.getMetadata().getNamespace(), c.getMetadata().getName(), e.getMessage());
        }
      }
      s.events.normal(c, Reasons.DELETING, "waiting for " + users.size() + " HerokuMapping(s) that use this connection to be deleted: "
          + String.join(", ", users));
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(s.realDelay(s.config.settlingInterval()));
    }
    s.registry.remove(c.getMetadata().getNamespace(), c.getMetadata().getName());
    String secretName = c.getSpec().getCredentials().getSecretRef().getName();
    boolean sharedWithOthers = context.getPrimaryCache().byIndex(SECRET_INDEX, secretKey(c)).stream()
        .anyMatch(o -> !o.getMetadata().getUid().equals(c.getMetadata().getUid()) && o.getMetadata().getDeletionTimestamp() == null);
    if (!sharedWithOthers) s.secrets.release(c.getMetadata().getNamespace(), secretName);
    log.info("connection {}/{} released; the Heroku Connect add-on itself is left as it is",
        c.getMetadata().getNamespace(), c.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }
}
