package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.verify.ClusterView;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/** The verifier's view of membership and leadership, from this node's Raft server. */
public final class RaftClusterView implements ClusterView {
  private final RaftNode raft;

  public RaftClusterView(RaftNode raft) {
    this.raft = raft;
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

  @Override
  public void stepDown(Duration timeout) {
    raft.membership().transferLeadership("", timeout);
  }
}
