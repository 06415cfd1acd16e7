package dev.redraft.coordinator.api;

import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.NodeStatusRequest;
import dev.redraft.coordinator.raft.LeadershipHealthGuard;
import java.util.Optional;

/** Asks another node, through its admin API, whether its replica of a group serves (ready, its Redis answering). */
public final class PeerReadinessProbe implements LeadershipHealthGuard.PeerProbe {
  private static final long DEADLINE_MS = 1_000;

  private final PeerChannels channels;
  private final NodeStatusRequest request;

  public PeerReadinessProbe(PeerChannels channels, int group) {
    this.channels = channels;
    this.request = NodeStatusRequest.newBuilder().setGroup(group).build();
  }

  @Override
  public Optional<LeadershipHealthGuard.PeerState> ask(String nodeId) {
    try {
      MemberStatus status = channels.admin(nodeId, DEADLINE_MS, "ask whether it can take over leadership")
          .nodeStatus(request).getMember();
      return Optional.of(new LeadershipHealthGuard.PeerState(status.getReady() && status.getRedisHealthy(),
          status.getAppliedIndex()));
    } catch (RuntimeException e) {
      return Optional.empty(); // no answer in time, or its address is not known yet: not a candidate
    }
  }
}
