package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.node.NodeHealth;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node that cannot apply does not lead (DESIGN.md, invariant 11). A leader whose Redis is
 * unreachable, behind or diverged, or that has applied nothing for {@code bound}, hands leadership to
 * a voter that reports itself ready, by name: a plain step-down lets the node that cannot serve win
 * the next election again (its log is as long as anyone's), and then it can neither take writes nor
 * be repaired from another node's state. A node that needs repair hands over at once; a node that is
 * merely unready (a Redis restart) gets {@code bound} first, so a blip does not move leadership.
 *
 * <p>If it is elected again while it still cannot serve, it hands over again. It says what is wrong
 * and what it does once per state change (starting to hand over in a stint as leader, finding no
 * healthy voter, serving again); failed hand-overs are retried with backoff and logged at most once a
 * minute while they fail the same way.
 *
 * <p>Why it does not hold back its own campaign with Ratis' election pause
 * ({@code LeaderElectionManagementApi.pause()}): a paused follower whose election timer fires still
 * becomes a candidate, starts no election, and {@code resume()} only clears the flag, so it stays a
 * candidate that never campaigns until a leader's append reaches it; if the only other voter needs
 * its vote, the group has no leader.
 */
public final class LeadershipHealthGuard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeadershipHealthGuard.class);
  private static final long TICK_MS = 200;
  private static final long RETRY_MIN_MS = 500;
  private static final long RETRY_MAX_MS = 10_000;
  private static final long REPEAT_LOG_MS = 60_000;

  /** What the guard needs of the Raft side. */
  public interface Leadership {
    boolean isLeader();

    /** The other voters this leader heard from within the election timeout. */
    Set<String> reachableVoters();

    /** Hands leadership to {@code nodeId}; throws if it did not happen within {@code timeout}. */
    void transferTo(String nodeId, Duration timeout);
  }

  /** How another node reports itself: whether it serves, and what it applied. */
  public record PeerState(boolean ready, long appliedIndex) {}

  /** Asks another node how it is; empty if it did not answer. */
  public interface PeerProbe {
    Optional<PeerState> ask(String nodeId);
  }

  private final String selfId;
  private final Leadership leadership;
  private final ServingProblem problems;
  private final PeerProbe peers;
  private final Duration bound;
  private final Duration transferTimeout;
  private final LongSupplier nanoClock;
  private final ScheduledExecutorService thread;

  // State of the guard thread only.
  private boolean announcedThisStint;
  private boolean announcedNoTarget;
  private boolean saidAnything;
  private long nextAttemptNanos;
  private long retryMs = RETRY_MIN_MS;
  private String lastFailure;
  private long lastFailureLoggedNanos;

  LeadershipHealthGuard(String selfId, Leadership leadership, ServingProblem problems, PeerProbe peers,
      Duration bound) {
    this(selfId, leadership, problems, peers, bound, System::nanoTime);
  }

  /** @param nanoClock System.nanoTime(), or a test's clock (the same one as {@code problems}') */
  LeadershipHealthGuard(String selfId, Leadership leadership, ServingProblem problems, PeerProbe peers,
      Duration bound, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.nextAttemptNanos = nanoClock.getAsLong();
    this.selfId = selfId;
    this.leadership = leadership;
    this.problems = problems;
    this.peers = peers;
    this.bound = bound;
    this.transferTimeout = Duration.ofMillis(Math.max(3_000, 2 * bound.toMillis()));
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-leadership-guard-" + selfId);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * The guard of a node's Raft server: problems from its health and its state machine's apply
   * progress, leadership through its membership manager (available once the server started).
   */
  public static LeadershipHealthGuard of(String selfId, RaftNode raft, NodeHealth health, PeerProbe peers,
      Duration bound) {
    RedraftStateMachine stateMachine = raft.stateMachine();
    ServingProblem problems = new ServingProblem(health, stateMachine::appliedIndex, stateMachine::handedToApply);
    return new LeadershipHealthGuard(selfId, new RaftLeadership(raft), problems, peers, bound);
  }

  public void start() {
    thread.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Checks now (e.g. the node just found it diverged) and waits until this node no longer leads, or
   * {@code timeout} passed. Returns whether it still leads.
   */
  public boolean awaitHandOver(Duration timeout) throws InterruptedException {
    thread.execute(this::tick);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (leadership.isLeader() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return leadership.isLeader();
  }

  private void tick() {
    try {
      check();
    } catch (RuntimeException e) {
      logFailure("checking its leadership failed (" + e + ")");
    }
  }

  /** One look: hands leadership over if this node leads and cannot serve (the guard's thread; tests). */
  void check() {
    ServingProblem.Problem problem = problems.sample();
    if (problem == null) {
      if (saidAnything) {
        LOG.info("node {}: can serve again; it may lead again", selfId);
      }
      reset();
      return;
    }
    if (!leadership.isLeader()) {
      announcedThisStint = false;
      return;
    }
    long now = nanoClock.getAsLong();
    long cannotServeMs = TimeUnit.NANOSECONDS.toMillis(now - problem.sinceNanos());
    if ((!problem.urgent() && cannotServeMs < bound.toMillis()) || now - nextAttemptNanos < 0) {
      return;
    }
    String target = healthiestOtherVoter();
    if (target == null) {
      if (!announcedNoTarget) {
        LOG.warn("node {}: leads but cannot serve ({}) and no other voter is ready to take over; it keeps leading and "
            + "asks the voters again with backoff up to every {} ms", selfId, problem.reason(), RETRY_MAX_MS);
        announcedNoTarget = true;
        saidAnything = true;
      }
      backOff(now);
      return;
    }
    if (!announcedThisStint) {
      LOG.warn("node {}: leads but cannot serve for {} ms: {}; handing leadership to {}, a voter that is ready, so "
          + "writes go on without it", selfId, cannotServeMs, problem.reason(), target);
      announcedThisStint = true;
      saidAnything = true;
    }
    try {
      leadership.transferTo(target, transferTimeout);
      LOG.info("node {}: handed leadership to {}", selfId, target);
      announcedNoTarget = false;
      retryMs = RETRY_MIN_MS;
      nextAttemptNanos = now;
    } catch (RuntimeException e) {
      logFailure("the hand-over of leadership to " + target + " failed (" + e.getMessage() + ")");
      backOff(now);
    }
  }

  /** A voter other than this node that answered ready, the one that applied most; null if none. */
  private String healthiestOtherVoter() {
    String best = null;
    long bestApplied = -1;
    for (String id : leadership.reachableVoters()) {
      if (id.equals(selfId)) {
        continue;
      }
      Optional<PeerState> state = peers.ask(id);
      if (state.isPresent() && state.get().ready() && state.get().appliedIndex() > bestApplied) {
        best = id;
        bestApplied = state.get().appliedIndex();
      }
    }
    return best;
  }

  private void backOff(long now) {
    nextAttemptNanos = now + TimeUnit.MILLISECONDS.toNanos(retryMs);
    retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
  }

  /** WARN for a new failure, then at most once a minute while the same one repeats. */
  private void logFailure(String failure) {
    long now = nanoClock.getAsLong();
    if (!failure.equals(lastFailure) || now - lastFailureLoggedNanos > TimeUnit.MILLISECONDS.toNanos(REPEAT_LOG_MS)) {
      LOG.warn("node {}: {}; retrying with backoff up to every {} ms (logged again at most once a minute while it "
          + "repeats)", selfId, failure, RETRY_MAX_MS);
      lastFailure = failure;
      lastFailureLoggedNanos = now;
      saidAnything = true;
    } else {
      LOG.debug("node {}: {} again", selfId, failure);
    }
  }

  private void reset() {
    announcedThisStint = false;
    announcedNoTarget = false;
    saidAnything = false;
    nextAttemptNanos = nanoClock.getAsLong();
    retryMs = RETRY_MIN_MS;
    lastFailure = null;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
