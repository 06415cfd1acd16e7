package dev.redraft.coordinator;

import dev.redraft.coordinator.api.GroupApi;
import dev.redraft.coordinator.api.LeaderCommitProbe;
import dev.redraft.coordinator.api.LeaderSnapshotRepair;
import dev.redraft.coordinator.api.PeerChannels;
import dev.redraft.coordinator.api.PeerDigestClient;
import dev.redraft.coordinator.api.PeerReadinessProbe;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.node.NodeReadiness;
import dev.redraft.coordinator.raft.LeadershipHealthGuard;
import dev.redraft.coordinator.raft.PreferredLeaderWatch;
import dev.redraft.coordinator.raft.RaftClusterView;
import dev.redraft.coordinator.raft.RaftHost;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.coordinator.raft.RedraftStateMachine;
import dev.redraft.coordinator.raft.StuckFollowerWatch;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.RedisApplier;
import dev.redraft.coordinator.redis.RedisEndpoint;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.coordinator.redis.RedisSnapshots;
import dev.redraft.coordinator.tls.TlsMaterial;
import dev.redraft.coordinator.verify.ReplicaVerifier;
import dev.redraft.coordinator.verify.VerifyScheduler;
import java.io.IOException;

/**
 * This node's replica of one Raft group: the group's Redis (applier and reader), its state machine
 * and Raft participation, its health and readiness, the verification of its replicas, and the watches
 * that keep it serving (a leader that cannot apply hands over, a follower that stopped catching up is
 * brought back, periodic verification). A node holds one replica per group of the cluster, each with
 * a Redis of its own; the node's servers, TLS, tokens and member directory are the node's
 * ({@link CoordinatorNode}).
 */
final class GroupReplica {
  private final NodeConfig config;
  private final int index;
  private final RedisApplier applier;
  private final RedisReader reader;
  private final NodeHealth health;
  private final RedraftStateMachine stateMachine;
  private final RaftNode raft;
  private final PeerChannels channels;
  private final ReplicaVerifier verifier;
  private final LeaderCommitProbe leaderCommit;
  private final NodeReadiness readiness;
  private volatile LeadershipHealthGuard leadershipGuard;
  private StuckFollowerWatch stuckFollowers;
  /** Sharded clusters only: hands this group's leadership to its preferred node when that one is ready. */
  private PreferredLeaderWatch preferredLeader;
  private VerifyScheduler verifyScheduler;

  /** The replica of group {@code index} (0..groups-1), whose Redis is {@code redis}. */
  GroupReplica(NodeConfig config, int index, RedisEndpoint redis, MemberDirectory members, CommandValidator validator,
      RedraftMetrics metrics, PeerChannels channels, PeerDigestClient peerDigests, TlsMaterial tls) {
    this.config = config;
    this.index = index;
    this.channels = channels;
    this.applier = new RedisApplier(redis);
    this.reader = new RedisReader(redis);
    this.health = new NodeHealth(config.nodeId());
    this.stateMachine = new RedraftStateMachine(config.nodeId(), applier, reader,
        new RedisSnapshots(redis), health, members, validator, config.applyBatchMax(), metrics,
        new ApplyRequest.SessionLimits(config.sessionIdleTimeout().toMillis(), config.sessionMax(), true,
            config.groupCount() > 1));
    this.raft = new RaftNode(config, index, stateMachine, tls);
    // Group 0 keeps the directory an unsharded node always had.
    String repairDir = index == 0 ? "repair" : "repair-group-" + index;
    this.verifier = new ReplicaVerifier(new RaftClusterView(raft, () -> leadershipGuard), peerDigests.of(index),
        new LeaderSnapshotRepair(config.nodeId(), raft, channels, config.dataDir().resolve(repairDir)), health, metrics);
    stateMachine.setDigestListener(verifier::digestAt);
    this.leaderCommit = new LeaderCommitProbe(config.nodeId(), raft, channels);
    this.readiness = new NodeReadiness(health, this::clusterView, reader::ping, config.readyMaxApplyLag());
    metrics.bindRaft(index, raft.metricsSource());
    metrics.bindNode(index, health::isReady, health::needsRepair, reader::ping, reader::sessionCount);
  }

