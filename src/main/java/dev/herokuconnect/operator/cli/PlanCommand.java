package dev.herokuconnect.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.herokuconnect.operator.cli.PlanManifests.Item;
import dev.herokuconnect.operator.config.OperatorConfig;
import dev.herokuconnect.operator.connect.ApiToken;
import dev.herokuconnect.operator.connect.ConnectApi;
import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectHttp;
import dev.herokuconnect.operator.connect.ConnectionFinder;
import dev.herokuconnect.operator.connect.HostAllowlist;
import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.RequestGate;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionSpec;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingSpec;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.platform.PlatformApi;
import dev.herokuconnect.operator.platform.PlatformApiException;
import dev.herokuconnect.operator.platform.PlatformBudget;
import dev.herokuconnect.operator.platform.PlatformThrottled;
import dev.herokuconnect.operator.reconciler.cluster.Connector;
import dev.herokuconnect.operator.reconciler.connection.AddonDecisions;
import dev.herokuconnect.operator.reconciler.connection.AddonLookup;
import dev.herokuconnect.operator.reconciler.connection.ConnectionDecisions;
import dev.herokuconnect.operator.reconciler.loop.Management;
import dev.herokuconnect.operator.reconciler.loop.Outcome;
import dev.herokuconnect.operator.reconciler.loop.Reasons;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.StateTable;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions.Step;
import dev.herokuconnect.operator.reconciler.connection.ApiVersionDecisions;
import dev.herokuconnect.operator.crd.ApiVersionChangeStatus;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model;
import dev.herokuconnect.operator.reconciler.mapping.MappingDecisions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code plan}: what the operator would do with these manifests, before they are applied — a
 * {@code terraform plan} for Heroku Connect. It only reads: discovery searches (never links the
 * token's user), then one deep GET per connection; the decisions are the operator's own
 * ({@link MappingDecisions#plan}, {@link ConnectionDecisions#plan}), so the two cannot disagree.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = Cli.VersionProvider.class,
    description = {
        "Reads HerokuConnection and HerokuMapping manifests (multi-document YAML or JSON; directories are read "
            + "recursively for *.yaml, *.yml and *.json; - reads standard input; other kinds such as Secret are "
            + "skipped) and prints, without changing anything, what the operator would do:",
        "",
        "  HerokuMapping     create   no remote mapping of the object: POST a new one",
        "                    update   the remote mapping differs: PUT, one line per difference",
        "                    adopt    a remote mapping of the object exists and the object does not own",
        "                             it yet (it has no status.mappingId): taken over, no write",
        "                    nothing  in step with the remote mapping (or observe-only)",
        "                    wait     a write is due, but the connection must be set up and authorized first",
        "                    blocked  only a person can fix it (e.g. an immutable field changed)",
        "  HerokuConnection  create   spec.addon: the app has no Heroku Connect add-on: POST one (Platform API)",
        "                    update   db_key/schema_name would be PATCHed, pause/resume/restart sent, the",
        "                             add-on's plan changed (spec.addon.plan)",
        "                    wait     spec.addon: the add-on is provisioning",
        "                    nothing  in step",
        "",
        "Manifests with status (kubectl get hmap,hconn -o yaml) are planned exactly as the operator sees them: "
            + "status.mappingId tells an owned mapping (nothing/update) from one to adopt. Observe-only objects "
            + "(annotation herokuconnect.dev/reconcile-policy: observe) are planned as the operator treats them: no "
            + "write; their drift is shown but does not count as a change.",
        "",
        "It sends no write to Heroku Connect: discovery only searches the app's add-ons (GET "
            + "{discovery}/connections?app=), never links the token's user (a write), then reads each connection once "
            + "(GET /connections/{id}?deep=true); a connection with spec.connectionId and spec.apiUrl is read without "
            + "a search. With spec.addon it first reads the app's add-ons from the Platform API (GET /apps/{app}/addons, "
            + "HEROKU_PLATFORM_API_URL, default https://api.heroku.com).",
        "",
        "Token: HEROKU_API_KEY, or --token-file FILE. The token is sent only to the hosts in HEROKU_CONNECT_API_HOSTS "
            + "(default *.heroku.com), as by the operator: a manifest's apiUrl elsewhere is an error, and nothing is "
            + "sent.",
        "",
        "Output: text (default), one JSON document (-o json) or the same as YAML (-o yaml), on standard output or "
            + "into --output-file FILE. With --exit-code, exit code 2 when something would change (create, update, "
            + "wait, blocked, a connection update).",
        ""})
public final class PlanCommand implements Callable<Integer> {
  private final Cli.Io io;
  @Spec CommandSpec spec;

  @Option(names = {"-f", "--filename"}, paramLabel = "DIR|FILE|-", description = "manifests to plan (repeatable)")
  final List<String> files = new ArrayList<>();
  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
      description = "for objects without a namespace, as with kubectl apply -n (default: default)")
  String namespace = "default";
  @Mixin ApiAccess api;
  @Option(names = "--exit-code", description = "exit with 2 when something would change")
  boolean exitCode;
  @Option(names = {"-o", "--output"}, paramLabel = "text|json|yaml", completionCandidates = Formats.class,
      description = "the format (default: text)")
  String format = "text";
  @Option(names = "--output-file", paramLabel = "FILE", description = "write the plan into FILE instead of standard output")
  String outputFile;

  static final class Formats extends ArrayList<String> {
    Formats() { super(List.of("text", "json", "yaml")); }
  }

  PlanCommand(Cli.Io io) {
    this.io = io;
  }

  /** A problem only the caller can fix; exit code 1. */
  static final class PlanError extends RuntimeException {
    PlanError(String message) { super(message); }
  }

  public static int run(String[] args, Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err) {
    String[] all = new String[args.length + 1];
    all[0] = "plan";
    System.arraycopy(args, 0, all, 1, args.length);
    return Cli.execute(new Cli.Io(env, stdin, out, err), all);
  }

  @Override
  public Integer call() {
    if (!List.of("text", "json", "yaml").contains(format)) {
      throw new ParameterException(spec.commandLine(), "-o/--output is text, json or yaml, not '" + format + "'");
    }
    if (files.isEmpty()) throw new ParameterException(spec.commandLine(), "no manifests: give them with -f DIR|FILE|-");
    if (!namespace.matches(dev.herokuconnect.operator.crd.Patterns.DNS_SUBDOMAIN)) {
      throw new ParameterException(spec.commandLine(), "-n '" + namespace + "' is not a valid namespace name");
    }
    Map<String, String> env = io.env();
    PrintStream err = io.err();
    try {
      PlanManifests.Read read = PlanManifests.read(files, namespace, io.in());
      if (!read.problems().isEmpty()) {
        read.problems().forEach(p -> err.println("plan: " + p));
        return Cli.ERROR;
      }
      ApiToken token = token(api.tokenFile, env);
      String discovery = api.discoveryUrl != null ? api.discoveryUrl
          : env.getOrDefault(OperatorConfig.DISCOVERY_URL, OperatorConfig.DEFAULT_DISCOVERY_URL);
      // Manifests may come from anyone (a pull request): their apiUrl gets the operator's rule.
      HostAllowlist hosts = OperatorConfig.apiHosts(env);
      ConnectHttp http = new ConnectHttp(token, RequestGate.OPEN, ConnectHttp.Options.defaults().withHosts(hosts), Clock.systemUTC());
      String platformUrl = env.getOrDefault(PlatformApi.URL_SETTING, PlatformApi.DEFAULT_URL);
      Result result = plan(read, http, discovery, () -> new PlatformApi(http, platformUrl, new PlatformBudget(Clock.systemUTC())));
      String text = switch (format) {
        case "json" -> result.json();
        case "yaml" -> result.yaml();
        default -> result.text();
      };
      if (outputFile != null) {
        try {
          Files.writeString(Path.of(outputFile), text, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new PlanError("cannot write " + outputFile + " (--output-file): " + e.getMessage());
        }
      } else {
        io.out().print(text);
      }
      return exitCode && result.changes() ? Cli.CHANGES : Cli.OK;
    } catch (PlanError e) {
      err.println("plan: " + e.getMessage());
      return Cli.ERROR;
    } catch (ConnectApiException | IllegalArgumentException e) { // IllegalArgumentException: a bad HEROKU_CONNECT_API_HOSTS
      err.println("plan: " + e.getMessage());
      return Cli.ERROR;
    }
  }

  private static ApiToken token(String tokenFile, Map<String, String> env) {
    if (tokenFile != null) {
      Path f = Path.of(tokenFile);
      String v;
      try {
        v = Files.readString(f);
      } catch (IOException e) {
        throw new PlanError("cannot read the token file " + f + " (--token-file)");
      }
      if (v.isBlank()) throw new PlanError("the token file " + f + " is empty (--token-file)");
      return new ApiToken(v);
    }
    String v = env.get("HEROKU_API_KEY");
    if (v == null || v.isBlank()) {
      throw new PlanError("no Heroku API token: set HEROKU_API_KEY or pass --token-file FILE (plan only reads, "
          + "but the Connect API wants a token for that too)");
    }
    return new ApiToken(v);
  }

  // ---- planning ------------------------------------------------------------------------

  /** One HerokuConnection's plan. */
  record ConnectionPlan(String namespace, String name, String source, String connectionId, String resourceName,
                        String state, boolean observeOnly, String action, List<String> steps, List<String> creates,
                        List<String> changes, List<String> notes) {}

  /** One HerokuMapping's plan. */
  record MappingPlan(String namespace, String name, String source, String connection, String objectName, String action,
                     List<String> steps, String remoteMappingId, List<String> differences, List<String> notes) {}

  record Summary(int create, int update, int adopt, int nothing, int waiting, int blocked, int connectionsToUpdate,
                 int addonsToCreate, boolean changes) {}

  record Result(List<ConnectionPlan> connections, List<MappingPlan> mappings, Summary summary) {
    boolean changes() { return summary.changes(); }

    String json() {
      try {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this) + "\n";
      } catch (IOException e) {
        throw new IllegalStateException("cannot write the plan as JSON", e);
      }
    }

    /** The JSON document's content as YAML. */
    String yaml() {
      try {
        return new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).writeValueAsString(this);
      } catch (IOException e) {
        throw new IllegalStateException("cannot write the plan as YAML", e);
      }
    }

    String text() {
      StringBuilder b = new StringBuilder();
      for (ConnectionPlan c : connections) {
        b.append("HerokuConnection ").append(c.namespace()).append('/').append(c.name()).append(": ").append(c.action()).append('\n');
        b.append("    add-on ").append(c.resourceName() == null ? "" : c.resourceName() + " ")
            .append(c.connectionId() == null ? "(none yet)" : c.connectionId())
            .append(", state ").append(c.state()).append(c.observeOnly() ? ", observe-only" : "").append('\n');
        c.creates().forEach(l -> b.append("  + ").append(l).append('\n'));
        c.changes().forEach(l -> b.append("  ~ ").append(l).append('\n'));
        c.notes().forEach(l -> b.append("    ").append(l).append('\n'));
      }
      for (MappingPlan m : mappings) {
        String sign = switch (m.action()) {
          case "create" -> "+ ";
          case "update" -> "~ ";
          case "wait", "blocked" -> m.remoteMappingId() == null ? "+ " : "~ "; // due, once possible
          default -> "  ";
        };
        b.append("HerokuMapping ").append(m.namespace()).append('/').append(m.name()).append(" (").append(m.objectName())
            .append(" on ").append(m.connection()).append("): ").append(m.action()).append('\n');
        m.differences().forEach(l -> b.append("  ").append(sign).append(l).append('\n'));
        m.notes().forEach(l -> b.append("    ").append(l).append('\n'));
      }
      Summary s = summary;
      b.append('\n').append("Plan: ").append(s.create()).append(" to create, ").append(s.update()).append(" to update, ")
          .append(s.adopt()).append(" to adopt, ").append(s.nothing()).append(" unchanged");
      if (s.waiting() > 0) b.append(", ").append(s.waiting()).append(" waiting");
      if (s.blocked() > 0) b.append(", ").append(s.blocked()).append(" blocked");
      b.append("; ").append(s.connectionsToUpdate()).append(s.connectionsToUpdate() == 1 ? " connection" : " connections")
          .append(" to update");
      if (s.addonsToCreate() > 0) b.append(", ").append(s.addonsToCreate()).append(s.addonsToCreate() == 1 ? " add-on" : " add-ons")
          .append(" to create");
      b.append(". Nothing was written.\n");
      return b.toString();
    }
  }

  private record Reached(Item<HerokuConnection> item, ConnectionFinder.Found found) {}

  static Result plan(PlanManifests.Read read, ConnectHttp http, String discovery,
                     java.util.function.Supplier<PlatformApi> platform) {
    ConnectionFinder finder = new ConnectionFinder(http, discovery, RequestGate.Priority.USER);
    // discovery: search only (find(..., false) never links the token's user: that is a write)
    List<Reached> reached = new ArrayList<>();
    Map<String, Reached> byAddon = new LinkedHashMap<>();
    List<ConnectionPlan> addonsFirst = new ArrayList<>(); // spec.addon's add-on is not usable yet: the connection is not read
    List<MappingPlan> waiting = new ArrayList<>();
    Map<String, AddonDecisions.Facts> addons = new LinkedHashMap<>();
    for (Item<HerokuConnection> c : read.connections()) {
      HerokuConnectionSpec spec = c.object().getSpec();
      AddonDecisions.Facts addon = spec.getAddon() == null ? null : addonFacts(c, platform.get());
      if (addon != null && !addon.usable()) {
        addonsFirst.add(planAddonFirst(c, addon));
        for (Item<HerokuMapping> m : read.mappings()) {
          if (m.namespace().equals(c.namespace()) && m.object().getSpec().getConnectionRef().getName().equals(c.name())) {
            waiting.add(new MappingPlan(m.namespace(), m.name(), m.source().toString(), c.name(), m.object().getSpec().getObjectName(),
                "wait", List.of(), null, List.of("create, once the add-on exists and is set up"),
                List.of("HerokuConnection " + c.ref() + " gets its add-on first (spec.addon)")));
          }
        }
        continue;
      }
      if (addon != null) addons.put(c.ref(), addon);
      ConnectionFinder.Found found;
      try {
        found = finder.find(new ConnectionFinder.Query(spec.getAppName(), spec.getResourceName(),
            addon != null ? addon.addon().id() : spec.getConnectionId(), spec.getApiUrl()), false);
      } catch (ConnectionFinder.NotFound e) {
        throw new PlanError("HerokuConnection " + c.ref() + " (" + c.source() + "): " + notFoundMessage(e, spec.getAppName()));
      } catch (ConnectApiException | IllegalArgumentException e) { // IllegalArgumentException: an unusable URL
        throw new PlanError("HerokuConnection " + c.ref() + " (" + c.source() + "): " + e.getMessage());
      }
      Reached r = new Reached(c, found);
      Reached same = byAddon.putIfAbsent(found.connectionId(), r);
      if (same != null) {
        throw new PlanError("HerokuConnection " + c.ref() + " (" + c.source() + ") and HerokuConnection " + same.item().ref()
            + " (" + same.item().source() + ") both point at the add-on " + found.connectionId()
            + ": only the older one may manage it; remove one, or tell them apart with spec.resourceName");
      }
      reached.add(r);
    }
    List<ConnectionPlan> connections = new ArrayList<>(addonsFirst);
    List<MappingPlan> mappings = new ArrayList<>(waiting);
    for (Reached r : reached) {
      Item<HerokuConnection> c = r.item();
      Connection remote;
      ConnectApi api;
      try {
        api = new ConnectApi(http, r.found().apiRoot(), r.found().connectionId(), RequestGate.Priority.USER);
        remote = api.getConnection(r.found().connectionId(), true); // the one read per connection
      } catch (ConnectApiException | IllegalArgumentException e) {
        throw new PlanError("HerokuConnection " + c.ref() + " (" + c.source() + "): " + e.getMessage());
      }
      Map<String, String> refs = new LinkedHashMap<>(); // the HerokuMappings of this connection, by object: whom a blocked change names
      for (Item<HerokuMapping> m : read.mappings()) {
        if (m.namespace().equals(c.namespace()) && m.object().getSpec().getConnectionRef().getName().equals(c.name())) {
          refs.putIfAbsent(Model.objectKey(m.object().getSpec().getObjectName()), m.namespace() + "/" + m.name());
        }
      }
      try {
        connections.add(planConnection(c, r.found(), remote, api, refs, addons.get(c.ref())));
      } catch (ConnectApiException e) {
        throw new PlanError("HerokuConnection " + c.ref() + " (" + c.source() + "): " + e.getMessage());
      }
      for (Item<HerokuMapping> m : read.mappings()) {
        if (m.namespace().equals(c.namespace()) && m.object().getSpec().getConnectionRef().getName().equals(c.name())) {
          mappings.add(planMapping(m, c, remote));
        }
      }
    }
    return new Result(connections, mappings, summarize(connections, mappings));
  }

  /** spec.addon's add-on as the operator finds it (AddonLookup: reads only), or why plan cannot. */
  private static AddonDecisions.Facts addonFacts(Item<HerokuConnection> c, PlatformApi platform) {
    HerokuConnection o = c.object();
    HerokuConnectionStatus status = o.getStatus() == null ? new HerokuConnectionStatus() : o.getStatus();
    try {
      AddonLookup.Lookup found = AddonLookup.find(platform, o, status);
      return AddonLookup.facts(o, status, found, AddonLookup.createdByThis(o, status, found), Management.of(o));
    } catch (PlatformApiException e) {
      throw new PlanError("HerokuConnection " + c.ref() + " (" + c.source() + "): " + AddonDecisions.refused(e, "reading the add-ons "
          + "of app " + AddonLookup.app(o, status), AddonLookup.app(o, status), o.getSpec().getAddon().getPlan(),
          Connector.credentialsHint(o)).message());
    } catch (PlatformThrottled e) {
      throw new PlanError("HerokuConnection " + c.ref() + " (" + c.source() + "): " + e.getMessage());
    }
  }

  /**
   * A connection whose add-on spec.addon must create (or is waiting for): the add-on's step as the
   * operator decides it ({@link AddonDecisions#beforeConnecting}), and what follows for any new
   * add-on (NEW: database and schema set; Salesforce authorized by a person).
   */
  private static ConnectionPlan planAddonFirst(Item<HerokuConnection> item, AddonDecisions.Facts f) {
    HerokuConnection c = item.object();
    ConnectionDecisions.Plan p = AddonDecisions.beforeConnecting(f);
    String create = "add-on " + f.wantPlan() + " on " + f.app() + " (named " + f.nameToCreate() + ", POST /apps/" + f.app() + "/addons)";
    var db = c.getSpec().getDatabase();
    String then = "then, as on any new add-on: db_key " + db.getConfigVar() + " and schema_name " + db.getSchema()
        + " set (PATCH /connections/{id}), and Salesforce authorized by a person (status.authorizationUrl)";
    String state = f.addon() == null ? "(no add-on)" : f.addon().state().apiName();
    String id = f.addon() == null ? null : f.addon().id();
    String name = f.addon() == null ? null : f.addon().name();
    boolean observe = f.management().observeOnly();
    if (p.steps().contains(ConnectionDecisions.Step.CREATE_ADDON)) {
      return new ConnectionPlan(item.namespace(), item.name(), item.source().toString(), id, name, state, observe, "create",
          List.of("create_addon", "configure_database"), List.of(create), List.of(), List.of(then));
    }
    if (p.withheld().contains(ConnectionDecisions.Step.CREATE_ADDON)) {
      return new ConnectionPlan(item.namespace(), item.name(), item.source().toString(), id, name, state, observe, "nothing",
          List.of(), List.of(), List.of(), List.of("observe-only, not created: " + create));
    }
    String action = p.stop() != null && p.stop().kind() == Outcome.Kind.STALLED ? "blocked" : "wait";
    return new ConnectionPlan(item.namespace(), item.name(), item.source().toString(), id, name, state, observe, action,
        List.of(), List.of(), List.of(), List.of(p.stop() == null ? "" : p.stop().message()));
  }

  /** observe-only's advice does not fit a plan, which never links either. */
  private static String notFoundMessage(ConnectionFinder.NotFound e, String app) {
    if (e.notLinked()) {
      return "app '" + app + "' has no Heroku Connect add-on visible to this token. plan sends no write, so it does not "
          + "link the token's user to the app; do it once (heroku connect:info -a " + app + ", or apply the HerokuConnection "
          + "and let the operator do it), check the app name, and run plan again";
    }
    return e.getMessage();
  }

  private static ConnectionPlan planConnection(Item<HerokuConnection> item, ConnectionFinder.Found found, Connection remote,
                                               ConnectionApi api, Map<String, String> refs, AddonDecisions.Facts addon) {
    HerokuConnection c = item.object();
    HerokuConnectionSpec spec = c.getSpec();
    HerokuConnectionStatus status = c.getStatus() == null ? new HerokuConnectionStatus() : c.getStatus();
    Management management = Management.of(c);
    ConnectionDecisions.Facts facts = ConnectionDecisions.facts(c, status, management, null, remote); // the operator's builder
    Request restart = facts.restart();
    ConnectionDecisions.Plan plan = ConnectionDecisions.plan(facts);
    List<String> steps = new ArrayList<>();
    List<String> changes = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<String> database = new ArrayList<>();
    if (addon != null) { // spec.addon's step goes first, as the operator sends it (AddonDecisions.then)
      ConnectionDecisions.Plan a = AddonDecisions.plan(addon);
      String line = "add-on plan: remote " + addon.addon().plan() + ", spec " + addon.wantPlan() + " (PATCH /apps/" + addon.app()
          + "/addons/{id})";
      if (a.steps().contains(ConnectionDecisions.Step.CHANGE_ADDON_PLAN)) {
        steps.add("change_addon_plan");
        changes.add(line);
      }
      if (a.withheld().contains(ConnectionDecisions.Step.CHANGE_ADDON_PLAN)) notes.add("observe-only, not changed: " + line);
      String differs = AddonDecisions.planDiffers(addon); // a found add-on: the operator never changes its plan
      if (differs != null) notes.add("not changed: " + differs);
    }
    if (!Objects.equals(remote.dbKey(), spec.getDatabase().getConfigVar())) {
      database.add("db_key: remote " + orUnset(remote.dbKey()) + ", spec " + spec.getDatabase().getConfigVar());
    }
    if (!Objects.equals(remote.schemaName(), spec.getDatabase().getSchema())) {
      database.add("schema_name: remote " + orUnset(remote.schemaName()) + ", spec " + spec.getDatabase().getSchema());
    }
    for (ConnectionDecisions.Step s : plan.steps()) {
      switch (s) {
        case CONFIGURE_DATABASE -> {
          steps.add("configure_database");
          database.forEach(l -> changes.add(l + " (PATCH /connections/{id})"));
        }
        case RESTART -> {
          steps.add("restart");
          changes.add("restart (" + restart.describe() + ")");
        }
        case PAUSE -> {
          steps.add("pause");
          changes.add("pause: spec.paused is true and the connection is " + remote.state());
        }
        case RESUME -> {
          steps.add("resume");
          changes.add("resume: spec.paused is false and the connection is PAUSED");
        }
        case ASK_AUTHORIZATION_URL -> notes.add("Salesforce is not authorized (" + remote.state() + "): the operator asks for an "
            + "authorization URL (status.authorizationUrl) that a person must open");
        case PREVIEW_API_VERSION, PAUSE_FOR_API_VERSION, CHANGE_API_VERSION, RESUME_AFTER_API_VERSION -> {
          // the Salesforce API version change: planApiVersion reads its preview and shows its steps
        }
        case CREATE_ADDON, CHANGE_ADDON_PLAN -> {
          // spec.addon's steps: shown above, from AddonDecisions
        }
      }
    }
    for (ConnectionDecisions.Step s : plan.then()) { // the decisions' own "after the writes", not a second reading of the spec
      steps.add(s.name().toLowerCase(Locale.ROOT));
      changes.add(s == ConnectionDecisions.Step.PAUSE
          ? "pause: spec.paused is true; sent once the connection is IDLE (it is " + remote.state() + ")"
          : "resume: spec.paused is false and the connection is PAUSED; sent after the steps above");
    }
    RequestedAction.skippedWhileObserving(management, c, status)
        .forEach(r -> notes.add("observe-only: " + r.describe() + " is marked handled without being sent"));
    for (ConnectionDecisions.Step s : plan.withheld()) {
      if (s == ConnectionDecisions.Step.CONFIGURE_DATABASE) database.forEach(l -> notes.add("observe-only, not corrected: " + l));
      if (s == ConnectionDecisions.Step.PAUSE) {
        notes.add("observe-only, not sent: pause (spec.paused is true, the connection is " + remote.state() + ")");
      }
      if (s == ConnectionDecisions.Step.RESUME) notes.add("observe-only, not sent: resume (spec.paused is false, the connection is PAUSED)");
    }
    String after = plan.steps().contains(ConnectionDecisions.Step.RESUME) ? StateTable.PAUSABLE // the state the steps above leave
        : plan.steps().contains(ConnectionDecisions.Step.PAUSE) || plan.then().contains(ConnectionDecisions.Step.PAUSE)
        ? StateTable.PAUSED_BY_REQUEST : remote.state();
    planApiVersion(facts.version(), after, found.connectionId(), api, refs, steps, changes, notes);
    if (!StateTable.MAPPINGS_OK.equals(remote.mappingsSummaryState()) && remote.mappingsSummaryState() != null) {
      notes.add("mappings_summary_state is " + remote.mappingsSummaryState() + ": see the HerokuMappings");
    }
    return new ConnectionPlan(item.namespace(), item.name(), item.source().toString(), found.connectionId(), found.resourceName(),
        remote.state(), management.observeOnly(), changes.isEmpty() ? "nothing" : "update", steps, List.of(), changes, notes);
  }

  /**
   * The Salesforce API version change, as the operator decides it (ApiVersionDecisions): a version
   * that may never be sent; else, when the spec's version differs from the live one, the one extra
   * read (GET schema-diff), the preview built as the operator builds it, and the steps it allows.
   */
  private static void planApiVersion(ApiVersionDecisions.Facts v, String after, String connectionId, ConnectionApi api,
                                     Map<String, String> refs, List<String> steps, List<String> changes, List<String> notes) {
    Outcome refused = ApiVersionDecisions.refused(v);
    if (refused != null) {
      changes.add("salesforce api_version: blocked: " + refused.message());
      return;
    }
    ApiVersionDecisions.Decision d = ApiVersionDecisions.decide(v);
    if (d.step() != ApiVersionDecisions.VersionStep.PREVIEW) return; // no change asked for, or not set up and authorized yet
    ApiVersionChangeStatus preview = ApiVersionDecisions.preview(v.want(), v.live(), v.fieldsNow(),
        api.schemaDiff(connectionId, v.want()), refs, java.time.Instant.now());
    ApiVersionDecisions.Facts previewed = new ApiVersionDecisions.Facts(v.want(), v.live(), v.state(), preview, v.fieldsNow(),
        v.wantPaused(), v.management());
    ApiVersionDecisions.Decision then = ApiVersionDecisions.decide(previewed);
    boolean blocked = ApiVersionDecisions.BLOCKED.equals(then.phase());
    changes.add("salesforce api_version: remote " + v.live() + ", spec " + v.want() + (blocked ? " (blocked: see below)"
        : v.management().observeOnly() ? " (observe-only: previewed, not applied)"
        : StateTable.PAUSED_BY_REQUEST.equals(after) ? " (change; the connection stays paused)" : " (pause, change, resume)"));
    for (ApiVersionChangeStatus.MappingChange m : preview.getMappings()) {
      changes.add("  schema-diff " + m.getObject() + (m.getHerokuMapping() == null ? "" : " (" + m.getHerokuMapping() + ")") + ": "
          + (Boolean.TRUE.equals(m.getUnsafe()) ? "unsafe" : Boolean.TRUE.equals(m.getChanged()) ? "changed" : "unchanged")
          + (m.getMessage() == null || m.getMessage().isBlank() ? "" : ", " + m.getMessage()));
    }
    if (blocked) {
      notes.add(then.outcome().message());
    } else if (!v.management().observeOnly()) {
      // on the state the steps above leave (a connection its spec resumes is resumed, then paused for the change)
      if (!v.syncing().isEmpty()) notes.add(then.outcome().message());
      if (StateTable.PAUSABLE.equals(after)) steps.add("pause");
      if (StateTable.PAUSABLE.equals(after) || StateTable.PAUSED_BY_REQUEST.equals(after)) steps.add("change-sf-api-version");
      if (StateTable.PAUSABLE.equals(after) && !v.wantPaused()) steps.add("resume");
      if (!StateTable.PAUSABLE.equals(after) && !StateTable.PAUSED_BY_REQUEST.equals(after)) notes.add(then.outcome().message());
    }
  }

  private static MappingPlan planMapping(Item<HerokuMapping> item, Item<HerokuConnection> conn, Connection remote) {
    HerokuMapping m = item.object();
    HerokuMappingSpec spec = m.getSpec();
    HerokuMappingStatus status = m.getStatus() == null ? new HerokuMappingStatus() : m.getStatus();
    Management management = Management.of(m, spec.getDeletionPolicy(), conn.object());
    MappingDecisions.Facts facts = MappingDecisions.facts(m, status, management, null, null, remote); // the operator's builder
    Mapping found = facts.byId() != null ? facts.byId() : facts.byObject();
    List<String> drift = facts.drift();
    List<Request> requested = facts.requested();
    MappingDecisions.Plan plan = MappingDecisions.plan(facts);

    List<String> steps = plan.steps().stream().flatMap(s -> s == Step.SEND_REQUESTED
        ? MappingDecisions.actionsToSend(facts).stream().map(r -> r.action().name().toLowerCase(Locale.ROOT))
        : Stream.of(s.name().toLowerCase(Locale.ROOT))).toList();
    List<String> notes = new ArrayList<>();
    List<String> differences = new ArrayList<>();
    String action;
    Outcome stop = plan.stop();
    if (plan.steps().contains(Step.CREATE) || plan.steps().contains(Step.RECREATE)) {
      action = "create";
      differences.add(createLine(spec));
      if (plan.steps().contains(Step.RECREATE)) {
        notes.add("status.mappingId " + status.getMappingId() + " is gone from the connection: created again");
      }
    } else if (plan.steps().contains(Step.UPDATE)) {
      action = "update";
      differences.addAll(drift);
      if (plan.steps().contains(Step.ADOPT)) notes.add(adoptNote(found, spec));
    } else if (stop != null && Reasons.OBSERVING.equals(stop.reason())) {
      action = "nothing";
      notes.add(stop.message());
    } else if (stop != null) {
      action = stop.kind() == Outcome.Kind.STALLED ? "blocked" : "wait";
      if (found == null) differences.add(createLine(spec));
      differences.addAll(drift);
      notes.add(stop.message() != null ? stop.message() : "the API refused this generation of the spec (" + stop.reason() + ")");
    } else if (plan.steps().contains(Step.ADOPT)) {
      action = "adopt";
      notes.add(adoptNote(found, spec));
    } else {
      action = "nothing";
    }
    if (management.observeOnly() && !drift.isEmpty()) drift.forEach(d -> notes.add("observe-only, not corrected: " + d));
    RequestedAction.skippedWhileObserving(management, m, status)
        .forEach(r -> notes.add("observe-only: " + r.describe() + " is marked handled without being sent"));
    for (Request r : requested) {
      if (!steps.contains(r.action().name().toLowerCase(Locale.ROOT))) continue;
      notes.add("then " + r.action().name().toLowerCase(Locale.ROOT) + " (" + r.describe() + ")");
      if (action.equals("nothing") || action.equals("adopt")) action = r.action().name().toLowerCase(Locale.ROOT);
    }
    return new MappingPlan(item.namespace(), item.name(), item.source().toString(), conn.name(), spec.getObjectName(), action,
        steps, found == null ? null : found.id(), differences, notes);
  }

  private static String createLine(HerokuMappingSpec spec) {
    return "POST /connections/{id}/mappings: " + spec.getObjectName() + ", " + spec.getAccess().apiValue() + ", "
        + spec.getFields().size() + " field(s): " + String.join(", ", spec.getFields());
  }

  private static String adoptNote(Mapping found, HerokuMappingSpec spec) {
    return "the remote mapping " + found.id() + " of " + found.objectName() + " is taken over without a write"
        + (spec.getDeletionPolicy() == HerokuMappingSpec.DeletionPolicy.Delete
        ? "; deletionPolicy Delete: deleting the HerokuMapping then deletes it" : "");
  }

  private static Summary summarize(List<ConnectionPlan> connections, List<MappingPlan> mappings) {
    Map<String, Integer> n = new LinkedHashMap<>();
    mappings.forEach(m -> n.merge(m.action(), 1, Integer::sum));
    int connectionUpdates = (int) connections.stream().filter(c -> c.action().equals("update")).count();
    boolean reloads = mappings.stream().anyMatch(m -> m.action().equals("reload") || m.action().equals("abort")
        || m.steps().contains("reload") || m.steps().contains("abort"));
    int create = n.getOrDefault("create", 0);
    int update = n.getOrDefault("update", 0);
    int waiting = n.getOrDefault("wait", 0);
    int blocked = n.getOrDefault("blocked", 0);
    int addons = (int) connections.stream().filter(c -> c.action().equals("create")).count();
    boolean connectionsWait = connections.stream().anyMatch(c -> c.action().equals("wait") || c.action().equals("blocked"));
    boolean changes = create + update + waiting + blocked + connectionUpdates + addons > 0 || reloads || connectionsWait;
    return new Summary(create, update, n.getOrDefault("adopt", 0), n.getOrDefault("nothing", 0), waiting, blocked,
        connectionUpdates, addons, changes);
  }

  private static String orUnset(String v) {
    return v == null ? "(not set)" : v;
  }
}
