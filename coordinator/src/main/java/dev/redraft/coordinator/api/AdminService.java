package dev.redraft.coordinator.api;

import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.NodeStatusRequest;
import dev.redraft.api.v1.NodeStatusResponse;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Cluster administration: this node's status, and every member's as each reports itself. */
final class AdminService extends AdminGrpc.AdminImplBase implements AutoCloseable {
  private static final long PEER_STATUS_DEADLINE_MS = 2_000;

  private final RaftNode raft;
  private final NodeHealth health;
  private final MemberDirectory members;
  private final HeaderFactory headers;
  private final String apiAddress;
  private final String redisAddress;
  private final BooleanSupplier redisHealthy;
  private final Map<String, ManagedChannel> peerChannels = new ConcurrentHashMap<>();
  private final ExecutorService fanOut = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "redraft-admin-fanout");
    t.setDaemon(true);
    return t;
  });

  AdminService(RaftNode raft, NodeHealth health, MemberDirectory members, HeaderFactory headers,
      String apiAddress, String redisAddress, BooleanSupplier redisHealthy) {
    this.raft = raft;
    this.health = health;
    this.members = members;
    this.headers = headers;
    this.apiAddress = apiAddress;
    this.redisAddress = redisAddress;
    this.redisHealthy = redisHealthy;
  }

  @Override
  public void nodeStatus(NodeStatusRequest request, StreamObserver<NodeStatusResponse> observer) {
    RaftStatus status = raft.status();
    observer.onNext(NodeStatusResponse.newBuilder()
        .setHeader(headers.header(status))
        .setMember(self(status))
        .build());
    observer.onCompleted();
  }

  @Override
  public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> observer) {
    RaftStatus status = raft.status();
    List<CompletableFuture<MemberStatus>> pending = new ArrayList<>();
    status.peers().forEach((id, raftAddress) -> {
      if (id.equals(status.nodeId())) {
        pending.add(CompletableFuture.completedFuture(self(status)));
      } else {
        pending.add(CompletableFuture.supplyAsync(() -> peer(id, raftAddress), fanOut));
      }
    });
    ClusterStatusResponse.Builder response = ClusterStatusResponse.newBuilder().setHeader(headers.header(status));
    pending.forEach(f -> response.addMembers(f.join()));
    observer.onNext(response.build());
    observer.onCompleted();
  }

  private MemberStatus self(RaftStatus status) {
    return MemberStatus.newBuilder()
        .setNodeId(status.nodeId())
        .setRaftAddress(status.peers().getOrDefault(status.nodeId(), ""))
        .setApiAddress(apiAddress)
        .setRole(status.role())
        .setTerm(status.term())
        .setCommitIndex(status.commitIndex())
        .setAppliedIndex(status.appliedIndex())
        .setRedisAddress(redisAddress)
        .setRedisHealthy(redisHealthy.getAsBoolean())
        .setReady(health.isReady())
        .setDetail(health.reason())
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
      ManagedChannel channel = peerChannels.computeIfAbsent(addresses.get().apiAddress(),
          address -> NettyChannelBuilder.forTarget(address).usePlaintext().build());
      return AdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(PEER_STATUS_DEADLINE_MS, TimeUnit.MILLISECONDS)
          .nodeStatus(NodeStatusRequest.getDefaultInstance())
          .getMember();
    } catch (StatusRuntimeException e) {
      return unreachable.setDetail("not reachable at " + addresses.get().apiAddress() + ": " + e.getStatus()).build();
    }
  }

  @Override
  public void close() {
    fanOut.shutdownNow();
    peerChannels.values().forEach(ManagedChannel::shutdownNow);
  }
}
