package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.WriteProposal;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.retry.ExceptionDependentRetry;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.TimeDuration;

/**
 * How this node's proposals reach its group's log: on the leader, straight into its own Raft server;
 * elsewhere, forwarded through Ratis clients aimed at the leader this node knows of, and sent again
 * to a new leader when one is elected ({@link ForwardedWrites}). Client writes share entries (group
 * commit).
 */
final class RaftProposer implements AutoCloseable {
  private final NodeConfig config;
  private final RaftPeerId selfId;
  private final RaftGroup group;
  private final Parameters clientParameters;
  private final RaftServer server;
  /** This node's division of the group, or null while it is not running. */
  private final Supplier<RaftServer.Division> division;
  private final RaftReplies replies;

  /**
   * Writes spread over several Ratis clients per leader (one client's ordered window serializes its
   * requests), each aimed at the leader this node knows of.
   */
  private final LeaderClients<RaftClient> writeClients;
  private static final int WRITE_CLIENTS = 8;
  /**
   * Group commit: proposals in flight at once per path, and the most writes and bytes one group entry
   * carries. Fewer in flight means bigger groups, so fewer entries, fsyncs and Redis round trips per
   * write. A node that leads submits to its own Raft server (no Ratis client, no loopback gRPC hop),
   * one group at a time: every entry costs each node about a millisecond of CPU in Ratis (thread
   * hand-offs, gRPC, the log), so on a small machine bigger groups beat overlapping ones (50 clients,
   * 3 nodes on 2 cores: 1 in flight ~8,300 writes/s at 171 us of CPU per write, 2 in flight ~3,800 at
   * 352 us, measured with scripts/bench.sh, together with one client call in flight). A follower forwards
   * through Ratis clients, one proposal per client: a proposal sent to a leader that just died or was
   * cut off waits out the client's request timeout (3 s) before it finds the new leader, and with few
   * in flight every write waited behind those (fault runs: no write acknowledged for 7-8 s); so
   * {@link ForwardedWrites} sends such writes again as soon as this node learns of the new leader.
   */
  private static final int LOCAL_MAX_IN_FLIGHT = 1;
  private static final int FORWARD_MAX_IN_FLIGHT = WRITE_CLIENTS;
  private static final int GROUP_MAX_WRITES = 512;
  private static final long GROUP_MAX_BYTES = 1024 * 1024;
  private final GroupCommitter localCommitter;
  private final GroupCommitter forwardCommitter;
  /** Forwarded client writes, sent again to a new leader when this node learns of one. */
  private final ForwardedWrites forwardedWrites;
  /** Makes the spare write clients (LeaderClients), off the writes' threads. */
  private final ExecutorService spareClients = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "redraft-spare-write-clients");
    thread.setDaemon(true);
    return thread;
  });
  /** Makes the write clients of the set in use that are not made yet (LeaderClients), off the writes' threads. */
  private final ExecutorService fillClients = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "redraft-fill-write-clients");
    thread.setDaemon(true);
    return thread;
  });
  /**
   * Where a forwarded proposal's answer is handled: never on the Ratis client's reply thread. That
   * thread holds its client's sliding-window lock while it completes the reply, and handling it sends
   * the next proposal (group commit) through another client, which takes that client's lock: two
   * replies of two clients at once deadlocked a follower's forwarding for good (redis-benchmark through
   * a follower's RESP port, 50 connections, pipelined; thread dump: each reply thread waiting for the
   * other's window).
   */
  private final ExecutorService replyPool = Executors.newFixedThreadPool(2, new java.util.concurrent.ThreadFactory() {
    private final AtomicLong count = new AtomicLong();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "redraft-forward-replies-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  });
  /**
   * The reply pool; once the node is stopping, a thread of its own (never the caller's: that is the
   * Ratis reply thread), so that every reply is still handled.
   */
  private final Executor replyHandlers = task -> {
    try {
      replyPool.execute(task);
    } catch (RejectedExecutionException stopping) {
      Thread late = new Thread(task, "redraft-forward-reply-late");
      late.setDaemon(true);
      late.start();
    }
  };
  private final ExecutorService resends = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "redraft-forward-resend");
    thread.setDaemon(true);
    return thread;
  });
  /** Requests this node submits to its own Raft server: a fresh id per start (notes/ratis.md, trap 8). */
  private final ClientId localClientId = ClientId.randomId();
  private final AtomicLong localCallIds = new AtomicLong();

  RaftProposer(NodeConfig config, String groupLabel, RaftGroup group, Parameters clientParameters, RaftServer server,
      Supplier<RaftServer.Division> division, RedraftStateMachine stateMachine) {
    this.config = config;
    this.selfId = RaftPeerId.valueOf(config.nodeId());
    this.group = group;
    this.clientParameters = clientParameters;
    this.server = server;
    this.division = division;
    this.replies = new RaftReplies(config.nodeId());
    writeClients = new LeaderClients<>(config.nodeId(), WRITE_CLIENTS, this::knownLeader, this::memberIds,
        (leader, slot) -> newWriteClient(leader), spareClients, fillClients);
    forwardedWrites = new ForwardedWrites("node " + config.nodeId() + groupLabel, this::sendTowardsLeader,
        this::knownLeader, resends, System::nanoTime);
    localCommitter = new GroupCommitter("node " + config.nodeId() + groupLabel + ": writes proposed locally",
        this::submitLocally, LOCAL_MAX_IN_FLIGHT, GROUP_MAX_WRITES, GROUP_MAX_BYTES);
    forwardCommitter = new GroupCommitter("node " + config.nodeId() + groupLabel + ": forwarded writes", this::forward,
        FORWARD_MAX_IN_FLIGHT, GROUP_MAX_WRITES, GROUP_MAX_BYTES);
    stateMachine.setLeaderListener(() -> {
      forwardedWrites.leaderChanged();
      // After the re-sends (same thread): if they took a client for the new leader, it needs no spare now.
      // Off Ratis' notifying thread: the write clients' lock may be held while a client is made.
      String leader = knownLeader();
      try {
        resends.execute(() -> writeClients.leaderChanged(leader));
      } catch (RejectedExecutionException stopping) {
        // the node is stopping
      }
    });
  }

  /**
   * Bounded: Ratis' default policy retries forever without sleeping. Retries reuse the same Ratis
   * call id (its retry cache dedupes them); across calls, the client session dedupes.
   */
  static RetryPolicy writeRetryPolicy(NodeConfig config) {
    long sleepMs = 100;
    int attempts = (int) Math.max(3, config.requestTimeout().toMillis() / (sleepMs + 50));
    // A new leader refuses every request until its first entry of the term is applied, 50-400 ms after
    // its election in fault runs: asked again every 100 ms, the first writes after a failover waited up
    // to 100 ms more than that. Asked again soon; still bounded by the request timeout.
    int notReadyAttempts = (int) Math.max(3, config.requestTimeout().toMillis() / NOT_READY_SLEEP_MS);
    return ExceptionDependentRetry.newBuilder()
        .setDefaultPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
            TimeDuration.valueOf(sleepMs, TimeUnit.MILLISECONDS)))
        .setExceptionToPolicy(LeaderNotReadyException.class, RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            notReadyAttempts, TimeDuration.valueOf(NOT_READY_SLEEP_MS, TimeUnit.MILLISECONDS)))
        .setMaxAttempts(attempts + notReadyAttempts)
        .build();
  }

  /** How soon a write refused by a leader not ready yet is sent again. */
  static final long NOT_READY_SLEEP_MS = 20;

  /**
   * A write client aimed at {@code leader} and at it alone. Given the whole group, a Ratis client
   * whose request times out moves to a random other peer: under load, clients aimed at a new leader
   * wandered to the frozen old one and held forwarded writes until it woke up (fault runs: writes
   * through a follower stalled 5-8 s after the leader froze, although a new one led after 2 s).
   * Alone with its leader, the client follows only a NotLeader hint (a real leader);
   * {@link ForwardedWrites} moves writes to a new leader this node learns of.
   */
  private RaftClient newWriteClient(String leader) {
    RaftPeerId leaderId = RaftPeerId.valueOf(leader);
    RaftServer.Division division = divisionOrNull();
    RaftGroup current = division == null ? group : division.getGroup();
    // A joining node's configuration is empty until the leader adds it: use the configured peers then.
    RaftGroup members = current.getPeer(leaderId) != null ? current : group;
    RaftPeer peer = members.getPeer(leaderId);
    RaftGroup target = peer != null ? RaftGroup.valueOf(group.getGroupId(), peer) : members;
    return RaftClient.newBuilder()
        .setProperties(RaftSettings.client(config))
        .setParameters(clientParameters)
        .setRaftGroup(target)
        .setLeaderId(peer != null ? leaderId : null)
        .setRetryPolicy(writeRetryPolicy(config))
        .build();
  }

  /** The leader this node's Raft state names, or null during an election. */
  private String knownLeader() {
    RaftServer.Division division = divisionOrNull();
    RaftPeerId leader = division == null ? null : division.getInfo().getLeaderId();
    return leader == null ? null : leader.toString();
  }

  private Set<String> memberIds() {
    RaftServer.Division division = divisionOrNull();
    Set<String> ids = new HashSet<>();
    if (division != null) {
      division.getGroup().getPeers().forEach(peer -> ids.add(peer.getId().toString()));
    }
    return ids;
  }

  /**
   * Ratis' ordered async client closes its sliding window for good once one request runs out of
   * retries: that request fails with RaftRetryFailureException, every later one with
   * AlreadyClosedException. Either means the client is done: start a fresh one in its slot.
   */
  private static boolean clientGaveUp(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof AlreadyClosedException || t instanceof RaftRetryFailureException) {
        return true;
      }
    }
    return false;
  }

  /** See {@link RaftNode#propose}. */
  CompletableFuture<CommittedReply> propose(Proposal proposal) {
    boolean leads = isLeader();
    if (proposal.hasWrite()) {
      return (leads ? localCommitter : forwardCommitter).submit(proposal.getWrite());
    }
    return leads ? submitLocally(proposal) : send(proposal);
  }

  /**
   * Proposes client writes together (they share group entries); one future per write, in order.
   */
  List<CompletableFuture<CommittedReply>> proposeWrites(List<WriteProposal> writes) {
    return (isLeader() ? localCommitter : forwardCommitter).submitAll(writes);
  }

  private boolean isLeader() {
    RaftServer.Division division = divisionOrNull();
    return division != null && division.getInfo().isLeader();
  }

  /**
   * Submits to this node's own Raft server, which leads (or did a moment ago). If it turns out not to
   * lead, or not to be ready yet, nothing entered its log: the proposal goes the forwarding way.
   */
  private CompletableFuture<CommittedReply> submitLocally(Proposal proposal) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(localClientId)
        .setServerId(selfId)
        .setGroupId(group.getGroupId())
        .setCallId(localCallIds.incrementAndGet())
        .setMessage(ProtoBytes.toMessage(proposal))
        .setType(RaftClientRequest.writeRequestType())
        .build();
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      return send(proposal);
    }
    return reply.orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle((r, error) -> {
          if (error == null && !r.isSuccess() && (r.getNotLeaderException() != null
              || r.getException() instanceof LeaderNotReadyException)) {
            return isClientWrite(proposal) ? forward(proposal) : send(proposal);
          }
          return CompletableFuture.completedFuture(replies.toCommitted(r, error, "write"));
        })
        .thenCompose(f -> f);
  }

  private static boolean isClientWrite(Proposal proposal) {
    return proposal.hasWrite() || proposal.hasWriteGroup();
  }

  private CompletableFuture<CommittedReply> forward(Proposal proposal) {
    return forwardedWrites.forward(proposal);
  }

  private CompletableFuture<CommittedReply> send(Proposal proposal) {
    return sendTowardsLeader(proposal).reply();
  }

  /** Through a Ratis client aimed at the leader this node knows of (itself included: Ratis waits out elections). */
  private ForwardedWrites.Sent sendTowardsLeader(Proposal proposal) {
    LeaderClients.Lease<RaftClient> lease;
    try {
      lease = writeClients.next();
    } catch (IllegalStateException stopping) {
      return new ForwardedWrites.Sent("", CompletableFuture.failedFuture(new UnavailableException(stopping.getMessage(), stopping)));
    }
    if (!lease.leader().equals(config.nodeId())) {
      proposal = proposal.toBuilder().setForwardedBy(config.nodeId()).build(); // the leader then tells this node of the commit
    }
    return new ForwardedWrites.Sent(lease.leader(), lease.client().async().send(ProtoBytes.toMessage(proposal))
        .handleAsync((reply, error) -> {
          if (error != null && clientGaveUp(error)) {
            writeClients.replace(lease);
          }
          return replies.toCommitted(reply, error, "write");
        }, replyHandlers));
  }

  /**
   * Write proposals (each one or more client writes, as one group entry) this node forwarded to the
   * group's leader since it started: what a client that sends writes straight to the leader saves.
   */
  long forwardedProposals() {
    return forwardedWrites.forwarded();
  }

  private RaftServer.Division divisionOrNull() {
    return division.get();
  }

  @Override
  public void close() {
    resends.shutdownNow();
    spareClients.shutdownNow();
    fillClients.shutdownNow();
    writeClients.close();  // fails what the clients still hold: answered on the reply pool
    replyPool.shutdown();
  }
}
