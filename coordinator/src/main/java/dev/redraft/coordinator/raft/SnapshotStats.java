package dev.redraft.coordinator.raft;

/** How this node's snapshots went: for status, metrics and the write-pause figure. */
public final class SnapshotStats {
  private volatile long latestIndex;
  private volatile long taken;
  private volatile long lastPauseMs;
  private volatile long longestPauseMs;

  synchronized void taken(long index, long pauseMs) {
    latestIndex = Math.max(latestIndex, index);
    taken++;
    lastPauseMs = pauseMs;
    longestPauseMs = Math.max(longestPauseMs, pauseMs);
  }

  void latestIndex(long index) {
    latestIndex = index;
  }

  /** The index of the newest snapshot on this node (taken here or installed from the leader); 0 if none. */
  public long latestIndex() {
    return latestIndex;
  }

  /** Snapshots this node took since it started. */
  public long taken() {
    return taken;
  }

  /** How long applies paused for the last snapshot. */
  public long lastPauseMs() {
    return lastPauseMs;
  }

  /** The longest apply pause a snapshot caused since the node started. */
  public long longestPauseMs() {
    return longestPauseMs;
  }
}
