package dev.redraft.coordinator.api;

import dev.redraft.api.v1.AcknowledgeLeaderRequest;
import dev.redraft.api.v1.AcknowledgeLeaderResponse;
import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.api.v1.TakeSnapshotRequest;
import dev.redraft.api.v1.TakeSnapshotResponse;
import dev.redraft.api.v1.TransferLeadershipRequest;
import dev.redraft.api.v1.TransferLeadershipResponse;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.MembershipManager;
import dev.redraft.coordinator.raft.SnapshotStats;
import dev.redraft.coordinator.verify.ReplicaVerifier;
import dev.redraft.coordinator.verify.VerificationRound;
import dev.redraft.api.v1.ConfirmLeadershipRequest;
import dev.redraft.api.v1.ConfirmLeadershipResponse;
import dev.redraft.api.v1.FetchSnapshotRequest;
import dev.redraft.api.v1.GetDigestRequest;
import dev.redraft.api.v1.GetDigestResponse;
import dev.redraft.api.v1.NodeVerification;
import dev.redraft.api.v1.SnapshotChunk;
import dev.redraft.api.v1.Verification;
import dev.redraft.api.v1.VerifyRequest;
import dev.redraft.api.v1.VerifyResponse;
import io.grpc.Context;
import io.grpc.Metadata;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import dev.redraft.api.v1.ClusterSlotsRequest;
import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.NodeStatusRequest;
import dev.redraft.api.v1.NodeStatusResponse;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.node.NodeReadiness;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Cluster administration: this node's status, every member's as each reports itself, membership
 * changes, leadership transfer and snapshots. Membership changes run on the leader: a follower
 * forwards them there once (a forwarded call that finds no leader fails as UNAVAILABLE).
 */
