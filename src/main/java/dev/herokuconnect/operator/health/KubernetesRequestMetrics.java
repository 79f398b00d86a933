package dev.herokuconnect.operator.health;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes API requests of the operator's client, for Prometheus: by HTTP method and
 * answer code ({@code heroku_connect_operator_kubernetes_requests_total}, client-go's
 * {@code rest_client_requests_total}), and the time to each answer
 * ({@code heroku_connect_operator_kubernetes_request_duration_seconds}, by method). A fabric8
 * interceptor, so it sits in whatever transport the client has (okhttp here) and sees each
 * attempt, retries included; a watch counts once, when it opens (code 101, the WebSocket upgrade).
 * One gap: fabric8 tells its interceptors of an attempt that got no answer only when it will try
 * again, so the last attempt of a request that never got one is not counted (with the default
 * 10 retries, 10 of its 11 attempts are).
 *
 * <p>Added where the client is built ({@link #addTo}); {@code HerokuConnectOperator} finds it on
 * the client it is given ({@link #of}) and binds it to its registry. A client built without it
 * (some tests) has no such series.
 */
public final class KubernetesRequestMetrics implements Interceptor, MeterBinder {
  /** The interceptor's name in the client. */
  public static final String INTERCEPTOR = "heroku-connect-operator-metrics";
  public static final String REQUESTS = "heroku_connect_operator_kubernetes_requests";
  public static final String DURATION = "heroku_connect_operator_kubernetes_request_duration";
  /** The code of a request that got no answer (refused, reset, timed out), as client-go writes it. */
  public static final String NO_ANSWER = "<error>";

  static final Duration[] BUCKETS = HistogramBuckets.seconds(0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60);

  private volatile MeterRegistry registry;
  /**
   * When each request in flight was sent. Weak keys: a request whose connection fails is never
   * answered (the failure names the request as it was before the interceptors), so its entry
   * must go with the request.
   */
  private final Map<HttpRequest, Long> sent = Collections.synchronizedMap(new WeakHashMap<>());

  /** Adds a new instance to a client being built: {@code new KubernetesClientBuilder().withHttpClientBuilderConsumer(KubernetesRequestMetrics::addTo)}. */
  public static void addTo(HttpClient.Builder builder) {
    KubernetesRequestMetrics metrics = new KubernetesRequestMetrics();
    builder.addOrReplaceInterceptor(INTERCEPTOR, metrics).tag(metrics);
  }

  /** The instance {@link #addTo} put in {@code client}, if it has one. */
  public static Optional<KubernetesRequestMetrics> of(KubernetesClient client) {
    return client.getHttpClient() instanceof RequestTags tags
        ? Optional.ofNullable(tags.getTag(KubernetesRequestMetrics.class)) : Optional.empty();
  }

  /** From now on the requests count in {@code registry} (the last one bound, when a client serves several operators in a test). */
  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public AsyncBody.Consumer<List<ByteBuffer>> consumer(AsyncBody.Consumer<List<ByteBuffer>> consumer, HttpRequest request) {
    sent.put(request, System.nanoTime()); // the request as it goes out; after() is given the same one
    return consumer;
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    Long at = sent.remove(request);
    record(request.method(), Integer.toString(response.code()), at == null ? -1 : System.nanoTime() - at);
  }

  @Override
  public void afterConnectionFailure(HttpRequest request, Throwable failure) {
    record(request.method(), NO_ANSWER, -1);
  }

  private void record(String method, String code, long nanos) {
    MeterRegistry r = registry;
    if (r == null) return;
    Counter.builder(REQUESTS)
        .description("Requests the operator sent to the Kubernetes API, by HTTP method and answer code (" + NO_ANSWER
            + ": no answer, counted when retried), retries included")
        .tag("method", method).tag("code", code).register(r).increment();
    if (nanos < 0) return; // a watch's upgrade, or no answer: no time to the answer
    Timer.builder(DURATION)
        .description("Time from sending a request to the Kubernetes API to its answer's status line, by HTTP method "
            + "(watches not included)")
        .tag("method", method).serviceLevelObjectives(BUCKETS).register(r).record(nanos, TimeUnit.NANOSECONDS);
  }
}
