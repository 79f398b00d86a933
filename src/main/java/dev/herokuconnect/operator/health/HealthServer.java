package dev.herokuconnect.operator.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.herokuconnect.operator.config.OperatorConfig;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * /healthz (liveness) and /readyz (readiness) from the operator's runtime state, on their own
 * port ({@value OperatorConfig#HEALTH_PORT}, as controller-runtime's health probe port), apart
 * from /metrics ({@link MetricsServer}): a slow scrape never delays a probe. Any other path
 * answers 404.
 *
 * <ul>
 *   <li>/healthz: 200 while the operator starts and while every event source (informer) of
 *       every controller is healthy; 503, naming them, when one is not (a watch that is down,
 *       an informer that stopped), or when leader election has seen no Lease holder at all.
 *   <li>/readyz: 200 when started, every informer has synced, no event source is unhealthy
 *       (a watch that is down fails it, naming the watch, until the watch is back), and this
 *       instance leads (or leader election is off). {@code /readyz?standby=true} also counts a synced standby as
 *       ready (the chart's readiness probe with leader election on, so rollouts can proceed).
 * </ul>
 */
public final class HealthServer implements AutoCloseable {
  /**
   * Threads answering one port at most, each created when needed and gone after 30 s idle. The
   * JDK's server reads a request's headers on these threads, so a client that sends half a
   * request holds one until {@link #MAX_REQUEST_SECONDS}: with three, three such connections from
   * any pod left the kubelet's probes unanswered (and the pod restarted). 16 keeps the probes
   * answered unless a client holds 16 connections open at once; NetworkPolicy (the chart's
   * {@code networkPolicy.enabled}) keeps other pods away altogether. Each thread costs native
   * memory: `make bench` measured the operator's peak RSS at about 310 MiB with 3 threads, 485 with
   * 32 started up front, 300 with this pool ({@link #threads}), which starts them only as needed.
   */
  static final int THREADS = 16;
  /** How long a request's line and headers may take to arrive before the JDK's server drops the connection. */
  static final long MAX_REQUEST_SECONDS = 10;
  static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";

  /**
   * Bounds how long a request may take to arrive ({@value #MAX_REQUEST_TIME}, seconds; the JDK's
   * default is no bound, and the Prometheus exporter sets 60 s when its class loads unless set).
   * The JDK reads it once, when its first server in the process starts: call before any.
   */
  static void boundRequestTime() {
    if (System.getProperty(MAX_REQUEST_TIME) == null) System.setProperty(MAX_REQUEST_TIME, Long.toString(MAX_REQUEST_SECONDS));
  }

  /**
   * A server's threads: a request goes to an idle thread, else to a new one up to {@link #THREADS},
   * else it waits its turn (Tomcat's task queue does the same). A plain queue would start all
   * {@link #THREADS} for the first requests and keep them busy-or-idle, and each costs native memory.
   * Idle threads go after 30 s.
   */
  static ExecutorService threads(String name) {
    HandOffFirst queue = new HandOffFirst();
    java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(1, THREADS, 30,
        java.util.concurrent.TimeUnit.SECONDS, queue, daemonThreads(name), (task, p) -> {
          if (!p.isShutdown()) queue.enqueue(task); // every thread busy: wait for one
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Hands a task to a waiting thread or declines it, so that the pool starts a new one; {@link #enqueue} queues it. */
  private static final class HandOffFirst extends java.util.concurrent.LinkedTransferQueue<Runnable> {
    @Override
    public boolean offer(Runnable task) {
      return tryTransfer(task);
    }

    void enqueue(Runnable task) {
      super.offer(task);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private HealthServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Throws {@link StartupFailure} naming the port and HEALTH_PORT when the port is taken. */
  public static HealthServer start(int port, Operator operator, Leadership leadership) throws IOException {
    boundRequestTime();
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (BindException e) {
      throw StartupFailure.portInUse(OperatorConfig.HEALTH_PORT, port, e);
    }
    ExecutorService executor = threads("health");
    server.setExecutor(executor);
    server.createContext("/healthz", exactly("/healthz", ex -> {
      String problem = liveness(operator.getRuntimeInfo(), leadership);
      answer(ex, problem == null, "ok", problem);
    }));
    server.createContext("/readyz", exactly("/readyz", ex -> {
      String query = ex.getRequestURI().getQuery();
      boolean standbyOk = query != null && List.of(query.split("&")).contains("standby=true");
      String problem = readiness(operator.getRuntimeInfo(), leadership, standbyOk);
      answer(ex, problem == null, "ready", problem);
    }));
    server.createContext("/", HealthServer::notFound);
    server.start();
    return new HealthServer(server, executor);
  }

  /** Named daemon threads ({@code name-1}, {@code name-2}, ...): a server's threads never keep the process alive. */
  static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A context matches every path it prefixes ("/healthzz", "/healthz/x"); only the path itself is served. */
  private static HttpHandler exactly(String path, HttpHandler handler) {
    return ex -> {
      if (ex.getRequestURI().getPath().equals(path)) handler.handle(ex);
      else notFound(ex);
    };
  }

  static void notFound(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes();
    ex.sendResponseHeaders(404, -1);
    ex.close();
  }

  /** Null when alive; else what is wrong. */
  static String liveness(RuntimeInfo info, Leadership leadership) {
    if (!info.isStarted()) return null; // starting: a failed start ends the process instead
    String unhealthy = unhealthy(info);
    if (unhealthy != null) return unhealthy;
    return leadership.stuck();
  }

  /** Null when every event source (informer) of every controller is healthy; else the unhealthy ones, named. */
  static String unhealthy(RuntimeInfo info) {
    if (info.allEventSourcesAreHealthy()) return null;
    TreeSet<String> names = new TreeSet<>();
    info.unhealthyEventSources().forEach((controller, sources) -> sources.keySet().forEach(s -> names.add(controller + "/" + s)));
    return "event sources unhealthy (watch down or informer stopped): " + String.join(", ", names);
  }

  /** Null when ready; else why not. */
  static String readiness(RuntimeInfo info, Leadership leadership, boolean standbyOk) {
    if (!info.isStarted()) return "starting";
    List<String> unsynced = new ArrayList<>();
    for (RegisteredController<?> c : info.getRegisteredControllers()) {
      c.getControllerHealthInfo().informerEventSourceHealthIndicators().forEach((source, indicator) -> {
        @SuppressWarnings("unchecked") // the SDK's map holds raw InformerWrappingEventSourceHealthIndicator values
        Map<String, InformerHealthIndicator> informers = ((io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator<?>) indicator)
            .informerHealthIndicators();
        for (Map.Entry<String, InformerHealthIndicator> i : informers.entrySet()) {
          if (!i.getValue().hasSynced()) unsynced.add(c.getConfiguration().getName() + "/" + source + " (" + i.getKey() + ")");
        }
      });
    }
    if (!unsynced.isEmpty()) return "informers not synced yet: " + String.join(", ", new TreeSet<>(unsynced));
    // A synced informer whose watch is down serves a cache that no longer follows the cluster.
    String unhealthy = unhealthy(info);
    if (unhealthy != null) return unhealthy;
    if (!leadership.leading() && !standbyOk) {
      return "standby: leader election is on and the Lease is held by " + (leadership.holder() == null ? "nobody yet" : leadership.holder());
    }
    return null;
  }

  private static void answer(HttpExchange ex, boolean ok, String yes, String no) throws IOException {
    byte[] body = ((ok ? yes : no) + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(ok ? 200 : 503, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
