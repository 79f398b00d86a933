package dev.herokuconnect.operator.reconciler.loop;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events for what the operator did or cannot do. The same event for the same
 * object is not repeated within ten minutes, so a stall does not flood the namespace.
 */
public final class EventRecorder implements Events {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private static final Duration REPEAT_AFTER = Duration.ofMinutes(10);
  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Instant> recent = new ConcurrentHashMap<>();

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Entries held (event keys remembered to not repeat them), for Controllers.held(). */
  public int held() {
    return recent.size();
  }

  @Override
  public void forget(HasMetadata object) {
    String prefix = object.getMetadata().getUid() + "|";
    recent.keySet().removeIf(k -> k.startsWith(prefix));
  }

  @Override
  public void retain(java.util.Set<String> live) {
    recent.keySet().removeIf(k -> !live.contains(k.substring(0, k.indexOf('|'))));
  }

  @Override
  public void normal(HasMetadata object, String reason, String message) {
    emit(object, "Normal", reason, message);
  }

  @Override
  public void warning(HasMetadata object, String reason, String message) {
    emit(object, "Warning", reason, message);
  }

  private void emit(HasMetadata object, String type, String reason, String message) {
    String key = object.getMetadata().getUid() + "|" + reason + "|" + message;
    Instant now = clock.instant();
    Instant last = recent.get(key);
    if (last != null && Duration.between(last, now).compareTo(REPEAT_AFTER) < 0) return;
    recent.put(key, now);
    if (recent.size() > 10_000) recent.clear();
    log.info("{} {} {}/{}: {}", type.toLowerCase(Locale.ROOT), reason, object.getMetadata().getNamespace(),
        object.getMetadata().getName(), message);
    String ts = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    try {
      client.v1().events().inNamespace(object.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata()
            .withGenerateName(object.getMetadata().getName() + ".")
            .withNamespace(object.getMetadata().getNamespace())
          .endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion(object.getApiVersion()).withKind(object.getKind())
              .withName(object.getMetadata().getName()).withNamespace(object.getMetadata().getNamespace())
              .withUid(object.getMetadata().getUid()).withResourceVersion(object.getMetadata().getResourceVersion())
              .build())
          .withType(type)
          .withReason(reason)
          .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
          .withFirstTimestamp(ts)
          .withLastTimestamp(ts)
          .withCount(1)
          .withNewSource("heroku-connect-operator", null)
          .withReportingComponent("heroku-connect-operator")
          .build()).create();
    } catch (KubernetesClientException e) {
      log.warn("could not record event {} on {}/{}: {}", reason, object.getMetadata().getNamespace(),
          object.getMetadata().getName(), e.getMessage());
    }
  }
}
