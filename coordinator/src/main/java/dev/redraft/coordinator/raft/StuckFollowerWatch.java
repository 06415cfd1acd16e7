package dev.redraft.coordinator.raft;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the leader: a voter that answers every append but whose commit index does not move while the
 * leader's is ahead has stopped catching up (seen in fault runs: the leader believed the follower
 * held an entry it had lost, and every append got the same "INCONSISTENCY reply with nextIndex 32").
 * Such a node is half-alive: counted as a voter, holding nothing new, so one more failure leaves no
 * majority. The leader hands leadership to another voter that does catch up: a new leader starts
 * replicating to every follower from scratch (its match indices start at 0), which brings the node
 * back. It acts at most once per stuck episode and backs off per follower (1 minute doubling to 10),
 * so a follower that is merely slow (a long snapshot install) cannot keep leadership moving.
 */
public final class StuckFollowerWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StuckFollowerWatch.class);
  private static final long TICK_MS = 1_000;
  private static final long BACKOFF_MIN_MS = 60_000;
  private static final long BACKOFF_MAX_MS = 600_000;

  /** What the watch needs of the leader's Raft state. */
  public interface Leader {
    boolean isLeader();

    /** The leader's own commit index. */
    long commitIndex();

    /** Every other voter: the commit index it last reported and how long ago it last answered (ms). */
    Map<String, Progress> followers();

    /** Hands leadership to {@code nodeId}; throws if it did not happen within {@code timeout}. */
    void transferTo(String nodeId, Duration timeout);
  }

  /** A follower as the leader sees it. */
  public record Progress(long commitIndex, long lastAnswerMs) {}

  private record Watched(long commitIndex, long sinceNanos) {}

  private final String selfId;
  private final Leader leader;
  private final Duration stuckAfter;
  private final Duration answerWithin;
  private final LongSupplier clock;
  private final Map<String, Watched> watched = new HashMap<>();
  private final Map<String, Long> nextActionNanos = new HashMap<>();
  private final Map<String, Long> backoffMs = new HashMap<>();
  private final ScheduledExecutorService thread;

  /**
   * @param stuckAfter how long a follower's commit index may stay put while behind the leader's
   * @param answerWithin a follower that has not answered for this long is down, not stuck (Ratis and
   *     the election handle that)
   */
  StuckFollowerWatch(String selfId, Leader leader, Duration stuckAfter, Duration answerWithin, LongSupplier clock) {
    this.selfId = selfId;
    this.leader = leader;
    this.stuckAfter = stuckAfter;
    this.answerWithin = answerWithin;
    this.clock = clock;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-stuck-follower-" + selfId);
      t.setDaemon(true);
      return t;
    });
  }

  /** The watch of a node's Raft server: stuck after 3 election timeouts (at least 5 s). */
  public static StuckFollowerWatch of(String selfId, RaftNode raft, Duration electionTimeoutMax) {
    Duration stuckAfter = Duration.ofMillis(Math.max(5_000, 3 * electionTimeoutMax.toMillis()));
    return new StuckFollowerWatch(selfId, new RaftFollowerProgress(raft), stuckAfter, electionTimeoutMax,
        System::nanoTime);
  }

  public void start() {
    thread.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      check();
    } catch (RuntimeException e) {
      LOG.debug("node {}: checking its followers' progress failed: {}", selfId, e.toString());
    }
  }

  /** One look (the watch's thread; tests). */
  synchronized void check() {
    if (!leader.isLeader()) {
      watched.clear();
      return;
    }
    long now = clock.getAsLong();
    long leaderCommit = leader.commitIndex();
    Map<String, Progress> followers = leader.followers();
    watched.keySet().retainAll(followers.keySet());
    String stuck = null;
    for (Map.Entry<String, Progress> entry : followers.entrySet()) {
      String id = entry.getKey();
      Progress p = entry.getValue();
      if (p.lastAnswerMs() > answerWithin.toMillis() || p.commitIndex() >= leaderCommit) {
        watched.remove(id);  // down (not half-alive), or caught up
        continue;
      }
      Watched w = watched.get(id);
      if (w == null || p.commitIndex() > w.commitIndex()) {
        watched.put(id, new Watched(p.commitIndex(), now));
      } else if (now - w.sinceNanos() >= stuckAfter.toNanos() && now - nextActionNanos.getOrDefault(id, now) >= 0) {
        stuck = id;
      }
    }
    if (stuck != null) {
      handOver(stuck, followers, leaderCommit, now);
    }
  }

  private void handOver(String stuck, Map<String, Progress> followers, long leaderCommit, long now) {
    long backoff = backoffMs.getOrDefault(stuck, BACKOFF_MIN_MS);
    nextActionNanos.put(stuck, now + TimeUnit.MILLISECONDS.toNanos(backoff));
    backoffMs.put(stuck, Math.min(BACKOFF_MAX_MS, backoff * 2));
    Watched w = watched.get(stuck);
    long stuckMs = TimeUnit.NANOSECONDS.toMillis(now - w.sinceNanos());
    String target = null;
    long best = -1;
    for (Map.Entry<String, Progress> entry : followers.entrySet()) {
      Progress p = entry.getValue();
      if (!entry.getKey().equals(stuck) && p.lastAnswerMs() <= answerWithin.toMillis() && p.commitIndex() > best
          && p.commitIndex() > w.commitIndex()) {
        target = entry.getKey();
        best = p.commitIndex();
      }
    }
    if (target == null) {
      LOG.warn("node {}: follower {} answers appends but its commit index stayed at {} for {} ms while the leader's is "
          + "at {} (it stopped catching up); no other voter is caught up to take over, so it stays as it is (next "
          + "look in {} s)", selfId, stuck, w.commitIndex(), stuckMs, leaderCommit, backoff / 1000);
      return;
    }
    LOG.warn("node {}: follower {} answers appends but its commit index stayed at {} for {} ms while the leader's is "
        + "at {} (it stopped catching up); handing leadership to {}, so a new leader starts replicating to it from "
        + "scratch", selfId, stuck, w.commitIndex(), stuckMs, leaderCommit, target);
    try {
      leader.transferTo(target, Duration.ofMillis(Math.max(3_000, 2 * answerWithin.toMillis())));
      LOG.info("node {}: handed leadership to {} to bring follower {} back", selfId, target, stuck);
    } catch (RuntimeException e) {
      LOG.warn("node {}: handing leadership to {} failed ({}); next look at follower {} in {} s", selfId, target,
          e.getMessage(), stuck, backoff / 1000);
    }
    watched.remove(stuck);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
