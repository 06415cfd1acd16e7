package dev.redraft.coordinator.raft;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * The Raft configuration one node holds (the newest in its log, committed or not), with the log
 * index of its entry and the node's commit index: a configuration is known to be committed when
 * {@code configurationIndex <= commitIndex}. Used to find out whether a node is still a member.
 */
public record ConfigurationView(String nodeId, String role, long term, long commitIndex, long configurationIndex,
    Set<String> voters, Set<String> learners, boolean joint) {

  /** Whether {@code id} is a voter or a learner of this configuration. */
  public boolean includes(String id) {
    return voters.contains(id) || learners.contains(id);
  }

  /** This node's view, or empty if its Raft group is not running (not started yet, stopped, or closed by Ratis). */
  public static Optional<ConfigurationView> of(RaftNode raft) {
    try {
      RaftServer.Division division = raft.division();
      if (!division.getInfo().isAlive()) {
        return Optional.empty();
      }
      RaftConfiguration conf = division.getRaftConf();
      Set<String> voters = new TreeSet<>();
      Set<String> learners = new TreeSet<>();
      conf.getCurrentPeers().forEach(p -> voters.add(p.getId().toString()));
      conf.getCurrentPeers(RaftPeerRole.LISTENER).forEach(p -> learners.add(p.getId().toString()));
      boolean joint = !conf.getPreviousPeers().isEmpty() || !conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty();
      RaftPeerRole role = division.getInfo().getCurrentRole();
      return Optional.of(new ConfigurationView(raft.status().nodeId(), role == null ? "UNKNOWN" : role.name(),
          division.getInfo().getCurrentTerm(), division.getRaftLog().getLastCommittedIndex(), conf.getLogEntryIndex(),
          voters, learners, joint));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