final class AdminService extends AdminGrpc.AdminImplBase implements AutoCloseable {
  private static final long PEER_STATUS_DEADLINE_MS = 2_000;
  private static final long FORWARD_DEADLINE_MS = 120_000;
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
  private static final long DIGEST_WAIT_MS = 5_000;
  private static final int SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
  /** Set on a call one node forwarded to another, so it is never forwarded again. */
  static final Metadata.Key<String> FORWARDED_BY = Metadata.Key.of("redraft-forwarded-by", Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<String> FORWARDED = Context.key("redraft-forwarded-by");

  /** This node's replica of one group, with the confirmation of its leadership for reads. */
  record Group(GroupApi api, LeadershipConfirmation leadership) {}

  /** Every group's replica, group 0 first; calls about one group name it (0 by default). */
  private final List<Group> groups;
  /** Group 0's: membership, leadership transfer, snapshots and the cluster status act on it. */
  private final RaftNode raft;
  private final MemberDirectory members;
  private final HeaderFactory headers;
  private final String apiAddress;
  private final PeerChannels channels;
  private final SlotLayout slots;
  private final ExecutorService fanOut = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "redraft-admin-fanout");
    t.setDaemon(true);
    return t;
  });

  AdminService(List<Group> groups, MemberDirectory members, HeaderFactory headers, String apiAddress,
      PeerChannels channels, SlotLayout slots) {
    this.groups = List.copyOf(groups);
    this.slots = slots;
    this.raft = groups.get(0).api().raft();
    this.channels = channels;
    this.members = members;
    this.headers = headers;
    this.apiAddress = apiAddress;
  }

  /** The replica of group {@code index}, or an INVALID_ARGUMENT naming the groups this node has. */
  private Group group(int index) {
    if (index < 0 || index >= groups.size()) {
      throw new InvalidRequestException("node " + raft.status().nodeId() + " has no Raft group " + index + ": the"
          + " cluster has " + groups.size() + " group(s), 0.." + (groups.size() - 1));
    }
    return groups.get(index);
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> observer) {
    answer(observer, () -> {
      Group group = group(request.getGroup());
      RaftStatus status = group.api().raft().status();
      return NodeStatusResponse.newBuilder()
          .setHeader(headers.header(raft.status()))
          .setMember(self(group, status))
          .build();
    });
  }

  @Override
  public void clusterSlots(ClusterSlotsRequest request, StreamObserver<ClusterSlotsResponse> observer) {
    answer(observer, () -> slots.toResponse(headers.header(raft.status())));
  }

  @Override
  public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> observer) {
    RaftStatus status = raft.status();
    List<CompletableFuture<MemberStatus>> pending = new ArrayList<>();
    status.peers().forEach((id, raftAddress) -> {
      if (id.equals(status.nodeId())) {
        pending.add(CompletableFuture.completedFuture(self(groups.get(0), status)));
      } else {
        pending.add(CompletableFuture.supplyAsync(() -> peer(id, raftAddress), fanOut));
      }
    });
    ClusterStatusResponse.Builder response = ClusterStatusResponse.newBuilder().setHeader(headers.header(status));
    List<MemberStatus> all = pending.stream().map(CompletableFuture::join).toList();
    // Lag is measured against the leader's commit index (this node's if the leader did not answer).
    long commit = all.stream().filter(m -> m.getRole().equals("LEADER")).mapToLong(MemberStatus::getCommitIndex)
        .findFirst().orElse(status.commitIndex());
    for (MemberStatus member : all) {
      MemberStatus.Builder withLag = member.toBuilder()
          .setLag(member.getReachable() ? Math.max(0, commit - member.getAppliedIndex()) : 0);
      if (member.getNodeId().equals(status.nodeId()) || !member.getReachable()) {
        withLag.setVoter(!status.learners().contains(member.getNodeId()));
      }
      response.addMembers(withLag);
    }
    observer.onNext(response.build());
    observer.onCompleted();
  }

  @Override
  public void addNode(AddNodeRequest request, StreamObserver<MembershipResponse> observer) {
    if (refuseMembershipChangeWhenSharded(observer)) {
      return;
    }
    onLeader(observer, stub -> stub.addNode(request), () -> membershipResponse(
        raft.membership().add(request.getNodeId(), request.getRaftAddress(), request.getLearner())));
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<MembershipResponse> observer) {
    if (refuseMembershipChangeWhenSharded(observer)) {
      return;
    }
    onLeader(observer, stub -> stub.removeNode(request), () -> removeNode(request));
  }

  /**
   * A leader asked to remove itself first hands leadership to a voter it hears from, which then
   * removes it (as etcd does). Ratis would commit the new configuration, then the removed leader
   * steps down and the others elect a leader only after their election timeout: writes stalled for
   * 3.1-3.8 s in fault runs, against about one round for a hand-over.
   */
  private MembershipResponse removeNode(RemoveNodeRequest request) {
    MembershipManager membership = raft.membership();
    String self = raft.status().nodeId();
    if (request.getNodeId().equals(self)) {
      java.util.Set<String> reachable = membership.reachableMembers();
      java.util.Optional<String> next = membership.members().stream().filter(MembershipManager.Member::voter)
          .map(MembershipManager.Member::id).filter(id -> !id.equals(self) && reachable.contains(id)).findFirst();
      if (next.isPresent()) {
        String leader = membership.transferLeadership(next.get(), SELF_REMOVAL_HAND_OVER);
        return forwardTo(leader.isEmpty() || leader.equals(self) ? next.get() : leader,
            "remove node " + self + " through the leader it handed over to").removeNode(request);
      }
    }
    return membershipResponse(membership.remove(request.getNodeId()));
  }

  private static final Duration SELF_REMOVAL_HAND_OVER = Duration.ofSeconds(5);

  /**
   * Every group of a sharded cluster has the same members, so a membership change must change them all
   * (and undo the ones done if one fails): not built yet, so it is refused and changes nothing.
   */
  private boolean refuseMembershipChangeWhenSharded(StreamObserver<MembershipResponse> observer) {
    if (groups.size() == 1) {
      return false;
    }
    observer.onError(ErrorMapper.toStatus(new RefusedException("this cluster is sharded over " + groups.size()
        + " Raft groups, and changing the members of a sharded cluster is not supported yet (every group's"
        + " membership must change together); nothing was changed")));
    return true;
  }

  @Override
  public void promoteNode(PromoteNodeRequest request, StreamObserver<MembershipResponse> observer) {
    if (refuseMembershipChangeWhenSharded(observer)) {
      return;
    }
    onLeader(observer, stub -> stub.promoteNode(request),
        () -> membershipResponse(raft.membership().promote(request.getNodeId())));
  }

  @Override
  public void transferLeadership(TransferLeadershipRequest request, StreamObserver<TransferLeadershipResponse> observer) {
    answer(observer, () -> {
      String leader = raft.membership().transferLeadership(request.getNodeId(), ADMIN_TIMEOUT);
      return TransferLeadershipResponse.newBuilder().setHeader(headers.header()).setLeaderId(leader).build();
    });
  }

  @Override
  public void takeSnapshot(TakeSnapshotRequest request, StreamObserver<TakeSnapshotResponse> observer) {
    String target = request.getNodeId();
    if (!target.isEmpty() && !target.equals(raft.status().nodeId())) {
      answer(observer, () -> forwardTo(target, "take a snapshot on it").takeSnapshot(request));
      return;
    }
    answer(observer, () -> {
      long index = raft.membership().takeSnapshot(ADMIN_TIMEOUT);
      RaftStatus status = raft.status();
      return TakeSnapshotResponse.newBuilder().setHeader(headers.header(status)).setNodeId(status.nodeId())
          .setSnapshotIndex(index).build();
    });
  }

  private MembershipResponse membershipResponse(List<MembershipManager.Member> current) {
    MembershipResponse.Builder response = MembershipResponse.newBuilder().setHeader(headers.header());
    current.forEach(m -> response.addMembers(Member.newBuilder()
        .setNodeId(m.id()).setRaftAddress(m.raftAddress()).setVoter(m.voter())));
    return response.build();
  }

  /** Runs {@code local} here if this node leads, else forwards the call to the leader (once). */
  private <T> void onLeader(StreamObserver<T> observer, Function<AdminGrpc.AdminBlockingStub, T> forward,
      Supplier<T> local) {
    answer(observer, () -> {
      if (raft.membership().isLeader()) {
        return local.get();
      }
      String forwardedBy = FORWARDED.get();
      if (forwardedBy != null) {
        throw new UnavailableException("node " + forwardedBy + " forwarded this call here, but node "
            + raft.status().nodeId() + " is not the leader either (an election is under way?): retry");
      }
      String leader = raft.status().leaderId();
      if (leader.isEmpty()) {
        throw new UnavailableException("the cluster has no leader right now: retry in a few seconds");
      }
      return forward.apply(forwardTo(leader, "run it on the leader"));
    });
  }

  private AdminGrpc.AdminBlockingStub forwardTo(String nodeId, String why) {
    return channels.admin(nodeId, FORWARD_DEADLINE_MS, why);
  }

  @Override
  public void verify(VerifyRequest request, StreamObserver<VerifyResponse> observer) {
    answer(observer, () -> {
      RaftNode raft = group(request.getGroup()).api().raft();
      ReplicaVerifier verifier = group(request.getGroup()).api().verifier();
      try {
        long round = raft.proposeVerify().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        VerificationRound result = verifier.awaitRound(round).get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        VerifyResponse.Builder response = VerifyResponse.newBuilder().setHeader(headers.header()).setRound(round)
            .setVerdict(result.clusterVerdict());
        result.verdicts().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
            response.addNodes(NodeVerification.newBuilder().setNodeId(e.getKey()).setRound(round)
                .setDigest(result.digests().getOrDefault(e.getKey(), "")).setVerdict(e.getValue().name())));
        return response.build();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException("interrupted while verifying", e);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new UnavailableException("the verification round did not finish: " + e.getMessage()
            + "; retry (is a majority up?)", e);
      }
    });
  }

  @Override
  public void confirmLeadership(ConfirmLeadershipRequest request,
      StreamObserver<ConfirmLeadershipResponse> observer) {
    answer(observer, () -> group(request.getGroup()).leadership().answer());
  }

  @Override
  public void acknowledgeLeader(AcknowledgeLeaderRequest request, StreamObserver<AcknowledgeLeaderResponse> observer) {
    answer(observer, () -> group(request.getGroup()).leadership().acknowledge(request));
  }

  /** This node's Raft configuration, for a node checking whether it is still a member ({@link RemovalWatch}). */
  @Override
  public void getConfiguration(dev.redraft.api.v1.GetConfigurationRequest request,
      StreamObserver<dev.redraft.api.v1.GetConfigurationResponse> observer) {
    answer(observer, () -> {
      RaftNode raft = group(request.getGroup()).api().raft();
      return RemovalWatch.toResponse(dev.redraft.coordinator.raft.ConfigurationView.of(raft)
          .orElseThrow(() -> new UnavailableException("the Raft group is not running on node " + raft.status().nodeId()
              + ": ask another member")));
    });
  }

  @Override
  public void getDigest(GetDigestRequest request, StreamObserver<GetDigestResponse> observer) {
    answer(observer, () -> {
      Group group = group(request.getGroup());
      String digest;
      try {
        digest = group.api().verifier().digests().await(request.getRound()).get(DIGEST_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        digest = ""; // not applied here in time
      }
      return GetDigestResponse.newBuilder().setNodeId(raft.status().nodeId()).setRound(request.getRound())
          .setDigest(digest).build();
    });
  }

  /** Streams this node's newest snapshot, taking a fresh one first if it is older than asked. */
  @Override
  public void fetchSnapshot(FetchSnapshotRequest request, StreamObserver<SnapshotChunk> observer) {
    try {
      RaftNode raft = group(request.getGroup()).api().raft();
      var snapshot = raft.latestSnapshot();
      if (snapshot.isEmpty() || snapshot.get().index() < request.getMinIndex()) {
        raft.membership().takeSnapshot(ADMIN_TIMEOUT);
        snapshot = raft.latestSnapshot();
      }
      var file = snapshot.orElseThrow(() -> new UnavailableException("node " + raft.status().nodeId()
          + " has no snapshot to send"));
      byte[] buffer = new byte[SNAPSHOT_CHUNK_BYTES];
      try (var in = java.nio.file.Files.newInputStream(file.path())) {
        int read;
        boolean sent = false;
        while ((read = in.readNBytes(buffer, 0, buffer.length)) > 0 || !sent) {
          observer.onNext(SnapshotChunk.newBuilder().setSnapshotIndex(file.index()).setSnapshotTerm(file.term())
              .setData(com.google.protobuf.ByteString.copyFrom(buffer, 0, Math.max(read, 0))).build());
          sent = true;
          if (read <= 0) {
            break;
          }
        }
      }
      observer.onCompleted();
    } catch (java.io.IOException | RuntimeException e) {
      observer.onError(ErrorMapper.toStatus(e instanceof java.io.IOException
          ? new UnavailableException("reading the snapshot failed: " + e.getMessage(), e) : e));
    }
  }

  private static <T> void answer(StreamObserver<T> observer, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      observer.onError(ErrorMapper.toStatus(e));
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  /** This node's status as a member of {@code group}. */
  private MemberStatus self(Group group, RaftStatus status) {
    GroupApi api = group.api();
    SnapshotStats snapshots = api.raft().stateMachine().snapshotStats();
    ReplicaVerifier verifier = api.verifier();
    VerificationRound round = verifier.last();
    Verification.Builder verification = Verification.newBuilder()
        .setDriftCount(verifier.driftCount()).setRepairs(verifier.repairs())
        .setVerdict(round == null ? "PENDING" : round.selfVerdict().name());
    if (round != null) {
      verification.setRound(round.round()).setDigest(round.digests().getOrDefault(status.nodeId(), ""));
    }
    NodeReadiness.Verdict verdict = api.readiness().check();
    return MemberStatus.newBuilder()
        .setLastVerification(verification)
        .setVoter(!status.learners().contains(status.nodeId()))
        .setSnapshotIndex(snapshots.latestIndex())
        .setLongestSnapshotPauseMs(snapshots.longestPauseMs())
        .setNodeId(status.nodeId())
        .setRaftAddress(status.peers().getOrDefault(status.nodeId(), ""))
        .setApiAddress(apiAddress)
        .setRole(status.role())
        .setTerm(status.term())
        .setCommitIndex(status.commitIndex())
        .setAppliedIndex(status.appliedIndex())
        .setRedisAddress(api.redisAddress())
        .setRedisHealthy(api.redisHealthy().getAsBoolean())
        .setReady(verdict.ready())
        .setDetail(String.join("; ", verdict.reasons()))
        .setReachable(true)
        .build();
  }

  private MemberStatus peer(String id, String raftAddress) {
    MemberStatus.Builder unreachable = MemberStatus.newBuilder()
        .setNodeId(id).setRaftAddress(raftAddress).setRole("UNKNOWN").setReachable(false);
    var addresses = members.get(id);
    if (addresses.isEmpty()) {
      return unreachable.setDetail("its API address is not known yet: the node has not registered").build();
    }
    unreachable.setApiAddress(addresses.get().apiAddress()).setRedisAddress(addresses.get().redisAddress());
    try {
      return channels.admin(id, PEER_STATUS_DEADLINE_MS, "ask it for its status")
          .nodeStatus(NodeStatusRequest.getDefaultInstance())
          .getMember();
    } catch (StatusRuntimeException e) {
      return unreachable.setDetail("not reachable at " + addresses.get().apiAddress() + ": "
          + oneLine(e.getStatus())).build();
    }
  }

  /** A status in one line for people: code, description, the root cause's message; no stack trace. */
  static String oneLine(io.grpc.Status status) {
    StringBuilder text = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      text.append(": ").append(status.getDescription());
    }
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != null) {
      text.append(" (").append(root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName())
          .append(')');
    }
    return text.toString().replace('\n', ' ');
  }

  @Override
  public void close() {
    fanOut.shutdownNow();
  }
}
