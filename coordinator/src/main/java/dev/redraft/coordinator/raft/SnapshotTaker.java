package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.redis.RedisSnapshots;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes this node's snapshots (its Redis dataset at an exact log index) when Ratis asks: drains the
 * apply pipeline so Redis is quiet, writes the snapshot, and keeps the figures. A snapshot that
 * cannot be taken now is postponed ({@link SnapshotAttempts}), never thrown: see
 * {@link RedraftStateMachine#takeSnapshot}.
 */
final class SnapshotTaker {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);
  /** How long a snapshot waits for the apply pipeline to drain before it is postponed. */
  private static final long SNAPSHOT_DRAIN_MS = 60_000;
  /** How long a snapshot in progress may go on once the node is stopping. */
  private static final long STOP_SNAPSHOT_GRACE_MS = 3_000;

  private final String nodeId;
  private final SnapshotStore snapshots;
  private final NodeHealth health;
  private final RedraftMetrics metrics;
  private final SnapshotStats snapshotStats = new SnapshotStats();
  private final SnapshotAttempts snapshotAttempts;
  private volatile long stopDeadlineNanos;

  SnapshotTaker(String nodeId, SnapshotStore snapshots, NodeHealth health, RedraftMetrics metrics) {
    this.nodeId = nodeId;
    this.snapshots = snapshots;
    this.health = health;
    this.metrics = metrics;
    this.snapshotAttempts = new SnapshotAttempts(nodeId);
  }

  /** Takes a snapshot at the last applied entry if it can; returns the newest snapshot's index. */
  long take(ApplyPipeline p, Supplier<TermIndex> lastApplied) {
    SingleFileSnapshotInfo latest = snapshots.latest(false);
    long latestIndex = latest == null ? RaftLog.INVALID_LOG_INDEX : latest.getIndex();
    if (p == null) {
      return latestIndex;
    }
    if (health.isRemoved()) {
      return latestIndex; // it said so once already; its state no longer matters
    }
    if (!health.isReady()) {
      return snapshotAttempts.postponed("the node is not ready (" + health.reason() + ")", latestIndex);
    }
    if (!snapshotAttempts.mayTry()) {
      return latestIndex;
    }
    long started = System.nanoTime();
    String notDrained = drainForSnapshot(p, started);
    if (notDrained != null) {
      return snapshotAttempts.postponed(notDrained, latestIndex);
    }
    TermIndex last = lastApplied.get();
    if (last == null || last.getIndex() <= latestIndex) {
      return latestIndex;
    }
    RedisSnapshots.Summary summary;
    try {
      summary = snapshots.write(last, p.expectedMarker(), this::snapshotMustStop);
    } catch (IOException | RuntimeException e) {
      if (e.getMessage() != null && e.getMessage().contains("lost data")) {
        p.requestCheck();
      }
      return snapshotAttempts.postponed("writing it failed (" + e + ")", latestIndex);
    }
    long pauseMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    snapshotStats.taken(last.getIndex(), pauseMs);
    metrics.snapshotTaken(java.time.Duration.ofMillis(pauseMs));
    snapshotAttempts.succeeded(last.getIndex());
    LOG.info("node {}: snapshot at index {} (term {}): {} keys, {} bytes; applies paused {} ms", nodeId,
        last.getIndex(), last.getTerm(), summary.keys(), summary.bytes(), pauseMs);
    return last.getIndex();
  }

  /**
   * Waits until everything handed to the pipeline is in Redis; returns null once it is, or why the
   * snapshot should not wait longer (Redis unreachable, node stopping, {@link #SNAPSHOT_DRAIN_MS}).
   */
  private String drainForSnapshot(ApplyPipeline p, long started) {
    CompletableFuture<Void> drained = p.awaitApplied(p.lastSubmitted());
    while (true) {
      try {
        drained.get(100, TimeUnit.MILLISECONDS);
        return null;
      } catch (TimeoutException e) {
        if (snapshotMustStop()) {
          return "the node is stopping while its apply pipeline still has entries to apply";
        }
        if (!health.isReady()) {
          return "its apply pipeline cannot drain: " + health.reason();
        }
        if (System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_DRAIN_MS)) {
          return "its apply pipeline did not drain within " + SNAPSHOT_DRAIN_MS + " ms";
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted while draining its apply pipeline";
      } catch (ExecutionException e) {
        return "its apply pipeline stopped (" + e.getCause() + ")";
      }
    }
  }

  /** True once the node is stopping and a snapshot has used up its grace period. */
  private boolean snapshotMustStop() {
    long deadline = stopDeadlineNanos;
    return deadline != 0 && System.nanoTime() - deadline >= 0;
  }

  /** The node is stopping: a snapshot in progress gets {@link #STOP_SNAPSHOT_GRACE_MS} more, then is abandoned. */
  void prepareStop() {
    stopDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_SNAPSHOT_GRACE_MS);
  }

  boolean stopping() {
    return stopDeadlineNanos != 0;
  }

  /** Snapshot figures of this node. */
  SnapshotStats stats() {
    SingleFileSnapshotInfo latest = snapshots.latest(false);
    snapshotStats.latestIndex(latest == null ? 0 : latest.getIndex());
    return snapshotStats;
  }
}
