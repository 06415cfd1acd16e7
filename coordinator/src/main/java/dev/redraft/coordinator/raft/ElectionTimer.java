package dev.redraft.coordinator.raft;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raft's election timer, kept to the configured bound. Ratis 3.3.0's follower timer sleeps one whole
 * random election timeout at a time and only then checks whether the leader was silent for that long;
 * a leader that dies during a sleep is noticed only at the end of the next one, between
 * election-timeout-min and 2 x election-timeout-max after its last message (a fault run: the new
 * leader came 3.1 s after the old one was killed, with a 2 s maximum). This timer looks every
 * {@value #TICK_MS} ms and starts the very election Ratis' timer would (with its pre-vote, so a node
 * cut off from the others cannot raise the term) once the leader has been silent for a timeout drawn
 * at random in [min, max] for each silence: a follower campaigns within election-timeout-max of the
 * leader's last message. Ratis' own timer stays as it is; whichever fires first starts the election.
 *
 * <p>It leaves alone what Ratis' timer also leaves alone: a follower that is still handling an append
 * (e.g. a snapshot install), a learner, a joining node not yet in the configuration, and a node that
 * led within Ratis' step-down wait and knows no leader since (a leader that lost its majority, or
 * stepped down: Ratis' timer holds it back, and the others, which still name it, would grant its
 * pre-vote; see {@link RaftElectionStarter#silence}).
 *
 * <p>A silence that this node caused by stopping itself (its JVM or machine paused: two of the timer's
 * looks, 20 ms apart when it runs, came election-timeout-min or more apart) is not the leader's: the timeout counts from the
 * moment it runs again. Without this, a leader frozen for 8 s campaigned the moment it woke (its
 * leadership lost, every silence long), disrupting the leader the others had elected meanwhile (fault
 * runs: a second leadership change, and writes of that group held ~6 s more). Ratis' own timer knows
 * nothing of pauses and may still start such an election, but only at the end of its own timeout.
 *
 * <p>Each look also ends the wait of an election round that a newer term stopped ({@link
 * StoppedElectionRound}), so that this node answers the newer term's candidate or leader at once.
 */
public final class ElectionTimer implements AutoCloseable, LeaderStreamLoss.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ElectionTimer.class);
  static final long TICK_MS = 20;
  /** One INFO line per this long at most while elections keep being started (a long outage). */
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  /**
   * A leader message moves the follower's last-message time; smaller moves (ms rounding, a delayed
   * look) are the same silence, so its drawn timeout stays.
   */
  private static final long SAME_SILENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /**
   * The spacing of early campaigns after a behind candidate was refused, by rank: see {@link
   * #behindCandidateRefused}. Longer than an election round on a loaded machine (tens of ms).
   */
  static final long EARLY_RANK_STEP_MS = 150;
  /**
   * After a leader's stream broke off, the first follower campaigns this long past election-timeout-min:
   * the others count their lease from the leader's last message to them, which may have come a little later.
   */
  static final long LOST_LEADER_LEASE_MARGIN_MS = 50;

  /** What the timer needs of this node's Raft state. */
  public interface Follower {
    boolean isLeader();

    /** The follower's silence now, or null if it is not a voting follower (candidate, learner, joining). */
    Silence silence();

    /**
     * Starts a (pre-vote) election if this node is still a voting follower, has nothing outstanding and
     * has heard nothing from a leader for at least {@code timeoutMs}; returns whether it did.
     */
    boolean startElection(long timeoutMs);

    /**
     * Ends the vote wait of this node's election round if Ratis already stopped it (a newer term came):
     * see {@link StoppedElectionRound}. Called on every look.
     */
    void endStoppedElectionRound();

    /**
     * Whether this node holds another candidate's pre-vote until its leader's lease ends ({@link LeasedPreVotes}):
     * it does not campaign meanwhile.
     */
    default boolean holdsAPreVote() {
      return false;
    }

    /**
     * This node's place (0, 1, ...) among the voters that may take over once {@code candidate}, whose log
     * is behind, was refused: the voters other than the candidate and the last known leader, by id.
     */
    int rankAfterRefusing(String candidate);

    /** The leader this node follows now, or null. */
    default String leaderId() {
      return null;
    }
  }

  /** How long ago the follower last heard from a leader, and how many leader requests it is handling. */
  public record Silence(long sinceLastMessageMs, int outstandingRequests) {}

  private final String selfId;
  private final Follower follower;
  private final long minMs;
  private final long maxMs;
  private final LongSupplier clock;
  private final LongUnaryOperator randomBelow;
  private final ScheduledExecutorService thread;
  /** The current silence: when the last leader message came (nanos), its drawn timeout, whether acted on. */
  private long lastMessageNanos = Long.MIN_VALUE;
  private long timeoutMs;
  private boolean started;
  /** Whether this silence's campaign held back by a request still being handled was logged. */
  private boolean heldBackLogged;
  private final long pauseNanos;
  /** When this timer last looked, and when this node last came back from a pause (nanos; MIN_VALUE: never). */
  private long lastTickNanos = Long.MIN_VALUE;
  private long resumedNanos = Long.MIN_VALUE;
  /** A candidate whose log is behind this node's, refused ({@link BehindCandidateVotes}), and when. */
  private record Refusal(String candidate, long atNanos) {}

  /** The last such refusal not yet looked at, or null. */
  private final AtomicReference<Refusal> refusedBehindCandidate = new AtomicReference<>();
  /**
   * The leader whose append stream to this node ended ({@link LeaderStreamLoss}) with no append received
   * since, or null. Kept across looks: Ratis moves the last-message time when an append in flight at the
   * loss finishes (after its disk write), which must not undo the loss.
   */
  private final AtomicReference<String> lostLeader = new AtomicReference<>();
  /** Whether a behind candidate's refusal set this silence's timeout (a loss then only makes it earlier). */
  private boolean refusalShortened;
  private long lastEarlyLogNanos = Long.MIN_VALUE;
  private long lastLossLogNanos = Long.MIN_VALUE;
  private volatile long electionsStarted;
  /** Elections started since the last log line, and when that was: one line per 10 s in a long outage. */
  private long unlogged;
  private long lastLogNanos;
  private boolean loggedEver;

  ElectionTimer(String selfId, Follower follower, Duration min, Duration max, LongSupplier clock,
      LongUnaryOperator randomBelow) {
    this(selfId, follower, min, max, clock, randomBelow, Long.MAX_VALUE);
  }

  /** @param pauseNanos looks this far apart mean this node was paused (Long.MAX_VALUE: never assumed) */
  ElectionTimer(String selfId, Follower follower, Duration min, Duration max, LongSupplier clock,
      LongUnaryOperator randomBelow, long pauseNanos) {
    this.pauseNanos = pauseNanos;
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException("election timeout max " + max + " is below min " + min);
    }
    this.selfId = selfId;
    this.follower = follower;
    this.minMs = min.toMillis();
    this.maxMs = max.toMillis();
    this.clock = clock;
    this.randomBelow = randomBelow;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-election-timer-" + selfId);
      t.setDaemon(true);
      return t;
    });
  }

  /** The timer of a node's Raft server; not started. */
  static ElectionTimer of(String selfId, Follower follower, Duration min, Duration max) {
    return new ElectionTimer(selfId, follower, min, max, System::nanoTime,
        bound -> ThreadLocalRandom.current().nextLong(bound), min.toNanos());
  }

  void start() {
    thread.scheduleWithFixedDelay(this::tickSafely, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      // Ratis' own timer still runs; the next tick looks again.
      LOG.debug("node {}: election timer check failed: {}", selfId, e.toString());
    }
  }

  /** One look at the follower's silence; starts an election when it has lasted its timeout. */
  void tick() {
    follower.endStoppedElectionRound();
    // Taken whatever the role: a refusal is news of this silence only.
    Refusal refusal = refusedBehindCandidate.getAndSet(null);
    String lost = lostLeader.get();
    Silence silence = follower.isLeader() ? null : follower.silence();
    // Read after Ratis' view, so that a delay in getting it does not look like a new message.
    long now = clock.getAsLong();
    if (lastTickNanos != Long.MIN_VALUE && now - lastTickNanos > pauseNanos) {
      resumedNanos = now;
      LOG.info("node {}: this node was paused for about {} ms (its election timer looked late): the leader's silence"
          + " counts from now", selfId, TimeUnit.NANOSECONDS.toMillis(now - lastTickNanos));
    }
    lastTickNanos = now;
    if (silence == null) {
      lastMessageNanos = Long.MIN_VALUE;
      if (lost != null) {
        lostLeader.compareAndSet(lost, null); // leading, campaigning or no voter: that loss is over
      }
      return;
    }
    if (resumedNanos != Long.MIN_VALUE && now - resumedNanos < TimeUnit.MILLISECONDS.toNanos(silence.sinceLastMessageMs())) {
      // Heard nothing since before the pause: the silence this timer counts starts at the resume.
      silence = new Silence(TimeUnit.NANOSECONDS.toMillis(now - resumedNanos), silence.outstandingRequests());
    }
    long lastMessage = now - TimeUnit.MILLISECONDS.toNanos(silence.sinceLastMessageMs());
    if (lastMessageNanos == Long.MIN_VALUE || Math.abs(lastMessage - lastMessageNanos) > SAME_SILENCE_NANOS) {
      lastMessageNanos = lastMessage;
      timeoutMs = minMs + randomBelow.applyAsLong(maxMs - minMs + 1);
      started = false;
      heldBackLogged = false;
      refusalShortened = false;
    }
    // A leader message since the refusal: the leader was not gone after all.
    if (refusal != null && !started && refusal.atNanos() >= lastMessage) {
      campaignEarly(silence.sinceLastMessageMs(), follower.rankAfterRefusing(refusal.candidate()), now);
    }
    if (lost != null && !started) {
      campaignAfterLoss(lost, silence.sinceLastMessageMs(), now);
    }
    if (started || silence.sinceLastMessageMs() < timeoutMs) {
      return;
    }
    if (follower.holdsAPreVote()) {
      return; // looked at again next tick: the hold ends with the lease, and a grant starts a new silence
    }
    if (silence.outstandingRequests() > 0) {
      if (!heldBackLogged) {
        heldBackLogged = true;
        LOG.info("node {}: no message from a leader for {} ms (this silence's election timeout: {} ms), but {} append"
            + " request(s) of the leader are still being handled: not campaigning until they are done", selfId,
            silence.sinceLastMessageMs(), timeoutMs, silence.outstandingRequests());
      }
      return;
    }
    started = true;
    if (follower.startElection(timeoutMs)) {
      electionsStarted++;
      unlogged++;
      if (!loggedEver || now - lastLogNanos >= LOG_EVERY_NANOS) {
        LOG.info("node {}: no message from a leader for {} ms (this silence's election timeout: {} ms): starting "
            + "an election{}", selfId, silence.sinceLastMessageMs(), timeoutMs,
            unlogged > 1 ? " (" + unlogged + " started since the last such line)" : "");
        unlogged = 0;
        lastLogNanos = now;
        loggedEver = true;
      }
    }
  }

  /**
   * This node just refused a (pre-)vote to {@code candidate}, whose log is behind its own: a node that lost
   * the leader, but that cannot win. This silence's timeout becomes the low end of the range it is drawn
   * from (election-timeout-min, or now if the silence is already longer), plus {@value #EARLY_RANK_STEP_MS}
   * ms per place of this node's rank among the voters that may take over: in a cluster of three there is
   * one and it campaigns at once, in a larger one the up-to-date followers, told at the same moment, do
   * not all campaign at once (each would vote for itself: a split vote, another round). Still a timeout
   * the timer could have drawn (capped at election-timeout-max): a leader that is alive resets it with its
   * next heartbeat.
   */
  void behindCandidateRefused(String candidate) {
    if (!noteBehindCandidateRefused(candidate)) {
      return; // a look is already on its way: one per refusal would queue without bound under a flood of votes
    }
    try {
      thread.execute(this::tickSafely);
    } catch (RejectedExecutionException closed) {
      // The node is stopping.
    }
  }

  /**
   * The refusal, for the next look ({@link #behindCandidateRefused} also looks at once); returns whether
   * none was waiting.
   */
  boolean noteBehindCandidateRefused(String candidate) {
    return refusedBehindCandidate.getAndSet(new Refusal(candidate, clock.getAsLong())) == null;
  }

  /**
   * The append stream of {@code leader} to this node ended: a leader whose process died closes its
   * connections. The first of the voters other than that leader, by id, campaigns at election-timeout-min
   * plus {@value #LOST_LEADER_LEASE_MARGIN_MS} ms of silence, earlier or later than its drawn timeout; the
   * others keep theirs, but not before {@value #EARLY_RANK_STEP_MS} ms per place of their rank after that
   * (all followers are told at once: one after another, they do not split the vote; Ratis' own timer may
   * still fire at its own time). Never later than a behind candidate's refusal made it. The margin is for
   * the other followers' leases, counted from the leader's last message to each: a follower whose lease is
   * not over refuses the first one's pre-vote, and the others campaign at their own timeouts as before
   * (one that refuses a behind first at once). Ignored if {@code leader} is not the leader this node
   * follows; over once an append arrives (a live leader, or a new one) or this node leads, campaigns or
   * learns of a newer term. Still a timeout the timer could have drawn (capped at election-timeout-max).
   * The rank is {@link Follower#rankAfterRefusing} with the lost leader as the candidate: the voters
   * other than that leader, by id.
   */
  @Override
  public void streamEnded(String leader) {
    if (!noteLeaderStreamLost(leader)) {
      return; // not the leader this node follows, or already noted
    }
    try {
      thread.execute(this::tickSafely);
    } catch (RejectedExecutionException closed) {
      // The node is stopping.
    }
  }

  /**
   * The loss, for the looks until an append arrives ({@link #streamEnded} also looks at once); returns
   * whether it was noted (the stream of a node this one does not follow now, e.g. an earlier leader's, is not).
   */
  boolean noteLeaderStreamLost(String leader) {
    if (!leader.equals(follower.leaderId())) {
      return false;
    }
    return !leader.equals(lostLeader.getAndSet(leader));
  }

  /** An append came in (from any leader of this group): a loss noted before it is over. */
  @Override
  public void appendReceived() {
    if (lostLeader.get() != null) {
      lostLeader.set(null);
    }
  }

  private void campaignAfterLoss(String leader, long silenceMs, long now) {
    if (!leader.equals(follower.leaderId())) {
      lostLeader.compareAndSet(leader, null); // a newer term came: that loss is over
      return;
    }
    int rank = follower.rankAfterRefusing(leader);
    if (rank < 0) {
      return;
    }
    long turn = Math.min(maxMs, minMs + LOST_LEADER_LEASE_MARGIN_MS + rank * EARLY_RANK_STEP_MS);
    // The first in rank campaigns at its turn; the others keep their own timeouts, but not before their
    // turn: one that drew a timeout near the minimum would campaign with the first and split the vote (both
    // pre-votes pass once the lease is over), and nodes may have other minimums than the first's.
    long early = rank == 0 ? turn : Math.max(timeoutMs, turn);
    if (early == timeoutMs || (refusalShortened && early > timeoutMs)) {
      return;
    }
    long drawn = timeoutMs;
    timeoutMs = early;
    if (lastLossLogNanos == Long.MIN_VALUE || now - lastLossLogNanos >= LOG_EVERY_NANOS) {
      lastLossLogNanos = now;
      LOG.info("node {}: the append stream of leader {} ended after {} ms without a message from it: campaigning at"
          + " {} ms of silence instead of {} ms unless it speaks again (at most one such line per 10 s)",
          selfId, leader, silenceMs, early, drawn);
    }
  }

  private void campaignEarly(long silenceMs, int rank, long now) {
    // A leader heard within half the minimum is alive (it sends more often than that): the refused node
    // lost it alone, e.g. cut off from it.
    if (rank < 0 || silenceMs < minMs / 2) {
      return;
    }
    long early = Math.min(maxMs, Math.max(minMs, silenceMs) + rank * EARLY_RANK_STEP_MS);
    if (early >= timeoutMs) {
      return;
    }
    long drawn = timeoutMs;
    timeoutMs = early;
    refusalShortened = true;
    // Below the minimum the leader may well be alive (a refusal of a new term's candidate also starts a
    // new silence): only a silence past it is news worth a line.
    if (silenceMs >= minMs && (lastEarlyLogNanos == Long.MIN_VALUE || now - lastEarlyLogNanos >= LOG_EVERY_NANOS)) {
      lastEarlyLogNanos = now;
      LOG.info("node {}: refused a vote to a candidate whose log is behind this node's, after {} ms without a message"
          + " from a leader: campaigning at {} ms of silence instead of {} ms (at most one such line per 10 s)",
          selfId, silenceMs, early, drawn);
    }
  }

  /** Elections this timer started (not counting those Ratis' own timer started). */
  long electionsStarted() {
    return electionsStarted;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
