package dev.redraft.coordinator.api;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.FetchSnapshotRequest;
import dev.redraft.api.v1.GetConfigurationResponse;
import dev.redraft.api.v1.GetDigestRequest;
import dev.redraft.api.v1.GetDigestResponse;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.NodeVerification;
import dev.redraft.api.v1.SnapshotChunk;
import dev.redraft.api.v1.Verification;
import dev.redraft.api.v1.VerifyRequest;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.coordinator.api.AdminService.Group;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.node.NodeReadiness;
import dev.redraft.coordinator.raft.ConfigurationView;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.coordinator.raft.SnapshotStats;
import dev.redraft.coordinator.verify.ReplicaVerifier;
import dev.redraft.coordinator.verify.VerificationRound;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin calls about one of this node's replicas (one per Raft group): its status, a verification
 * round, its digest at a round, its snapshot as a stream, leadership confirmations for reads and its
 * Raft configuration. Most are asked by other nodes; a call names its group (0 by default).
 */
final class ReplicaCalls {
  private static final long DIGEST_WAIT_MS = 5_000;
  private static final int SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

  private final List<Group> groups;
  private final HeaderFactory headers;
  private final String apiAddress;
  private final Duration adminTimeout;

  /** @param groups every group's replica, group 0 first */
  ReplicaCalls(List<Group> groups, HeaderFactory headers, String apiAddress, Duration adminTimeout) {
    this.groups = List.copyOf(groups);
    this.headers = headers;
    this.apiAddress = apiAddress;
    this.adminTimeout = adminTimeout;
  }

  /** The replica of group {@code index}, or an INVALID_ARGUMENT naming the groups this node has. */
  Group group(int index) {
    if (index < 0 || index >= groups.size()) {
      throw new InvalidRequestException("node " + nodeId() + " has no Raft group " + index + ": the cluster has "
          + groups.size() + " group(s), 0.." + (groups.size() - 1));
    }
    return groups.get(index);
  }

  private String nodeId() {
    return groups.get(0).api().raft().status().nodeId();
  }

  VerifyResponse verify(VerifyRequest request) {
    RaftNode raft = group(request.getGroup()).api().raft();
    ReplicaVerifier verifier = group(request.getGroup()).api().verifier();
    try {
      long round = raft.proposeVerify().get(adminTimeout.toMillis(), TimeUnit.MILLISECONDS);
      VerificationRound result = verifier.awaitRound(round).get(adminTimeout.toMillis(), TimeUnit.MILLISECONDS);
      VerifyResponse.Builder response = VerifyResponse.newBuilder().setHeader(headers.header()).setRound(round)
          .setVerdict(result.clusterVerdict());
      result.verdicts().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
          response.addNodes(NodeVerification.newBuilder().setNodeId(e.getKey()).setRound(round)
              .setDigest(result.digests().getOrDefault(e.getKey(), "")).setVerdict(e.getValue().name())));
      return response.build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while verifying", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new UnavailableException("the verification round did not finish: " + e.getMessage()
          + "; retry (is a majority up?)", e);
    }
  }

  /** This node's Raft configuration of a group, for a node checking whether it is still a member. */
  GetConfigurationResponse configuration(int group) {
    RaftNode raft = group(group).api().raft();
    return RemovalWatch.toResponse(ConfigurationView.of(raft).orElseThrow(() -> new UnavailableException(
        "the Raft group is not running on node " + raft.status().nodeId() + ": ask another member")));
  }

  GetDigestResponse digest(GetDigestRequest request) {
    Group group = group(request.getGroup());
    String digest;
    try {
      digest = group.api().verifier().digests().await(request.getRound()).get(DIGEST_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      digest = ""; // not applied here in time
    }
    return GetDigestResponse.newBuilder().setNodeId(nodeId()).setRound(request.getRound()).setDigest(digest).build();
  }

  /** Streams this node's newest snapshot, taking a fresh one first if it is older than asked. */
  void streamSnapshot(FetchSnapshotRequest request, StreamObserver<SnapshotChunk> observer) {
    try {
      RaftNode raft = group(request.getGroup()).api().raft();
      var snapshot = raft.latestSnapshot();
      if (snapshot.isEmpty() || snapshot.get().index() < request.getMinIndex()) {
        raft.membership().takeSnapshot(adminTimeout);
        snapshot = raft.latestSnapshot();
      }
      var file = snapshot.orElseThrow(() -> new UnavailableException("node " + raft.status().nodeId()
          + " has no snapshot to send"));
      byte[] buffer = new byte[SNAPSHOT_CHUNK_BYTES];
      try (InputStream in = Files.newInputStream(file.path())) {
        int read;
        boolean sent = false;
        while ((read = in.readNBytes(buffer, 0, buffer.length)) > 0 || !sent) {
          observer.onNext(SnapshotChunk.newBuilder().setSnapshotIndex(file.index()).setSnapshotTerm(file.term())
              .setData(ByteString.copyFrom(buffer, 0, Math.max(read, 0))).build());
          sent = true;
          if (read <= 0) {
            break;
          }
        }
      }
      observer.onCompleted();
    } catch (IOException | RuntimeException e) {
      observer.onError(ErrorMapper.toStatus(e instanceof IOException
          ? new UnavailableException("reading the snapshot failed: " + e.getMessage(), e) : e));
    }
  }

  /** This node's status as a member of {@code group}. */
  MemberStatus self(Group group, RaftStatus status) {
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
}
