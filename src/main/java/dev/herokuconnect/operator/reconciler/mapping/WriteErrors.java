package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model.Mapping;
import dev.herokuconnect.operator.connect.Model.SyncError;
import dev.herokuconnect.operator.connect.RequestGate.Priority;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.crd.WriteError;
import dev.herokuconnect.operator.reconciler.loop.Intervals;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Write errors a person can read in {@code kubectl describe}: when a mapping's error count (from the
 * shared snapshot, free) goes up, its errors are read once (GET /mappings/{id}/errors, a background
 * request the budget may defer) into status.recentErrors, with one Warning per new batch. Nothing is
 * read while the count is unchanged, and at most once per refresh interval per mapping, counting
 * attempts: a read that fails keeps the count unread and is tried again after the interval.
 */
public final class WriteErrors {
  static final int KEEP = 5;
  private static final int MAX_MESSAGE = 256;

  private final Clock clock;
  private final Intervals intervals;
  private final Map<String, Instant> lastRead = new ConcurrentHashMap<>();

  WriteErrors(Clock clock, Intervals intervals) {
    this.clock = clock;
    this.intervals = intervals;
  }

  void read(Reconcile<HerokuMapping, HerokuMappingStatus> ctx, Mapping remote, ConnectionApi api) {
    HerokuMapping m = ctx.resource();
    HerokuMappingStatus st = ctx.status();
    Long count = remote.counts() == null ? null : remote.counts().errors();
    if (count == null) return;
    long seen = st.getErrorsSeen() == null ? 0 : st.getErrorsSeen();
    if (count <= seen) {
      if (count < seen) st.setErrorsSeen(count); // errors older than 24 h dropped out of the count
      return;
    }
    String uid = m.getMetadata().getUid();
    Instant now = clock.instant();
    Instant last = lastRead.get(uid);
    if (last != null && last.plus(intervals.refresh()).isAfter(now)) return;
    // The interval counts attempts, not answers: a read that fails is sent again after the interval, not on every
    // reconcile (a failing endpoint was read ~2,880 times a day otherwise).
    lastRead.put(uid, now);
    List<SyncError> errors;
    try {
      errors = api.withPriority(Priority.BACKGROUND).recentMappingErrors(remote.id()); // newest first: one page is enough
    } catch (ConnectApiException.RateLimited notSent) {
      // the budget deferred it and nothing left the process: the budget paces the next try, not the interval
      if (last == null) lastRead.remove(uid);
      else lastRead.put(uid, last);
      return;
    } catch (ConnectApiException e) {
      return; // failed (or 429): errorsSeen is unchanged, so it is read again once the interval has passed
    }
    List<WriteError> newest = errors.stream()
        .sorted(Comparator.comparing((SyncError e) -> e.createdAt() == null ? "" : e.createdAt()).reversed())
        .limit(KEEP)
        .map(e -> new WriteError(e.recordId(), clip(e.message()), e.createdAt()))
        .toList();
    st.setRecentErrors(newest);
    st.setErrorsSeen(count);
    String latest = newest.isEmpty() ? "" : "; latest: " + (newest.get(0).getRecordId() == null ? "" : newest.get(0).getRecordId() + ": ")
        + newest.get(0).getMessage();
    ctx.warning(m, "WriteErrors", (count - seen) + " new write error(s) on " + remote.objectName() + " (counts.errors is now "
        + count + ")" + latest + " (status.recentErrors)");
  }

  /** Keeps only the mappings that still exist. */
  void retain(java.util.Set<String> live) {
    lastRead.keySet().retainAll(live);
  }

  /** The mapping is gone. */
  void forget(String uid) {
    lastRead.remove(uid);
  }

  int held() {
    return lastRead.size();
  }

  private static String clip(String s) {
    return s == null ? "" : s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) : s;
  }
}