  private NodeReadiness.ClusterView clusterView() {
    RaftStatus status = raft.status();
    long leaderCommitIndex = status.leaderId().equals(config.nodeId()) ? status.commitIndex()
        : leaderCommit.commitIndexOf(status.leaderId()).orElse(-1);
    return new NodeReadiness.ClusterView(status.peers().containsKey(config.nodeId()), status.leaderId(),
        status.commitIndex(), status.appliedIndex(), leaderCommitIndex);
  }

  /** Joins the group on {@code host} (which runs it, see {@link RaftNode#hosted}) and serves. */
  void start(RaftHost host) throws IOException {
    raft.start(host);
    health.markReady();
  }

  /** Starts the watches; once the node's API serves. */
  void startWatches() {
    leaderCommit.start();
    // About an election timeout: a leader that cannot apply for that long hands over, as a dead
    // leader would be replaced in that time; a shorter Redis blip does not move leadership.
    leadershipGuard = LeadershipHealthGuard.of(config.nodeId(), raft, health, new PeerReadinessProbe(channels, index),
        config.electionTimeoutMax());
    leadershipGuard.start();
    stuckFollowers = StuckFollowerWatch.of(config.nodeId(), raft, config.electionTimeoutMax());
    stuckFollowers.start();
    preferredLeader = PreferredLeaderWatch.of(config.nodeId(), raft, new PeerReadinessProbe(channels, index),
        config.electionTimeoutMax()).orElse(null);
    if (preferredLeader != null) {
      preferredLeader.start();
    }
    verifyScheduler = new VerifyScheduler(config.verifyInterval(), () -> raft.membership().isLeader(),
        raft::proposeVerify);
  }

  /** Stops the watches, before the node's API stops. */
  void stopWatches() {
    CoordinatorNode.closeQuietly("leadership guard", leadershipGuard);
    CoordinatorNode.closeQuietly("stuck follower watch", stuckFollowers);
    CoordinatorNode.closeQuietly("preferred leader watch", preferredLeader);
    CoordinatorNode.closeQuietly("leader commit probe", leaderCommit);
    CoordinatorNode.closeQuietly("verify scheduler", verifyScheduler);
  }

  int index() {
    return index;
  }

  RaftNode raft() {
    return raft;
  }

  LeaderCommitProbe leaderCommit() {
    return leaderCommit;
  }

  RedisReader reader() {
    return reader;
  }

  NodeHealth health() {
    return health;
  }

  NodeReadiness readiness() {
    return readiness;
  }

  /** This replica as the API serves it. */
  GroupApi api() {
    return new GroupApi(raft, health, readiness, verifier, reader::ping, config.redisAddress(index).toString());
  }

  ReplicaVerifier verifier() {
    return verifier;
  }

  /**
   * Stops the watches and the verifier and readies the state machine for the Raft group's stop (which
   * waits for outstanding applies and takes a snapshot, neither of which may wait for a Redis that is
   * gone). The group itself stops when the node's {@link RaftHost} closes; then {@link #closeAfterRaft}.
   */
  void stopBeforeRaft() {
    stopWatches();
    CoordinatorNode.closeQuietly("verifier", verifier);
    stateMachine.prepareStop();
  }

  /**
   * Once the Raft group has stopped: this replica's Raft clients and executors (the group's callbacks
   * hand work to those until it stops), then the connections to the group's Redis.
   */
  void closeAfterRaft() {
    CoordinatorNode.closeQuietly("raft clients", raft);
    CoordinatorNode.closeQuietly("redis applier", applier);
    CoordinatorNode.closeQuietly("redis reader", reader);
  }
}
