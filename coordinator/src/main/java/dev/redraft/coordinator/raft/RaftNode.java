package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.config.HostPort;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.tls.TlsMaterial;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.metrics.RaftMetricsSource;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.ReadQuery;
import dev.redraft.log.v1.VerifyEntry;
import dev.redraft.log.v1.WriteProposal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.TimeDuration;

/**
 * This node's replica of its Raft group (run by the node's {@link RaftHost}) and the Raft clients it
 * uses to propose writes (Ratis routes them to the leader) and to run linearizable reads on itself.
 * Ratis types stay inside this package.
 */
public final class RaftNode implements AutoCloseable {
  private final NodeConfig config;
  private final RaftPeerId selfId;
  private final int groupIndex;
  private final RaftGroup group;
  private final RedraftStateMachine stateMachine;
  /** The node's Ratis server (shared by the groups it hosts) and that host, set by {@link #start}. */
  private volatile RaftServer server;
  private volatile RaftHost host;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Shared by every Raft client of this node: mutual TLS with the node's certificate, or nothing. */
  private final Parameters clientParameters;
  private volatile RaftClient client;
  /** How proposals reach the log (set by {@link #start}). */
  private volatile RaftProposer proposer;
  private final RaftReplies replies;
  private MembershipManager membership;
  /** Starts elections within election-timeout-max of the leader's last message (see there). */
  private volatile ElectionTimer electionTimer;
  private Consumer<String> behindCandidateRefused;
  /** Checks after configuration changes; they may wait for a membership change or a step-down. */
  private final ExecutorService membershipChecks = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "redraft-membership-check");
    thread.setDaemon(true);
    return thread;
  });

  /**
   * This node's replica of group {@code groupIndex} (0 for an unsharded cluster). {@code tls} null:
   * plaintext Raft transport; else mutual TLS ({@link RaftTls}).
   */
  public RaftNode(NodeConfig config, int groupIndex, RedraftStateMachine stateMachine, TlsMaterial tls) {
    this.config = config;
    this.groupIndex = groupIndex;
    this.clientParameters = RaftSettings.clientParameters(tls);
    this.selfId = RaftPeerId.valueOf(config.nodeId());
    // A joining node's peers list names the running members; its own client must know it too (reads
    // go to this node itself).
    Map<String, HostPort> known = new LinkedHashMap<>(config.peers());
    known.putIfAbsent(config.nodeId(), config.raftAddress());
    this.group = RaftGroup.valueOf(groupId(config.clusterId(), groupIndex), peers(known));
    this.stateMachine = stateMachine;
    this.replies = new RaftReplies(config.nodeId());
    stateMachine.setGroupLabel(groupLabel());
  }

  /** " (group G)" in a sharded cluster, else empty: for log lines. */
  String groupLabel() {
    return config.groupCount() > 1 ? " (group " + groupIndex + ")" : "";
  }

  /**
   * A Raft group's id is derived from the cluster id and the group's index, so every node of a cluster
   * agrees on it; group 0's is the one an unsharded cluster always had.
   */
  static RaftGroupId groupId(String clusterId, int groupIndex) {
    String name = groupIndex == 0 ? "redraft:" + clusterId : "redraft:" + clusterId + ":group:" + groupIndex;
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
  }

  /** Which of the cluster's groups this is (0: the first, the only one of an unsharded cluster). */
  public int groupIndex() {
    return groupIndex;
  }

  /**
   * In a sharded cluster, the node that should lead this group ({@link PreferredLeaderWatch}): the
   * configured members in id order, taken in turn by group, so that the groups' leaders (and their
   * write load) spread over the nodes. Null (no preference) for an unsharded cluster.
   */
  public String preferredLeader() {
    if (config.groupCount() == 1 || config.peers().isEmpty()) {
      return null;
    }
    List<String> ids = config.peers().keySet().stream().sorted().toList();
    return ids.get(groupIndex % ids.size());
  }

  private static List<RaftPeer> peers(Map<String, HostPort> peers) {
    return peers.entrySet().stream()
        .map(e -> RaftPeer.newBuilder().setId(e.getKey()).setAddress(e.getValue().toString()).build())
        .toList();
  }

  /** This node's replica of the group, for the {@link RaftHost} to run. */
  public RaftHost.Hosted hosted() {
    // A node joining a running cluster starts with no peers and waits for the leader to add it; it must
    // not campaign with a peer list of its own.
    RaftGroup serverGroup = config.joinExisting() ? RaftGroup.valueOf(group.getGroupId()) : group;
    return new RaftHost.Hosted(serverGroup, stateMachine);
  }

  /**
   * Starts this replica's clients and timers; {@code host} already runs the group ({@link #hosted}).
   * {@link #close} stops them, after the host stopped the group (the group's callbacks use them).
   */
  public void start(RaftHost host) throws IOException {
    this.host = host;
    this.server = host.server();
    String replica = config.nodeId() + groupLabel();
    RaftGroupId groupId = group.getGroupId();
    ElectionTimer timer = ElectionTimer.of(replica, new RaftElectionStarter(replica, this::divisionOrNull,
        () -> host.leasedPreVotes().holding(groupId)),
        config.electionTimeoutMin(), config.electionTimeoutMax());
    behindCandidateRefused = timer::behindCandidateRefused; // before the volatile write close() reads first
    electionTimer = timer;
    timer.start();
    host.behindCandidateVotes().listen(group.getGroupId(), behindCandidateRefused);
    host.leaderStreamLoss().listen(group.getGroupId(), timer);
    client = newClient();
    proposer = new RaftProposer(config, groupLabel(), group, clientParameters, server, this::divisionOrNull,
        stateMachine);
    membership = new MembershipManager(config.nodeId(), this::division, this::newAdminClient, config.electionTimeoutMax());
    stateMachine.setConfigurationListener(() -> {
      try {
        membershipChecks.execute(membership::stepDownIfReplicatingToANonMember);
      } catch (RejectedExecutionException stopping) {
        // The node is stopping. Thrown on Ratis' apply thread, this would stop applying, and the group's
        // own stop then waits for that thread for good.
      }
    });
  }

  /**
   * A client for one membership change, leadership transfer or snapshot, aimed at this node: those
   * run only on the leader, and a shared client could still point at a deposed leader cut off by a
   * partition, where a change would wait out the whole request timeout (60 s, seen in the fault
   * runs when the majority removed its isolated former leader).
   */
  private RaftClient newAdminClient() {
    return RaftClient.newBuilder()
        .setProperties(RaftSettings.adminClient())
        .setParameters(clientParameters)
        .setRaftGroup(group)
        .setLeaderId(selfId)
        .setRetryPolicy(ADMIN_RETRY_POLICY)
        .build();
  }

  /** Admin calls retry a few times on their own, then report: never spin (see notes/ratis.md, trap 2). */
  private static final RetryPolicy ADMIN_RETRY_POLICY =
      RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));

  RaftServer.Division division() {
    try {
      return server.getDivision(group.getGroupId());
    } catch (IOException e) {
      throw new UnavailableException("the Raft group is not running on node " + config.nodeId() + ": " + e.getMessage(), e);
    }
  }

  /** Membership changes, leadership transfer and snapshots on demand. */
  public MembershipManager membership() {
    return membership;
  }

  private RaftClient newClient() {
    return RaftClient.newBuilder()
        .setProperties(RaftSettings.client(config))
        .setParameters(clientParameters)
        .setRaftGroup(group)
        .setRetryPolicy(RaftProposer.writeRetryPolicy(config))
        .build();
  }

  /**
   * On the leader: followers that have every entry but not the commit index are told it soon (a
   * follower serving a read waits for it), instead of at the next periodic heartbeat.
   */
  public void noticeCommitSoon() {
    RaftServer.Division division = divisionOrNull();
    if (division != null && division.getInfo().isLeader()) {
      CommitHeartbeats.noticeWanted(division);
    }
  }

  /**
   * Proposes an entry through the leader; completes with the committed entry's reply and index.
   * Client writes go through group commit (several may share one entry, each with its own reply).
   */
  public CompletableFuture<CommittedReply> propose(Proposal proposal) {
    return started().propose(proposal);
  }

  /** Proposes client writes together (they share group entries); one future per write, in order. */
  public List<CompletableFuture<CommittedReply>> proposeWrites(List<WriteProposal> writes) {
    return started().proposeWrites(writes);
  }

  private RaftProposer started() {
    RaftProposer p = proposer;
    if (p == null) {
      throw new UnavailableException("node " + config.nodeId() + " is still starting: retry shortly");
    }
    return p;
  }

  /** Appends a VERIFY entry through the leader; completes with its log index (the round). */
  public CompletableFuture<Long> proposeVerify() {
    Proposal proposal = Proposal.newBuilder()
        .setVerify(VerifyEntry.newBuilder().setRequestedBy(config.nodeId())).build();
    return propose(proposal).thenApply(CommittedReply::logIndex);
  }

  /** The newest snapshot file on this node and its index, or empty. */
  public java.util.Optional<SnapshotFile> latestSnapshot() {
    var latest = stateMachine.getLatestSnapshot();
    return latest == null ? java.util.Optional.empty()
        : java.util.Optional.of(new SnapshotFile(latest.getFile().getPath(), latest.getIndex(), latest.getTerm()));
  }

  /** A snapshot file with the log position it holds. */
  public record SnapshotFile(java.nio.file.Path path, long index, long term) {}

  /** A leader's read index: its term and its commit index at one moment. */
  public record LeaderReadIndex(long term, long index) {}

  /**
   * If this node leads and has applied the first entry of its term (so its commit index covers every
   * write committed before it led): its term and commit index now. Reads at that index are
   * linearizable once a round started after this call confirms the leadership (ReadIndex, Raft 6.4).
   */
  public java.util.Optional<LeaderReadIndex> leaderReadIndex() {
    RaftServer.Division division = divisionOrNull();
    if (division == null) {
      return java.util.Optional.empty();
    }
    long term = division.getInfo().getCurrentTerm();
    if (!division.getInfo().isLeader() || !division.getInfo().isLeaderReady()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new LeaderReadIndex(term, division.getRaftLog().getLastCommittedIndex()));
  }

  /** ReadIndex through the leader, then the query against this node's Redis. */
  public CompletableFuture<byte[]> readLinearizable(ReadQuery query) {
    return readLinearizable(query, READ_INDEX_ATTEMPTS);
  }

  /**
   * A new leader cannot serve a read index until it committed an entry of its term: such a read is
   * tried again a few times (reads change nothing, so this is always safe) before the caller hears.
   */
  private CompletableFuture<byte[]> readLinearizable(ReadQuery query, int attemptsLeft) {
    // Unordered: reads need no ordering among themselves, and the ordered client's sliding window
    // closes for good after one failed request.
    return client.async().sendReadOnlyUnordered(ProtoBytes.toMessage(query), selfId)
        .handle((reply, error) -> {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          if (attemptsLeft > 1 && leaderNotReadyForReads(cause != null ? cause : reply.getException())) {
            return CompletableFuture.supplyAsync(() -> (byte[]) null,
                    CompletableFuture.delayedExecutor(READ_INDEX_RETRY_MS, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> readLinearizable(query, attemptsLeft - 1));
          }
          return CompletableFuture.completedFuture(replies.toCommitted(reply, error, "read").content());
        })
        .thenCompose(f -> f);
  }

  private static final int READ_INDEX_ATTEMPTS = 10;
  private static final long READ_INDEX_RETRY_MS = 200;

  private static boolean leaderNotReadyForReads(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ReadIndexException || t instanceof LeaderNotReadyException) {
        return true;
      }
    }
    return false;
  }

  /** Elections this node's {@link ElectionTimer} started (Ratis' own timer's are not counted). */
  public long electionsStarted() {
    ElectionTimer timer = electionTimer;
    return timer == null ? 0 : timer.electionsStarted();
  }

  /**
   * Write proposals (each one or more client writes, as one group entry) this node forwarded to the
   * group's leader since it started: what a client that sends writes straight to the leader saves.
   */
  public long forwardedProposals() {
    RaftProposer p = proposer;
    return p == null ? 0 : p.forwardedProposals();
  }

  /** The gauges' view of this node's Raft state, for the metrics registry. */
  public RaftMetricsSource metricsSource() {
    return new RaftMetricsAdapter(this, this::divisionOrNull);
  }

  private RaftServer.Division divisionOrNull() {
    try {
      return server == null ? null : server.getDivision(group.getGroupId());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Who this node is, which leader and term it knows, what it applied: cheap, for every response header. */
  public record Brief(String nodeId, String leaderId, long term, long appliedIndex) {}

  public Brief brief() {
    RaftServer.Division division = divisionOrNull();
    long applied = stateMachine.appliedIndex();
    if (division == null) {
      return new Brief(config.nodeId(), "", 0, applied);
    }
    RaftPeerId leader = division.getInfo().getLeaderId();
    return new Brief(config.nodeId(), leader == null ? "" : leader.toString(), division.getInfo().getCurrentTerm(),
        applied);
  }

  public RaftStatus status() {
    Map<String, String> peerAddresses = new LinkedHashMap<>();
    Set<String> learners = new HashSet<>();
    try {
      RaftServer.Division division = server.getDivision(group.getGroupId());
      division.getRaftConf().getCurrentPeers()
          .forEach(p -> peerAddresses.put(p.getId().toString(), p.getAddress()));
      division.getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER).forEach(p -> {
        peerAddresses.put(p.getId().toString(), p.getAddress());
        learners.add(p.getId().toString());
      });
      RaftPeerRole role = division.getInfo().getCurrentRole();
      RaftPeerId leader = division.getInfo().getLeaderId();
      return new RaftStatus(config.nodeId(), role == null ? "UNKNOWN" : role.name(),
          division.getInfo().getCurrentTerm(), leader == null ? "" : leader.toString(),
          division.getRaftLog().getLastCommittedIndex(), stateMachine.appliedIndex(), peerAddresses, learners,
          division.getRaftLog().getStartIndex());
    } catch (IOException | RuntimeException e) {
      return new RaftStatus(config.nodeId(), "UNKNOWN", 0, "", 0, stateMachine.appliedIndex(), peerAddresses, learners,
          0);
    }
  }

  public RedraftStateMachine stateMachine() {
    return stateMachine;
  }

  @Override
  public void close() throws IOException {
    if (closed.getAndSet(true)) {
      return;
    }
    if (electionTimer != null) {
      host.behindCandidateVotes().stopListening(group.getGroupId(), behindCandidateRefused);
      host.leaderStreamLoss().stopListening(group.getGroupId(), electionTimer);
      electionTimer.close();
    }
    membershipChecks.shutdownNow();
    if (client != null) {
      client.close();
    }
    if (proposer != null) {
      proposer.close();
    }
    // The group itself stops with the node's RaftHost, in place: removing it from the server first would
    // answer requests still arriving "group not found", which Ratis clients do not retry.
  }

  /** A committed entry's index and the state machine's reply bytes. */
  public record CommittedReply(long logIndex, byte[] content) {}
}
