package dev.herokuconnect.operator.health;

import dev.herokuconnect.operator.Version;
import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.crd.ConditionedStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.NotificationsReadStatus;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.cluster.SnapshotCache;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-object series of {@code /metrics}, computed at scrape time from what the process
 * already holds: the informer caches ({@link Directory}), the last deep GET of each connection
 * ({@link SnapshotCache#peek}) and the {@link ApiBudget}. A scrape sends no request to the
 * Connect API and none to Kubernetes.
 *
 * <p>A collector rather than Micrometer gauges: the series follow the objects exactly (a deleted
 * HerokuMapping's series are gone at the next scrape, with no register/remove bookkeeping that
 * could leak or race), state-set and info series keep the names and labels written here, and
 * the work is done only when Prometheus asks.
 *
 * <p>Cardinality is bounded: one series per object per figure, the state-sets over the fixed
 * lists below (a state the operator does not know counts as {@code other}), no request ids.
 */
public final class ObjectMetrics implements MultiCollector {
  private static final Logger log = LoggerFactory.getLogger(ObjectMetrics.class);

  /** The label value of a state not in the list. */
  public static final String OTHER = "other";

  /** Connection states of the API (connect-api-notes.md), in the order they are exported. */
  public static final List<String> CONNECTION_STATES = List.of("NEW", "NEED_AUTHENTICATION", "IDLE", "POLLING_DB_CHANGES",
      "BUSY", "IMPORT_CONFIGURATION", "RECOVERY", "PAUSED", "UNAUTHORIZED", "HEROKU_UNAUTH", "DB_UNAVAILABLE",
      "TOO_MANY_ROWS", "INACTIVE_ORG", "SYSTEM_ERROR", "SYSTEM_ON_ICE", "ICED", OTHER);

  /** Mapping states of the API (connect-api-notes.md). */
  public static final List<String> MAPPING_STATES = List.of("DATA_SYNCED", "RESYNC", "RELOAD_TABLE", "POLLING_SF_CHANGES",
      "POLLING_SF_BULK", "POLLING_SF_FOR_DELETES", "WAIT_BULK_LOAD", "LOADING_BULK_JOB", "RESOLVE_EXTERNAL_IDS",
      "WAIT_BULK_UPDATE", "APPLYING_BULK_UPDATE", "POLL_EXTERNAL_IDS", "INITIAL", "SCHEMA_CHANGED", "RECOVERY", "ABORTED",
      "BULK_LOAD_ERROR", "SYSTEM_ERROR", "DB_UNAVAILABLE", "BAD_CONFIG", "SYNC_REMOVED", "INACTIVE_ORG", "UNAUTHORIZED", OTHER);

  /** mappings_summary_state: OK, or anything else (degraded). */
  public static final List<String> SUMMARY_STATES = List.of("OK", OTHER);

  private final Directory directory;
  private final SnapshotCache snapshots;
  private final ApiBudget budget;
  private final BooleanSupplier leading;
  private final Clock clock;

  public ObjectMetrics(Directory directory, SnapshotCache snapshots, ApiBudget budget, BooleanSupplier leading, Clock clock) {
    this.directory = directory;
    this.snapshots = snapshots;
    this.budget = budget;
    this.leading = leading;
    this.clock = clock;
  }

  /** One gauge family being filled. */
  private static final class Gauge {
    final GaugeSnapshot.Builder builder;
    final String name;
    int points;

    Gauge(String name, String help, Unit unit) {
      this.name = name;
      this.builder = GaugeSnapshot.builder().name(name).help(help);
      if (unit != null) builder.unit(unit);
    }

    void add(Labels labels, double value) {
      builder.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
      points++;
    }
  }

  private final class Families {
    final Map<String, Gauge> gauges = new LinkedHashMap<>();
    final InfoSnapshot.Builder connectionInfo = InfoSnapshot.builder().name("heroku_connect_connection")
        .help("1 for each HerokuConnection whose remote connection has been read; labels: its app, Salesforce organization id and API version");
    int connectionInfoPoints;

    Gauge gauge(String name, String help) {
      return gauges.computeIfAbsent(name, n -> new Gauge(n, help, null));
    }

    Gauge seconds(String name, String help) {
      return gauges.computeIfAbsent(name, n -> new Gauge(n, help, Unit.SECONDS));
    }
  }

  @Override
  public MetricSnapshots collect() {
    Families f = new Families();
    // Declared up front so that every family has its # HELP and # TYPE even with no objects yet.
    f.gauge("heroku_connect_operator_leader", "1 when this instance does the work (it holds the leader-election Lease, or election is off), else 0")
        .add(Labels.EMPTY, leading.getAsBoolean() ? 1 : 0);
    Instant now = clock.instant();
    for (HerokuConnection c : directory.allConnections()) {
      try {
        connection(f, c, now);
      } catch (RuntimeException e) { // one odd object must not break the whole scrape
        log.debug("metrics of HerokuConnection {}/{} skipped: {}", c.getMetadata().getNamespace(), c.getMetadata().getName(), e.toString());
      }
    }
    for (HerokuMapping m : directory.allMappings()) {
      try {
        mapping(f, m, now);
      } catch (RuntimeException e) {
        log.debug("metrics of HerokuMapping {}/{} skipped: {}", m.getMetadata().getNamespace(), m.getMetadata().getName(), e.toString());
      }
    }
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(InfoSnapshot.builder().name("heroku_connect_operator_build").help("1; the version of the operator in the label")
        .dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("version", Version.get())).build()).build());
    for (Gauge g : f.gauges.values()) out.add(g.builder.build());
    if (f.connectionInfoPoints > 0) out.add(f.connectionInfo.build());
    return new MetricSnapshots(out);
  }

  private void connection(Families f, HerokuConnection c, Instant now) {
    String ns = c.getMetadata().getNamespace();
    String name = c.getMetadata().getName();
    String id = Directory.connectionIdOf(c);
    Labels labels = Labels.of("namespace", ns, "name", name, "connection_id", id == null ? "" : id);
    f.gauge("heroku_connect_connection_ready", "1 when the HerokuConnection's Ready condition is True, else 0")
        .add(labels, isTrue(c.getStatus(), "Ready") ? 1 : 0);

    String key = id != null ? id : c.getSpec() == null || c.getSpec().getAppName() == null ? null : "app:" + c.getSpec().getAppName();
    if (key != null) {
      ApiBudget.Usage u = budget.usage(key);
      f.gauge("heroku_connect_connection_api_requests_limit",
          "Requests this operator allows itself per 24 h on the connection (HEROKU_CONNECT_DAILY_BUDGET)").add(labels, u.dailyLimit());
      f.gauge("heroku_connect_connection_api_requests_used",
          "Requests this operator sent to the connection in the last 24 h (restored from status after a restart)").add(labels, u.used());
      f.gauge("heroku_connect_connection_api_tokens_left",
          "Requests the operator may send to the connection now (token bucket, within the 24 h budget)").add(labels, u.remaining());
      f.seconds("heroku_connect_connection_api_throttled_until_timestamp_seconds",
          "Unix time until which the API throttled the connection (429); 0 when not throttled")
          .add(labels, u.throttledUntil() == null ? 0 : u.throttledUntil().toEpochMilli() / 1000.0);
    }

    NotificationsReadStatus notices = c.getStatus() == null ? null : c.getStatus().getNotificationsRead();
    if (notices != null && notices.getUnacknowledged() != null && !notices.getByType().isEmpty()) {
      Gauge unacknowledged = f.gauge("heroku_connect_connection_notifications_unacknowledged",
          "The connection's unacknowledged notifications by type (event_type; at most 10 types, the rest 'other'), at the "
              + "operator's last read (HEROKU_CONNECT_NOTIFICATIONS_INTERVAL); absent when there are none");
      notices.getByType().forEach((type, count) -> unacknowledged.add(labels.merge(Labels.of("type", type)), count));
    }

    Optional<SnapshotCache.Snapshot> snap = id == null ? Optional.empty() : snapshots.peek(id);
    if (snap.isEmpty()) return;
    Model.Connection remote = snap.get().connection();
    stateSet(f.gauge("heroku_connect_connection_state",
        "The remote connection's state, from the last deep GET: 1 for the current state, 0 for the others ('other' = a state not in the list)"),
        labels, CONNECTION_STATES, remote.state());
    stateSet(f.gauge("heroku_connect_connection_mappings_summary_state",
        "The remote connection's mappings_summary_state: OK, or other (degraded)"), labels, SUMMARY_STATES, remote.mappingsSummaryState());
    f.seconds("heroku_connect_connection_snapshot_age_seconds",
        "Seconds since the operator last read the connection and its mappings (one deep GET, shared by all its mappings)")
        .add(labels, Math.max(0, Duration.between(snap.get().fetchedAt(), now).toMillis() / 1000.0));
    f.connectionInfo.dataPoint(InfoDataPointSnapshot.builder().labels(labels.merge(Labels.of(
        "app", c.getSpec() == null || c.getSpec().getAppName() == null ? "" : c.getSpec().getAppName(),
        "organization_id", remote.organizationId() == null ? "" : remote.organizationId(),
        "salesforce_api_version", remote.apiVersion() == null ? "" : remote.apiVersion()))).build());
    if (remote.apiVersion() != null && remote.apiVersion().matches("[0-9]+(\\.[0-9]+)?")) {
      f.gauge("heroku_connect_connection_salesforce_api_version",
          "The Salesforce API version the remote connection uses (62.0 is 62), from the last deep GET: for an alert on a floor")
          .add(labels, Double.parseDouble(remote.apiVersion()));
    }
    f.connectionInfoPoints++;
  }

  private void mapping(Families f, HerokuMapping m, Instant now) {
    String ns = m.getMetadata().getNamespace();
    String connectionName = m.getSpec().getConnectionRef().getName();
    String id = m.getStatus() == null ? null : m.getStatus().getConnectionId();
    if (id == null || id.isBlank()) id = directory.connection(ns, connectionName).map(Directory::connectionIdOf).orElse(null);
    Labels labels = Labels.of("namespace", ns, "name", m.getMetadata().getName(), "connection", connectionName,
        "connection_id", id == null ? "" : id, "object", m.getSpec().getObjectName());
    f.gauge("heroku_connect_mapping_ready", "1 when the HerokuMapping's Ready condition is True, else 0")
        .add(labels, isTrue(m.getStatus(), "Ready") ? 1 : 0);

    String mappingId = m.getStatus() == null ? null : m.getStatus().getMappingId();
    if (id == null || mappingId == null) return;
    Optional<Model.Mapping> remote = snapshots.peek(id).flatMap(s -> s.mappingById(mappingId));
    if (remote.isEmpty()) return;
    Model.Mapping r = remote.get();
    stateSet(f.gauge("heroku_connect_mapping_state",
        "The remote mapping's state, from the last deep GET: 1 for the current state, 0 for the others ('other' = a state not in the list)"),
        labels, MAPPING_STATES, r.state());
    Model.Counts counts = r.counts();
    if (counts != null) {
      Gauge records = f.gauge("heroku_connect_mapping_records", "Records of the mapping's object, by store (postgres, salesforce)");
      if (counts.db() != null) records.add(labels.merge(Labels.of("store", "postgres")), counts.db());
      if (counts.sf() != null) records.add(labels.merge(Labels.of("store", "salesforce")), counts.sf());
      if (counts.errors() != null) {
        f.gauge("heroku_connect_mapping_errors", "Records the API counts as failing to sync for the mapping").add(labels, counts.errors());
      }
      if (counts.pending() != null) {
        f.gauge("heroku_connect_mapping_pending_records", "Records waiting to be written to Salesforce").add(labels, counts.pending());
      }
    }
    Model.Times times = r.times();
    if (times != null) {
      Gauge age = f.seconds("heroku_connect_mapping_last_activity_age_seconds",
          "Seconds since the mapping's last activity of each kind: sf_poll (read from Salesforce), db_write (written to Postgres), "
              + "db_poll (read from Postgres), sf_write (written to Salesforce); absent until it has happened");
      ageOf(age, labels, "sf_poll", times.sfPoll(), now);
      ageOf(age, labels, "db_write", times.dbWrite(), now);
      ageOf(age, labels, "db_poll", times.dbPoll(), now);
      ageOf(age, labels, "sf_write", times.sfWrite(), now);
    }
    Integer polling = r.config() != null && r.config().sfPollingSeconds() != null ? r.config().sfPollingSeconds()
        : m.getSpec().getSfPollingSeconds();
    if (polling != null) {
      f.seconds("heroku_connect_mapping_sf_polling_seconds", "How often the mapping polls Salesforce, as configured on the remote mapping")
          .add(labels, polling);
    }
  }

  private static void ageOf(Gauge age, Labels labels, String activity, String time, Instant now) {
    Instant at = parseTime(time);
    if (at == null) return;
    age.add(labels.merge(Labels.of("activity", activity)), Math.max(0, Duration.between(at, now).toMillis() / 1000.0));
  }

  private static void stateSet(Gauge g, Labels labels, List<String> states, String current) {
    String active = current != null && states.contains(current) && !OTHER.equals(current) ? current : OTHER;
    for (String s : states) g.add(labels.merge(Labels.of("state", s)), s.equals(active) ? 1 : 0);
  }

  private static boolean isTrue(ConditionedStatus status, String type) {
    return status != null && status.getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** An ISO-8601 time as the API writes it (with an offset or Z; without one, UTC); null when absent or unreadable. */
  static Instant parseTime(String s) {
    return dev.herokuconnect.operator.connect.Model.time(s);
  }
}
