package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.verify.ClusterView;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The verifier's view of membership and leadership, from this node's Raft server. */
public final class RaftClusterView implements ClusterView {
  private final RaftNode raft;
  private final Supplier<LeadershipHealthGuard> guard;

  /** {@code guard} hands leadership over when this node cannot serve (available once the node started). */
  public RaftClusterView(RaftNode raft, Supplier<LeadershipHealthGuard> guard) {
    this.raft = raft;
    this.guard = guard;
  }

  @Override
  public String selfId() {
    return raft.status().nodeId();
  }

  @Override
  public Set<String> voters() {
    return raft.membership().members().stream().filter(MembershipManager.Member::voter)
        .map(MembershipManager.Member::id).collect(Collectors.toSet());
  }

  @Override
  public Set<String> members() {
    return raft.membership().members().stream().map(MembershipManager.Member::id).collect(Collectors.toSet());
  }

  @Override
  public boolean isLeader() {
    return raft.membership().isLeader();
  }

  /**
   * Waits for the guard to hand leadership to a voter that is ready (the caller marked this node as
   * needing repair): a plain step-down would let this node, whose log is as long as anyone's, win
   * the next election again, and then no other node leads to repair it from.
   */
  @Override
  public void stepDown(Duration timeout) {
    LeadershipHealthGuard current = guard.get();
    if (current == null) {
      return;
    }
    try {
      current.awaitHandOver(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
