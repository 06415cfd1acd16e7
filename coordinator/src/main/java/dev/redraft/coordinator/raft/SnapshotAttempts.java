package dev.redraft.coordinator.raft;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a snapshot may be attempted now, and what to log about it. A snapshot that cannot be
 * written (Redis unreachable, the node not ready, the node stopping) is postponed, never thrown at
 * Ratis: Ratis retries a failed snapshot on every apply round, and an unchecked exception closes the
 * group and, while the server stops, made its apply thread retry in a tight loop. After a failure
 * the next attempt waits (1 s, doubling up to 30 s); one WARN is logged when snapshots start failing
 * and one INFO when they work again.
 */
final class SnapshotAttempts {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotAttempts.class);
  private static final long MIN_BACKOFF_MS = 1_000;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final String nodeId;
  /** Why snapshots are postponed, or null while they work. */
  private String postponedBecause;
  private long backoffMs;
  private long nextAttemptNanos;

  SnapshotAttempts(String nodeId) {
    this.nodeId = nodeId;
  }

  /** False while backing off after a failure: the caller returns at once without touching Redis. */
  synchronized boolean mayTry() {
    return postponedBecause == null || System.nanoTime() - nextAttemptNanos >= 0;
  }

  /** The snapshot could not be taken now; returns {@code latestIndex} for Ratis (nothing new). */
  synchronized long postponed(String reason, long latestIndex) {
    if (postponedBecause == null) {
      LOG.warn("node {}: snapshot postponed: {}; the Raft log is kept until a snapshot succeeds, retrying with "
          + "backoff (up to every {} s)", nodeId, reason, TimeUnit.MILLISECONDS.toSeconds(MAX_BACKOFF_MS));
      backoffMs = MIN_BACKOFF_MS;
    } else {
      LOG.debug("node {}: snapshot postponed again: {}", nodeId, reason);
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }
    postponedBecause = reason;
    nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
    return latestIndex;
  }

  /** A snapshot was written. */
  synchronized void succeeded(long index) {
    if (postponedBecause != null) {
      LOG.info("node {}: snapshots work again (snapshot at index {}); they were postponed: {}", nodeId, index,
          postponedBecause);
      postponedBecause = null;
    }
  }
}
