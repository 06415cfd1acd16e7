package dev.redraft.coordinator.chaos.harness;

/** The faults the harness can inject. Each is healed before the next one starts. */
public enum FaultType {
  /** Cut every link between the leader and the other nodes, both ways. */
  PARTITION_ISOLATE_LEADER,
  /** Split the cluster in a majority and a minority (with 3 nodes: one follower alone). */
  PARTITION_MAJORITY_MINORITY,
  /** Cut the links in one direction only: from the leader to the others, or from the others to the leader. */
  PARTITION_ONE_WAY,
  /** SIGSTOP the leader's JVM, later SIGCONT. */
  PAUSE_LEADER,
  /** SIGKILL a coordinator (the leader or a follower), later start it again on the same data. */
  KILL_RESTART_COORDINATOR,
  /** SIGKILL the leader's coordinator, later start it again on the same data. */
  KILL_RESTART_LEADER,
  /**
   * Kill a follower's Redis and start it empty; the node must notice, rebuild its Redis from its own
   * snapshot and log, and serve again by itself (the heal only waits for that).
   */
  REDIS_DATA_LOSS,
  /**
   * Restart one node (leader or follower) with its wall clock moved by 5 to 60 s either way
   * (libfaketime, monotonic clock untouched), later restart it with the real clock.
   */
  CLOCK_SKEW,
  /** Remove a node (leader or follower) from the group while it runs; on heal wipe it and add it back with the same id. */
  MEMBER_REMOVE_READD(true),
  /** Kill a node and remove it; on heal add a new node with a fresh id and empty storage in its place. */
  MEMBER_REPLACE(true),
  /**
   * Isolate the leader and at once send it a membership change (it must not be acknowledged); the
   * majority's new leader removes the old one; on heal the old one is wiped and added back
   * (Jepsen's RedisRaft lost-update finding).
   */
  MEMBER_CHANGE_DURING_PARTITION(true),
  /**
   * Remove a follower, add it back wiped, and isolate the leader the moment the addition is
   * acknowledged: the others (one of them the voter just added) must elect a leader; heal reconnects.
   */
  MEMBER_ADD_THEN_ISOLATE_LEADER(true),
  /**
   * A sharded cluster only: move half of a group's first slot range to another group (redraft slots move)
   * and SIGKILL, as the move starts, the leader of group 0 (which drives it), of the source or of the
   * target; heal restarts it, and the move must finish by itself (writes of those slots wait meanwhile).
   */
  SLOT_MOVE_KILL_LEADER,
  /** The same, with that leader cut off from the other nodes (both ways) instead of killed; heal reconnects. */
  SLOT_MOVE_ISOLATE_LEADER;

  private final boolean changesMembership;

  FaultType() {
    this(false);
  }

  FaultType(boolean changesMembership) {
    this.changesMembership = changesMembership;
  }

  /** True for the faults that go through the admin API's membership changes. */
  public boolean changesMembership() {
    return changesMembership;
  }
}
