package dev.redraft.client;

import dev.redraft.api.v1.AccessGrpc;
import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.AddTokenRequest;
import dev.redraft.api.v1.ListTokensRequest;
import dev.redraft.api.v1.ListTokensResponse;
import dev.redraft.api.v1.RemoveTokenRequest;
import dev.redraft.api.v1.TokenChangeResponse;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.ClusterSlotsRequest;
import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.MoveSlotsRequest;
import dev.redraft.api.v1.MoveSlotsResponse;
import dev.redraft.api.v1.SlotRange;
import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.NodeStatusRequest;
import dev.redraft.api.v1.NodeStatusResponse;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.api.v1.ResponseHeader;
import dev.redraft.api.v1.TakeSnapshotRequest;
import dev.redraft.api.v1.TakeSnapshotResponse;
import dev.redraft.api.v1.VerifyRequest;
import dev.redraft.api.v1.VerifyResponse;
import dev.redraft.api.v1.TransferLeadershipRequest;
import dev.redraft.api.v1.TransferLeadershipResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The Admin service, through the endpoints of a {@link RedraftClient}: status, membership changes,
 * leadership transfer and snapshots. Any endpoint will do (the server forwards changes to the
 * leader). Every call has a deadline (the client's request timeout, retries included); changes are
 * retried on UNAVAILABLE only, and a refusal throws {@link AdminRefusedException} with the server's
 * reason. Obtain it with {@link RedraftClient#admin()}; it shares the client's channels.
 *
 * <pre>{@code
 * try (RedraftClient client = RedraftClient.builder().endpoints("127.0.0.1:7001").build()) {
 *   MembershipResponse membership = client.admin().addNode("n4", "127.0.0.1:7010", false);
 * }
 * }</pre>
 */
public final class AdminClient {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RetryingCaller caller;
  private final Runnable checkOpen;

  AdminClient(RetryingCaller caller, Runnable checkOpen) {
    this.caller = caller;
    this.checkOpen = checkOpen;
  }

  /** Every member as it reports itself (members that do not answer have reachable = false). */
  public ClusterStatusResponse clusterStatus() {
    return RedraftClient.await(clusterStatusAsync());
  }

  public CompletableFuture<ClusterStatusResponse> clusterStatusAsync() {
    return clusterStatusAsync(0);
  }

  /** Every member of Raft group {@code group} of a sharded cluster, as it reports itself there. */
  public ClusterStatusResponse clusterStatus(int group) {
    return RedraftClient.await(clusterStatusAsync(group));
  }

  public CompletableFuture<ClusterStatusResponse> clusterStatusAsync(int group) {
    checkOpen.run();
    ClusterStatusRequest request = ClusterStatusRequest.newBuilder().setGroup(group).build();
    return caller.call(RetryingCaller.Route.ANY,
            (channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
                .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS)
                .clusterStatus(request, observer),
            ClusterStatusResponse::getHeader)
        .handle(AdminClient::statusOutcome);
  }

  /** The status of whichever node answers (the first endpoint that is up). */
  public NodeStatusResponse nodeStatus() {
    checkOpen.run();
    return RedraftClient.await(caller.call(RetryingCaller.Route.ANY,
            (channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
                .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS)
                .nodeStatus(NodeStatusRequest.getDefaultInstance(), observer),
            NodeStatusResponse::getHeader)
        .handle(AdminClient::statusOutcome));
  }

  /**
   * Which Raft group owns which key slots, with each group's leader and members and their addresses,
   * as the answering node (the first endpoint that is up) sees them.
   */
  public ClusterSlotsResponse clusterSlots() {
    return RedraftClient.await(clusterSlotsAsync());
  }

  public CompletableFuture<ClusterSlotsResponse> clusterSlotsAsync() {
    checkOpen.run();
    return caller.call(RetryingCaller.Route.ANY,
            (channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
                .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS)
                .clusterSlots(ClusterSlotsRequest.getDefaultInstance(), observer),
            ClusterSlotsResponse::getHeader)
        .handle(AdminClient::statusOutcome);
  }

  /**
   * Moves key slots (all owned by one group now) to group {@code targetGroup}, online: returns once the
   * slot map names the target for every slot. Any node takes the call; the move itself is driven by group
   * 0's leader and resumes by itself after a failure, so asking again with the same slots waits for it.
   */
  public MoveSlotsResponse moveSlots(List<SlotRange> slots, int targetGroup) {
    if (slots.isEmpty()) {
      throw new IllegalArgumentException("name at least one slot range to move");
    }
    MoveSlotsRequest request = MoveSlotsRequest.newBuilder().addAllSlots(slots).setTargetGroup(targetGroup).build();
    return change((channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).moveSlots(request, observer),
        MoveSlotsResponse::getHeader);
  }

  /**
   * Adds a running node (started with initial-cluster-state=existing) as a voter, or as a learner.
   * Returns the membership once the change is committed and, for a voter, once the new node has committed
   * the configuration that names it (so that it can vote; the server waits up to 10 s for that).
   */
  public MembershipResponse addNode(String nodeId, String raftAddress, boolean learner) {
    AddNodeRequest request = AddNodeRequest.newBuilder().setNodeId(required("nodeId", nodeId))
        .setRaftAddress(required("raftAddress", raftAddress)).setLearner(learner).build();
    return change((channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).addNode(request, observer),
        MembershipResponse::getHeader);
  }

  /** Removes a voter or learner; refused if the cluster would lose its majority. */
  public MembershipResponse removeNode(String nodeId) {
    RemoveNodeRequest request = RemoveNodeRequest.newBuilder().setNodeId(required("nodeId", nodeId)).build();
    return change((channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).removeNode(request, observer),
        MembershipResponse::getHeader);
  }

  /** Makes a learner a voter. */
  public MembershipResponse promoteNode(String nodeId) {
    PromoteNodeRequest request = PromoteNodeRequest.newBuilder().setNodeId(required("nodeId", nodeId)).build();
    return change((channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).promoteNode(request, observer),
        MembershipResponse::getHeader);
  }

  /** Hands leadership to the named voter; with an empty id the leader steps down. */
  public TransferLeadershipResponse transferLeadership(String nodeId) {
    TransferLeadershipRequest request = TransferLeadershipRequest.newBuilder()
        .setNodeId(nodeId == null ? "" : nodeId).build();
    return change((channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).transferLeadership(request, observer),
        TransferLeadershipResponse::getHeader);
  }

  /** Takes a snapshot on the named node now; with an empty id, on the node that answers. */
  public TakeSnapshotResponse takeSnapshot(String nodeId) {
    return takeSnapshot(nodeId, 0);
  }

  /** Takes a snapshot of the named node's replica of {@code group} now (an empty id: the node that answers). */
  public TakeSnapshotResponse takeSnapshot(String nodeId, int group) {
    if (group < 0) {
      throw new IllegalArgumentException("group must be 0 or more, not " + group);
    }
    TakeSnapshotRequest request = TakeSnapshotRequest.newBuilder().setNodeId(nodeId == null ? "" : nodeId)
        .setGroup(group).build();
    return change((channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).takeSnapshot(request, observer),
        TakeSnapshotResponse::getHeader);
  }

  /**
   * Runs a verification round now: every replica digests its Redis at the same VERIFY entry and the
   * digests are compared. Not retried by itself (each call appends a new round).
   */
  public VerifyResponse verify() {
    return verify(0);
  }

  /** As {@link #verify()}, for Raft group {@code group} of a sharded cluster (0: the first). */
  public VerifyResponse verify(int group) {
    VerifyRequest request = VerifyRequest.newBuilder().setGroup(group).build();
    return change((channel, timeoutNanos, observer) -> AdminGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).verify(request, observer),
        VerifyResponse::getHeader);
  }

  /**
   * Grants a new API token with this role (read, readwrite or admin) under this name, replacing an
   * earlier one of the name, and returns it: only its SHA-256 is sent and stored, so this is the one
   * time it can be seen. Needs the admin role; the cluster's nodes honour tokens when they have a
   * tokens-file (cluster.sh start --tls gives them one).
   */
  public String addToken(String name, String role) {
    String token = newToken();
    AddTokenRequest request = AddTokenRequest.newBuilder().setName(required("name", name))
        .setRole(required("role", role)).setSha256(sha256Hex(token)).build();
    change((channel, timeoutNanos, observer) -> AccessGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).addToken(request, observer),
        TokenChangeResponse::getHeader);
    return token;
  }

  /** Revokes the API token of this name (nothing happens if there is none). */
  public void removeToken(String name) {
    RemoveTokenRequest request = RemoveTokenRequest.newBuilder().setName(required("name", name)).build();
    change((channel, timeoutNanos, observer) -> AccessGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).removeToken(request, observer),
        TokenChangeResponse::getHeader);
  }

  /** The tokens the answering node honours: names, roles, sources (never a token or its hash). */
  public ListTokensResponse listTokens() {
    return change((channel, timeoutNanos, observer) -> AccessGrpc.newStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).listTokens(ListTokensRequest.getDefaultInstance(),
            observer), ListTokensResponse::getHeader);
  }

  /** 32 random bytes in hex: 256 bits, as cluster.sh makes them. */
  private static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static String sha256Hex(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }

  private <T> T change(RetryingCaller.Attempt<T> attempt,
                       Function<T, ResponseHeader> headerOf) {
    checkOpen.run();
    return RedraftClient.await(caller.call(RetryingCaller.Route.ANY, RetryingCaller.Mode.ADMIN, attempt, headerOf)
        .handle((response, failure) -> {
          if (failure != null) {
            throw new CompletionException(FailureTranslator.forAdmin(failure));
          }
          return response;
        }));
  }

  private static <T> T statusOutcome(T response, Throwable failure) {
    if (failure != null) {
      throw new CompletionException(FailureTranslator.forRead(failure));
    }
    return response;
  }

  private static String required(String name, String value) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }
}
