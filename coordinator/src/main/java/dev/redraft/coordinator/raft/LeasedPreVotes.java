package dev.redraft.coordinator.raft;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a pre-vote that this follower would refuse only because its leader's lease still runs (it heard
 * from the leader less than election-timeout-min ago) when that lease has run out, instead of at once.
 *
 * <p>Why: a refused pre-vote costs the candidate its whole round. Ratis waits for the other voters until
 * the round's random timeout (up to election-timeout-max), and a voter that is cut off never answers. A
 * follower busy writing a catch-up (a member just added back empty) takes its last leader message in ~1 s
 * late: Ratis counts the lease from the moment an append is written. In the fault suite the up-to-date
 * follower campaigned 1.8 s after the leader was cut off, the catching-up one refused it for a lease that
 * had 0.3 s left, and the election passed 1.3 s later, in the next round (a 3.6 s write gap against its 3 s
 * bound). Held here, the vote is decided by Ratis when the lease has run out: granted if no leader spoke
 * meanwhile, refused if one did. The Raft thesis (section 4.2.3) asks exactly this of a voter: not to grant
 * a vote within the minimum election timeout of hearing from a leader.
 *
 * <p>Only a pre-vote of a candidate whose log is ahead of this node's is held: this node cannot win against
 * it, so it does not campaign itself at the moment it grants (its own timeout may end with the lease). With
 * logs alike both could, and two that granted each other's pre-vote and campaigned together split the vote
 * (a test saw one more round, 1 s). A candidate behind this node is refused at once, as before (the refusal
 * tells this node's election timer the leader is gone, see {@link BehindCandidateVotes}). A hold is at most election-timeout-min, and ends at least {@value
 * #REPLY_MARGIN_MS} ms before the candidate's call times out (Ratis' request timeout, 3 s; a longer one is not
 * held); at most {@value #MAX_HELD} are held at a time (more are answered at once). Ratis decides a held vote
 * on this class's one timer thread, as it would on a gRPC thread (a quick check under the division's lock).
 */
