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
   * Kill a follower's Redis and start it empty; the node must notice and refuse to serve. Healed by
   * restarting the coordinator, which replays its log into the empty Redis (a stand-in for the real
   * repair, which is not built yet).
   */
  REDIS_DATA_LOSS,
  /**
   * Restart one node (leader or follower) with its wall clock moved by 5 to 60 s either way
   * (libfaketime, monotonic clock untouched), later restart it with the real clock.
   */
  CLOCK_SKEW,
  /** Remove a node from the group and add it back (wiped). Needs the AddNode/RemoveNode admin RPCs, issue 3. */
  MEMBER_REMOVE_READD(true),
  /** Replace a node by a new one with a fresh id and empty storage. Needs the admin RPCs, issue 3. */
  MEMBER_REPLACE(true),
  /** Change membership while a partition is active (Jepsen's RedisRaft lost-update finding). Needs issue 3. */
  MEMBER_CHANGE_DURING_PARTITION(true);

  private final boolean needsMembershipRpcs;

  FaultType() {
    this(false);
  }

  FaultType(boolean needsMembershipRpcs) {
    this.needsMembershipRpcs = needsMembershipRpcs;
  }

  /** True for faults that wait for the AddNode/RemoveNode admin RPCs (issue 3); the injector refuses them. */
  public boolean needsMembershipRpcs() {
    return needsMembershipRpcs;
  }
}
