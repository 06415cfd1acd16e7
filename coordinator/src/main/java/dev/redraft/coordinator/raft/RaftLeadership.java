package dev.redraft.coordinator.raft;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/** {@link LeadershipHealthGuard}'s view of leadership, through this node's membership manager. */
final class RaftLeadership implements LeadershipHealthGuard.Leadership {
  private final RaftNode raft;

  RaftLeadership(RaftNode raft) {
    this.raft = raft;
  }

  @Override
  public boolean isLeader() {
    MembershipManager membership = raft.membership();
    return membership != null && membership.isLeader();
  }

  @Override
  public Set<String> reachableVoters() {
    MembershipManager membership = raft.membership();
    Set<String> reachable = membership.reachableMembers();
    return membership.members().stream().filter(MembershipManager.Member::voter).map(MembershipManager.Member::id)
        .filter(reachable::contains).collect(Collectors.toSet());
  }

  @Override
  public void transferTo(String nodeId, Duration timeout) {
    raft.membership().transferLeadership(nodeId, timeout);
  }
}