final class LeasedPreVotes implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(LeasedPreVotes.class);
  static final int MAX_HELD = 64;
  /** Ratis compares the lease in nanoseconds, role info reports it in whole ms: answer a little after it ends. */
  static final long MARGIN_MS = 5;
  /** A held vote is answered this long before the candidate's call would time out, or not held. */
  static final long REPLY_MARGIN_MS = 500;
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String selfId;
  private final ScheduledExecutorService timer;
  private final AtomicInteger held = new AtomicInteger();
  /** Votes held now, by group: that group's election timer on this node waits while any is (see holding). */
  private final Map<RaftGroupId, AtomicInteger> heldByGroup = new ConcurrentHashMap<>();
  private final AtomicLong holds = new AtomicLong();
  private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private volatile RaftServer server;

  LeasedPreVotes(String selfId) {
    this.selfId = selfId;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-prevote-hold-" + selfId);
      t.setDaemon(true);
      return t;
    });
  }

  /** The server whose divisions decide the holds; until it is given, every pre-vote is answered at once. */
  void serve(RaftServer server) {
    this.server = server;
  }

  /**
   * Whether this node holds a pre-vote of {@code group} now. Its election timer does not campaign meanwhile
   * (a hold ends when the lease does, the earliest moment its own timeout may end too; it could not win
   * against a candidate ahead of it anyway); granting the vote restarts this node's silence.
   */
  boolean holding(RaftGroupId group) {
    AtomicInteger count = heldByGroup.get(group);
    return count != null && count.get() > 0;
  }

  /** Pre-votes held so far (for tests). */
  long holds() {
    return holds.get();
  }

  void close() {
    timer.shutdownNow();
  }

  /**
   * How long to hold a pre-vote of {@code candidate} (0: answer now): until this follower's lease of its
   * leader ends, when the lease is all that stands in the candidate's way.
   *
   * @param leader this node's leader, or null if it knows none
   * @param sinceLeaderMs how long ago this node last heard from its leader
   * @param candidateWaitsMs how long the candidate waits for the answer (Ratis' request timeout)
   * @param mine this node's last log entry, or null if unknown (then not held)
   */
  static long holdMs(boolean follower, String leader, String candidate, long sinceLeaderMs, long leaseMs,
      long candidateWaitsMs, TermIndexProto mine, TermIndexProto candidates) {
    if (!follower || leader == null || leader.equals(candidate) || sinceLeaderMs >= leaseMs) {
      return 0;
    }
    if (mine == null || !BehindCandidateVotes.isNewer(candidates, mine)) {
      return 0;
    }
    long hold = leaseMs - sinceLeaderMs + MARGIN_MS;
    // Past the candidate's wait the answer would be lost: refused at once then, as Ratis does.
    return hold > candidateWaitsMs - REPLY_MARGIN_MS ? 0 : hold;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                     ServerCallHandler<Q, A> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (!BehindCandidateVotes.METHOD.equals(call.getMethodDescriptor().getFullMethodName())) {
      return listener;
    }
    return new Holding<>(listener, () -> call.close(Status.INTERNAL.withDescription("answering a held pre-vote failed"),
        new Metadata()));
  }

  private long holdMs(RequestVoteRequestProto request) {
    RaftServer current = server;
    if (current == null || !request.getPreVote()) {
      return 0;
    }
    RaftServer.Division division;
    try {
      division = current.getDivision(RaftGroupId.valueOf(request.getServerRequest().getRaftGroupId().getId()));
    } catch (IOException | RuntimeException notHosted) {
      return 0;
    }
    if (division.getInfo().getLifeCycleState() != LifeCycle.State.RUNNING) {
      return 0; // added but not yet told it caught up: it refuses every vote (and reports its leader heard 0 ms ago)
    }
    RoleInfoProto role = division.getInfo().getRoleInfoProto();
    if (!division.getInfo().isFollower() || !role.hasFollowerInfo()
        || !role.getFollowerInfo().getLeaderInfo().hasId()) {
      return 0;
    }
    String leader = RaftPeerId.valueOf(role.getFollowerInfo().getLeaderInfo().getId().getId()).toString();
    String candidate = RaftPeerId.valueOf(request.getServerRequest().getRequestorId()).toString();
    long leaseMs = RaftServerConfigKeys.Rpc.timeoutMin(current.getProperties()).toLong(TimeUnit.MILLISECONDS);
    long sinceLeaderMs = role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
    TermIndex last = division.getRaftLog().getLastEntryTermIndex();
    TermIndexProto mine = last == null ? null : last.toProto();
    long candidateWaitsMs = RaftServerConfigKeys.Rpc.requestTimeout(current.getProperties()).toLong(TimeUnit.MILLISECONDS);
    long hold = holdMs(true, leader, candidate, sinceLeaderMs, leaseMs, candidateWaitsMs, mine,
        request.getCandidateLastEntry());
    if (hold > 0) {
      long now = System.nanoTime();
      long logged = lastLogNanos.get();
      if (now - logged >= LOG_EVERY_NANOS && lastLogNanos.compareAndSet(logged, now)) {
        LOG.info("node {}: holding {}'s pre-vote {} ms: this node heard from its leader {} {} ms ago, under "
            + "election-timeout-min ({} ms), and would refuse the vote for that alone; it answers when that time "
            + "is up (at most one such line per 10 s)", selfId, candidate, hold, leader, sinceLeaderMs, leaseMs);
      }
    }
    return hold;
  }

  /** A vote call whose request waits, when held, before Ratis sees it; the other events keep their order. */
  private final class Holding<Q> extends SimpleForwardingServerCallListener<Q> {
    private final Runnable closeCall;
    private RaftGroupId group;
    private boolean holding;
    private boolean halfClosed;
    private boolean cancelled;

    Holding(ServerCall.Listener<Q> delegate, Runnable closeCall) {
      super(delegate);
      this.closeCall = closeCall;
    }

    @Override
    public synchronized void onMessage(Q message) {
      long hold = 0;
      if (message instanceof RequestVoteRequestProto request) {
        try {
          hold = holdMs(request);
          group = RaftGroupId.valueOf(request.getServerRequest().getRaftGroupId().getId());
        } catch (RuntimeException e) {
          LOG.debug("node {}: could not tell whether to hold a pre-vote: {}", selfId, e.toString());
          hold = 0;
        }
      }
      if (hold <= 0 || held.incrementAndGet() > MAX_HELD) {
        if (hold > 0) {
          held.decrementAndGet();
        }
        super.onMessage(message);
        return;
      }
      holding = true;
      holds.incrementAndGet();
      heldByGroup.computeIfAbsent(group, g -> new AtomicInteger()).incrementAndGet();
      try {
        timer.schedule(() -> release(message), hold, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        release(message);
      }
    }

    private synchronized void release(Q message) {
      held.decrementAndGet();
      holding = false;
      try {
        if (cancelled) {
          return;
        }
        super.onMessage(message);
        if (halfClosed) {
          super.onHalfClose();
        }
      } catch (RuntimeException e) {
        // gRPC would have closed the call had this thrown on its own thread: do so, or the candidate waits it out.
        LOG.warn("node {}: answering a held pre-vote failed: {}", selfId, e.toString());
        cancelled = true;
        closeCall.run();
      } finally {
        // After Ratis decided (a grant restarted this node's silence): this group's timer may look again.
        heldByGroup.get(group).decrementAndGet();
      }
    }

    @Override
    public synchronized void onHalfClose() {
      if (holding) {
        halfClosed = true;
      } else {
        super.onHalfClose();
      }
    }

    @Override
    public synchronized void onCancel() {
      cancelled = true;
      super.onCancel();
    }

    @Override
    public synchronized void onComplete() {
      super.onComplete();
    }

    @Override
    public synchronized void onReady() {
      super.onReady();
    }
  }
}
