package dev.redraft.coordinator.raft;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.server.RaftServer;

/**
 * {@link StuckFollowerWatch}'s view of the leader's Raft state: each voter's commit index as its
 * append replies report it (Ratis' commit infos) and when it last answered (the leader's role info).
 */
final class RaftFollowerProgress implements StuckFollowerWatch.Leader {
  private final RaftNode raft;

  RaftFollowerProgress(RaftNode raft) {
    this.raft = raft;
  }

  @Override
  public boolean isLeader() {
    MembershipManager membership = raft.membership();
    return membership != null && membership.isLeader();
  }

  @Override
  public long commitIndex() {
    return raft.division().getRaftLog().getLastCommittedIndex();
  }

  @Override
  public Map<String, StuckFollowerWatch.Progress> followers() {
    RaftServer.Division division = raft.division();
    String self = division.getId().toString();
    Set<String> voters = new java.util.HashSet<>();
    division.getRaftConf().getCurrentPeers().forEach(p -> voters.add(p.getId().toString()));
    Map<String, Long> lastAnswerMs = new HashMap<>();
    var role = division.getInfo().getRoleInfoProto();
    if (role.hasLeaderInfo()) {
      for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
        lastAnswerMs.put(follower.getId().getId().toStringUtf8(), follower.getLastRpcElapsedTimeMs());
      }
    }
    Map<String, StuckFollowerWatch.Progress> followers = new HashMap<>();
    for (CommitInfoProto info : division.getCommitInfos()) {
      String id = info.getServer().getId().toStringUtf8();
      Long answered = lastAnswerMs.get(id);
      if (!id.equals(self) && voters.contains(id) && answered != null) {
        followers.put(id, new StuckFollowerWatch.Progress(info.getCommitIndex(), answered));
      }
    }
    return followers;
  }

  @Override
  public void transferTo(String nodeId, Duration timeout) {
    raft.membership().transferLeadership(nodeId, timeout);
  }
}
