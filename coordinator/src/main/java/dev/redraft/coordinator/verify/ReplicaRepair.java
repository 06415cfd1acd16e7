package dev.redraft.coordinator.verify;

/** Replaces this node's Redis content with the leader's state (snapshot plus this node's log). */
public interface ReplicaRepair {
  /** Blocks until the repair is done; the leader's snapshot is at least at {@code round}. */
  void repairFromLeader(long round) throws Exception;
}
