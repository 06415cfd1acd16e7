package dev.redraft.coordinator.api;

import dev.redraft.api.v1.AcknowledgeLeaderRequest;
import dev.redraft.api.v1.AcknowledgeLeaderResponse;
import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.ClusterSlotsRequest;
import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.ConfirmLeadershipRequest;
import dev.redraft.api.v1.ConfirmLeadershipResponse;
import dev.redraft.api.v1.FetchSnapshotRequest;
import dev.redraft.api.v1.GetConfigurationRequest;
import dev.redraft.api.v1.GetConfigurationResponse;
import dev.redraft.api.v1.GetDigestRequest;
import dev.redraft.api.v1.GetDigestResponse;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.MoveSlotsRequest;
import dev.redraft.api.v1.MoveSlotsResponse;
import dev.redraft.api.v1.NodeStatusRequest;
import dev.redraft.api.v1.NodeStatusResponse;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.api.v1.SlotRange;
import dev.redraft.api.v1.SnapshotChunk;
import dev.redraft.api.v1.TakeSnapshotRequest;
import dev.redraft.api.v1.TakeSnapshotResponse;
import dev.redraft.api.v1.TransferLeadershipRequest;
import dev.redraft.api.v1.TransferLeadershipResponse;
import dev.redraft.api.v1.VerifyRequest;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import dev.redraft.coordinator.errors.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Cluster administration: this node's status, every member's as each reports itself, membership
 * changes ({@link MembershipCalls}: on the leader of each group they concern, forwarded there once; a
 * forwarded call that finds no leader fails as UNAVAILABLE; a sharded cluster's change runs on group 0's
 * leader, whose own calls to the other groups' leaders are new calls, not forwarded ones), leadership
 * transfer, snapshots and slot moves.
 */
final class AdminService extends AdminGrpc.AdminImplBase implements AutoCloseable {
  private static final long PEER_STATUS_DEADLINE_MS = 2_000;
  private static final long FORWARD_DEADLINE_MS = 120_000;
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
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
  private final SlotMoves moves;
  /** Membership changes: group 0's, or every group's of a sharded cluster. */
  private final MembershipCalls membership;
  private final ReplicaCalls replicas;
  private final ExecutorService fanOut = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "redraft-admin-fanout");
    t.setDaemon(true);
    return t;
  });

  AdminService(List<Group> groups, MemberDirectory members, HeaderFactory headers, String apiAddress,
      PeerChannels channels, SlotLayout slots, SlotMoves moves) {
    this.groups = List.copyOf(groups);
    this.slots = slots;
    this.moves = moves;
    this.replicas = new ReplicaCalls(groups, headers, apiAddress, ADMIN_TIMEOUT);
    this.raft = groups.get(0).api().raft();
    this.channels = channels;
    this.members = members;
    this.headers = headers;
    this.apiAddress = apiAddress;
    this.membership = new MembershipCalls(groups.stream().map(g -> g.api().raft()).toList(), headers,
        this::forwardTo);
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> observer) {
    answer(observer, () -> {
      Group group = replicas.group(request.getGroup());
      RaftStatus status = group.api().raft().status();
      return NodeStatusResponse.newBuilder()
          .setHeader(headers.header(raft.status()))
          .setMember(replicas.self(group, status))
          .build();
    });
  }

  @Override
  public void clusterSlots(ClusterSlotsRequest request, StreamObserver<ClusterSlotsResponse> observer) {
    answer(observer, () -> slots.toResponse(headers.header(raft.status())));
  }

  @Override
  public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> observer) {
    Group group;
    try {
      group = replicas.group(request.getGroup());
    } catch (RuntimeException e) {
      observer.onError(ErrorMapper.toStatus(e));
      return;
    }
    RaftStatus status = group.api().raft().status();
    List<CompletableFuture<MemberStatus>> pending = new ArrayList<>();
    status.peers().forEach((id, raftAddress) -> {
      if (id.equals(status.nodeId())) {
        pending.add(CompletableFuture.completedFuture(replicas.self(group, status)));
      } else {
        pending.add(CompletableFuture.supplyAsync(() -> peer(id, raftAddress, request.getGroup()), fanOut));
      }
    });
    ClusterStatusResponse.Builder response = ClusterStatusResponse.newBuilder()
        .setHeader(headers.header(raft.status()));
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
    answer(observer, () -> membership.add(request));
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<MembershipResponse> observer) {
    answer(observer, () -> membership.remove(request));
  }

  @Override
  public void promoteNode(PromoteNodeRequest request, StreamObserver<MembershipResponse> observer) {
    answer(observer, () -> membership.promote(request));
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
      RaftNode replica = replicas.group(request.getGroup()).api().raft();
      long index = replica.membership().takeSnapshot(ADMIN_TIMEOUT);
      RaftStatus status = replica.status();
      return TakeSnapshotResponse.newBuilder().setHeader(headers.header(status)).setNodeId(status.nodeId())
          .setSnapshotIndex(index).build();
    });
  }

  private AdminGrpc.AdminBlockingStub forwardTo(String nodeId, String why) {
    return channels.admin(nodeId, FORWARD_DEADLINE_MS, why);
  }

  @Override
  public void verify(VerifyRequest request, StreamObserver<VerifyResponse> observer) {
    answer(observer, () -> replicas.verify(request));
  }

  @Override
  public void confirmLeadership(ConfirmLeadershipRequest request,
      StreamObserver<ConfirmLeadershipResponse> observer) {
    answer(observer, () -> replicas.group(request.getGroup()).leadership().answer());
  }

  @Override
  public void acknowledgeLeader(AcknowledgeLeaderRequest request, StreamObserver<AcknowledgeLeaderResponse> observer) {
    answer(observer, () -> replicas.group(request.getGroup()).leadership().acknowledge(request));
  }

  /** This node's Raft configuration, for a node checking whether it is still a member ({@link RemovalWatch}). */
  @Override
  public void getConfiguration(GetConfigurationRequest request, StreamObserver<GetConfigurationResponse> observer) {
    answer(observer, () -> replicas.configuration(request.getGroup()));
  }

  @Override
  public void getDigest(GetDigestRequest request, StreamObserver<GetDigestResponse> observer) {
    answer(observer, () -> replicas.digest(request));
  }

  /** Streams this node's newest snapshot, taking a fresh one first if it is older than asked. */
  @Override
  public void fetchSnapshot(FetchSnapshotRequest request, StreamObserver<SnapshotChunk> observer) {
    replicas.streamSnapshot(request, observer);
  }

  @Override
  public void moveSlots(MoveSlotsRequest request, StreamObserver<MoveSlotsResponse> observer) {
    java.util.BitSet named = new java.util.BitSet(dev.redraft.api.KeySlot.SLOTS);
    CompletableFuture<MoveSlotsResponse> moved;
    try {
      for (SlotRange range : request.getSlotsList()) {
        if (range.getFirst() > range.getLast() || range.getLast() >= dev.redraft.api.KeySlot.SLOTS) {
          throw new InvalidRequestException("slot range " + range.getFirst() + "-" + range.getLast() + " is not within"
              + " 0-" + (dev.redraft.api.KeySlot.SLOTS - 1) + " with its first slot before its last");
        }
        named.set(range.getFirst(), range.getLast() + 1);
      }
      List<Integer> slotList = named.stream().boxed().toList();
      int target = request.getTargetGroup();
      moved = moves.begin(slotList, target).thenCompose(begun -> moves.finished(slotList, target, ADMIN_TIMEOUT)
          .thenApply(map -> MoveSlotsResponse.newBuilder().setHeader(headers.header(raft.status()))
              .setMoveId(begun.moveId()).setSourceGroup(begun.source()).setTargetGroup(target)
              .setSlotCount(begun.slotCount()).setMapVersion(map.version()).build()));
    } catch (RuntimeException e) {
      observer.onError(ErrorMapper.toStatus(e));
      return;
    }
    moved.whenComplete((response, error) -> {
      if (error != null) {
        observer.onError(ErrorMapper.toStatus(dev.redraft.coordinator.errors.Causes.unwrap(error)));
      } else {
        observer.onNext(response);
        observer.onCompleted();
      }
    });
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

  /** Member {@code id}'s status in group {@code group}, as it reports it (or why it did not). */
  private MemberStatus peer(String id, String raftAddress, int group) {
    MemberStatus.Builder unreachable = MemberStatus.newBuilder()
        .setNodeId(id).setRaftAddress(raftAddress).setRole("UNKNOWN").setReachable(false);
    var addresses = members.get(id);
    if (addresses.isEmpty()) {
      return unreachable.setDetail("its API address is not known yet: the node has not registered").build();
    }
    unreachable.setApiAddress(addresses.get().apiAddress());
    if (group == 0) {
      unreachable.setRedisAddress(addresses.get().redisAddress()); // the directory holds group 0's Redis only
    }
    try {
      return channels.admin(id, PEER_STATUS_DEADLINE_MS, "ask it for its status")
          .nodeStatus(NodeStatusRequest.newBuilder().setGroup(group).build())
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
