package dev.herokuconnect.operator.reconciler.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * One remote object, one owner: of all the objects in the cluster that claim the same add-on or
 * the same remote mapping, the oldest (creation time, then name, then namespace) owns it. The
 * others write nothing and delete nothing remote; when the owner goes, the next one takes over.
 */
public final class Ownership {
  /** An object that claims a remote thing. */
  public record Claimant(String namespace, String name, String uid, Instant created) {
    public String ref() {
      return namespace + "/" + name;
    }

    public static Claimant of(HasMetadata o) {
      String ts = o.getMetadata().getCreationTimestamp();
      return new Claimant(o.getMetadata().getNamespace(), o.getMetadata().getName(), o.getMetadata().getUid(),
          ts == null ? Instant.MAX : Instant.parse(ts));
    }
  }

  static final Comparator<Claimant> OLDEST_FIRST = Comparator.comparing(Claimant::created)
      .thenComparing(Claimant::name).thenComparing(Claimant::namespace);

  private Ownership() {}

  /** The owner among {@code claimants}; empty when there are none. */
  public static Optional<Claimant> owner(Collection<Claimant> claimants) {
    return claimants.stream().min(OLDEST_FIRST);
  }

  /** The owner when it is not {@code self}: the object {@code self} conflicts with. */
  public static Optional<Claimant> conflictFor(Claimant self, Collection<Claimant> claimants) {
    return owner(claimants).filter(o -> !o.uid().equals(self.uid()) && OLDEST_FIRST.compare(o, self) < 0);
  }
}
