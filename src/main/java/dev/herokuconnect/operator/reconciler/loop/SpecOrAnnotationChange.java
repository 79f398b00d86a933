package dev.herokuconnect.operator.reconciler.loop;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Reconcile on a new generation (spec) or changed annotations (the requested-at actions and the
 * reconcile policy), never on our own status writes: generation-aware processing alone would
 * miss the annotations.
 */
public final class SpecOrAnnotationChange<R extends HasMetadata> implements OnUpdateFilter<R> {
  @Override
  public boolean accept(R now, R before) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(now.getMetadata().getAnnotations(), before.getMetadata().getAnnotations())
        || !Objects.equals(now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp())
        || !Objects.equals(now.getMetadata().getFinalizers(), before.getMetadata().getFinalizers());
  }
}
