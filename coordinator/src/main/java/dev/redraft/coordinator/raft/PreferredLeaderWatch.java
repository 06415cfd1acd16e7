package dev.redraft.coordinator.raft;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads a sharded cluster's group leaders over the nodes: each group has a preferred leader
 * ({@link RaftNode#preferredLeader}); a leader that is not the preferred one hands leadership to it
 * once that node reports itself ready and has applied about as much as this one. A preferred node
 * that cannot serve is never handed leadership (so this never fights {@link LeadershipHealthGuard},
 * which moves leadership away from a node that cannot apply), and a failed hand-over is retried with
 * a long backoff (the group takes no writes during a transfer). Why not Ratis' peer priorities: a leader yields to a higher-priority follower as soon as
 * its log is caught up, whatever the state of its Redis, and the guard would move it away again.
 */
public final class PreferredLeaderWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PreferredLeaderWatch.class);
  private static final long TICK_MS = 1_000;
  /**
   * After a failed hand-over. Ratis' leader refuses writes while a transfer is under way, so each
   * failed attempt stalled the group's writes for its whole timeout (fault runs: a target that did not
   * catch up in time, tried every few seconds, held writes for 10 s): retry seldom.
   */
  private static final long RETRY_MIN_MS = 10_000;
  private static final long RETRY_MAX_MS = 300_000;
  /** "Caught up": the preferred node applied at least this close to this leader's applied index. */
  private static final long MAX_APPLY_GAP = 1_000;

  private final String selfId;
  /** This node and group, for log lines. */
  private final String who;
  private final String preferred;
  private final LeadershipHealthGuard.Leadership leadership;
  private final LeadershipHealthGuard.PeerProbe peers;
  private final LongSupplier appliedIndex;
  private final Duration transferTimeout;
  private final ScheduledExecutorService thread;
  private long retryMs = RETRY_MIN_MS;
  private long nextAttemptMs;

  PreferredLeaderWatch(String selfId, String preferred, LeadershipHealthGuard.Leadership leadership,
      LeadershipHealthGuard.PeerProbe peers, LongSupplier appliedIndex, Duration transferTimeout) {
    this(selfId, -1, preferred, leadership, peers, appliedIndex, transferTimeout);
  }

  /** @param group the group's index, for log lines (-1: not named) */
  PreferredLeaderWatch(String selfId, int group, String preferred, LeadershipHealthGuard.Leadership leadership,
      LeadershipHealthGuard.PeerProbe peers, LongSupplier appliedIndex, Duration transferTimeout) {
    this.selfId = selfId;
    this.who = group < 0 ? selfId : selfId + " (group " + group + ")";
    this.preferred = preferred;
    this.leadership = leadership;
    this.peers = peers;
    this.appliedIndex = appliedIndex;
    this.transferTimeout = transferTimeout;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-preferred-leader-" + selfId + (group < 0 ? "" : "-g" + group));
      t.setDaemon(true);
      return t;
    });
  }

  /** The watch of a node's replica of a group; empty if the group has no preferred leader (unsharded). */
  public static Optional<PreferredLeaderWatch> of(String selfId, RaftNode raft, LeadershipHealthGuard.PeerProbe peers,
      Duration electionTimeoutMax) {
    String preferred = raft.preferredLeader();
    if (preferred == null) {
      return Optional.empty();
    }
    // Short: the group takes no writes while a transfer is under way, and a caught-up node takes over in
    // well under an election timeout.
    return Optional.of(new PreferredLeaderWatch(selfId, raft.groupIndex(), preferred, new RaftLeadership(raft), peers,
        raft.stateMachine()::appliedIndex, Duration.ofMillis(Math.max(1_000, electionTimeoutMax.toMillis() / 2))));
  }

  public void start() {
    thread.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      check(System.nanoTime() / 1_000_000);
    } catch (RuntimeException e) {
      LOG.debug("node {}: checking the preferred leader failed: {}", who, e.toString());
    }
  }

  /** One look at time {@code nowMs}: hands leadership to the preferred node if it should (tests call it). */
  void check(long nowMs) {
    if (preferred.equals(selfId) || !leadership.isLeader() || nowMs < nextAttemptMs) {
      return;
    }
    if (!leadership.reachableVoters().contains(preferred)) {
      return;
    }
    Optional<LeadershipHealthGuard.PeerState> state = peers.ask(preferred);
    if (state.isEmpty() || !state.get().ready() || state.get().appliedIndex() + MAX_APPLY_GAP < appliedIndex.getAsLong()) {
      return;
    }
    try {
      leadership.transferTo(preferred, transferTimeout);
      LOG.info("node {}: handed leadership of this group to {}, its preferred leader (leaders spread over the nodes)",
          who, preferred);
      retryMs = RETRY_MIN_MS;
    } catch (RuntimeException e) {
      LOG.info("node {}: handing leadership to {}, this group's preferred leader, failed ({}); retrying in {} ms",
          who, preferred, e.getMessage(), retryMs);
      nextAttemptMs = nowMs + retryMs;
      retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
