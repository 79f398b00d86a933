package dev.herokuconnect.operator.health;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.time.Duration;

/**
 * What this instance knows of leader election, for /readyz and /healthz. With election off it
 * always leads. With it on, it leads after winning the Lease; a standby sees another holder.
 * An instance that has seen no holder at all (not itself, not another) long after start cannot
 * read or write the Lease: /healthz fails then, so the pod is restarted and the cause shows.
 */
public final class Leadership {
  private final boolean electing;
  private final Duration noLeaderLimit;
  private final long createdNanos = System.nanoTime();
  private volatile boolean leading;
  private volatile String holder;

  private Leadership(boolean electing, Duration noLeaderLimit) {
    this.electing = electing;
    this.noLeaderLimit = noLeaderLimit;
  }

  public static Leadership off() {
    return new Leadership(false, Duration.ZERO);
  }

  /** Election on; {@code noLeaderLimit} is how long no holder at all may be seen before /healthz fails. */
  public static Leadership electing(Duration noLeaderLimit) {
    return new Leadership(true, noLeaderLimit);
  }

  /** Callbacks for JOSDK's LeaderElectionConfiguration. */
  public LeaderCallbacks callbacks() {
    return new LeaderCallbacks(() -> leading = true, () -> leading = false, id -> holder = id);
  }

  public boolean electing() { return electing; }

  /** True when this instance may work: election off, or this instance holds the Lease. */
  public boolean leading() { return !electing || leading; }

  /** The holder last seen, or null. */
  public String holder() { return holder; }

  /** Null when fine; else why leader election is stuck. */
  String stuck() {
    if (!electing || holder != null || leading) return null;
    Duration waited = Duration.ofNanos(System.nanoTime() - createdNanos);
    if (waited.compareTo(noLeaderLimit) < 0) return null;
    return "leader election: no holder of the Lease seen in " + waited.toSeconds()
        + " s; check the Role for leases (get, create, update, patch) and LEADER_ELECTION_NAMESPACE";
  }
}
