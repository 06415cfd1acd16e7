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
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.raft.MembershipManager;
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
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Cluster administration: this node's status, every member's as each reports itself, membership
 * changes, leadership transfer and snapshots. Membership changes run on the leader: a follower
 * forwards them there once (a forwarded call that finds no leader fails as UNAVAILABLE).
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
  private final ShardedMembership sharded;
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
    this.sharded = new ShardedMembership(groups.stream().map(g -> g.api().raft()).toList(),
        new ShardedMembership.InGroup() {
          @Override
          public MembershipResponse add(AddNodeRequest request) {
            return addInGroup(request);
          }

          @Override
          public MembershipResponse remove(RemoveNodeRequest request) {
            return removeInGroup(request);
          }

          @Override
          public MembershipResponse promote(PromoteNodeRequest request) {
            return promoteInGroup(request);
          }
        });
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
    if (groups.size() > 1 && !request.getOneGroup()) {
      answer(observer, () -> apartFromTheCall(() -> sharded.add(request)));
      return;
    }
    answer(observer, () -> addInGroup(request));
  }

  /** The addition in one group (group 0 of an unsharded cluster), on its leader. */
  private MembershipResponse addInGroup(AddNodeRequest request) {
    int group = groupOf(request.getOneGroup(), request.getGroup());
    return onLeader(group, stub -> stub.addNode(request), () -> {
      MembershipManager membership = groupRaft(group).membership();
      if (!request.getOneGroup()) {
        return membershipResponse(membership.add(request.getNodeId(), request.getRaftAddress(), request.getLearner()));
      }
      // A sharded cluster's change may be asked again after it stopped midway: a group that has it (settled,
      // with the same address and role) is done; with another address or role it is refused.
      List<MembershipManager.Member> members = membership.settledMembers();
      java.util.Optional<MembershipManager.Member> there = members.stream()
          .filter(m -> m.id().equals(request.getNodeId())).findFirst();
      if (there.isEmpty()) {
        return membershipResponse(membership.add(request.getNodeId(), request.getRaftAddress(), request.getLearner()));
      }
      if (!there.get().raftAddress().equals(request.getRaftAddress()) || there.get().voter() == request.getLearner()) {
        throw new RefusedException("node " + request.getNodeId() + " is already a member of group " + group + " at "
            + there.get().raftAddress() + (there.get().voter() ? " (voter)" : " (learner)") + ": remove it first");
      }
      return membershipResponse(members);
    });
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<MembershipResponse> observer) {
    if (groups.size() > 1 && !request.getOneGroup()) {
      answer(observer, () -> apartFromTheCall(() -> sharded.remove(request)));
      return;
    }
    answer(observer, () -> removeInGroup(request));
  }

  private MembershipResponse removeInGroup(RemoveNodeRequest request) {
    int group = groupOf(request.getOneGroup(), request.getGroup());
    return onLeader(group, stub -> stub.removeNode(request), () -> {
      if (request.getOneGroup()) {
        List<MembershipManager.Member> members = groupRaft(group).membership().settledMembers();
        if (members.stream().noneMatch(m -> m.id().equals(request.getNodeId()))) {
          return membershipResponse(members); // removed by an earlier attempt
        }
      }
      return removeNode(group, request);
    });
  }

  /**
   * Runs a sharded cluster's membership change apart from the caller's call: its steps (and their undo)
   * must not be cut off halfway by the caller's deadline or cancellation (a CLI interrupted, a client
   * timing out), which would leave the groups with different members.
   */
  private static MembershipResponse apartFromTheCall(Supplier<MembershipResponse> change) {
    Context apart = Context.current().fork();
    Context previous = apart.attach();
    try {
      return change.get();
    } finally {
      apart.detach(previous);
    }
  }

  private int groupOf(boolean oneGroup, int group) {
    if (oneGroup && (group < 0 || group >= groups.size())) {
      throw new InvalidRequestException("group " + group + " does not exist: this cluster has groups 0.."
          + (groups.size() - 1));
    }
    return oneGroup ? group : 0;
  }

  private RaftNode groupRaft(int group) {
    return groups.get(group).api().raft();
  }

  /**
   * A leader asked to remove itself first hands leadership to a voter it hears from, which then
   * removes it (as etcd does). Ratis would commit the new configuration, then the removed leader
   * steps down and the others elect a leader only after their election timeout: writes stalled for
   * 3.1-3.8 s in fault runs, against about one round for a hand-over.
   */
  private MembershipResponse removeNode(int group, RemoveNodeRequest request) {
    MembershipManager membership = groupRaft(group).membership();
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

  @Override
  public void promoteNode(PromoteNodeRequest request, StreamObserver<MembershipResponse> observer) {
    if (groups.size() > 1 && !request.getOneGroup()) {
      answer(observer, () -> apartFromTheCall(() -> sharded.promote(request)));
      return;
    }
    answer(observer, () -> promoteInGroup(request));
  }

  private MembershipResponse promoteInGroup(PromoteNodeRequest request) {
    int group = groupOf(request.getOneGroup(), request.getGroup());
    return onLeader(group, stub -> stub.promoteNode(request), () -> {
      MembershipManager membership = groupRaft(group).membership();
      if (request.getOneGroup()) {
        List<MembershipManager.Member> members = membership.settledMembers();
        if (members.stream().anyMatch(m -> m.id().equals(request.getNodeId()) && m.voter())) {
          return membershipResponse(members); // promoted by an earlier attempt
        }
      }
      return membershipResponse(membership.promote(request.getNodeId()));
    });
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

  /** Runs {@code local} here if this node leads {@code group}, else forwards the call to its leader (once). */
  private <T> T onLeader(int group, Function<AdminGrpc.AdminBlockingStub, T> forward, Supplier<T> local) {
    RaftNode raft = groupRaft(group);
    if (raft.membership().isLeader()) {
      return local.get();
    }
    String which = groups.size() == 1 ? "" : " of group " + group;
    String forwardedBy = FORWARDED.get();
    if (forwardedBy != null) {
      throw new UnavailableException("node " + forwardedBy + " forwarded this call here, but node "
          + raft.status().nodeId() + " is not the leader" + which + " either (an election is under way?): retry");
    }
    String leader = raft.status().leaderId();
    if (leader.isEmpty()) {
      throw new UnavailableException("the cluster" + (which.isEmpty() ? "" : "'s group " + group)
          + " has no leader right now: retry in a few seconds");
    }
    return forward.apply(forwardTo(leader, "run it on the leader" + which));
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
