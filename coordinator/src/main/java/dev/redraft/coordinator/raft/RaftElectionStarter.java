package dev.redraft.coordinator.raft;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.FollowerInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ElectionTimer}'s view of a Ratis division: the follower's silence as Ratis' role info reports
 * it, and the election start Ratis' own follower timer makes. Ratis 3.3.0 has no public call that
 * starts a (pre-vote) election on a follower, so this calls the package-private
 * {@code RaftServerImpl.changeToCandidate(false)} by reflection, holding the division's lock as Ratis'
 * {@code FollowerState} does and checking first what it checks: a running voting follower, no append in
 * progress, silent for the timeout. (It does not skip a check after a long JVM pause as Ratis' timer
 * does: after a pause it may campaign at once, and its pre-vote fails if the others hear from a leader.)
 * If a Ratis upgrade removes that method, {@link #available()} is false, the node logs so once, and
 * Ratis' timer alone remains ({@code ElectionTimerTest} fails first).
 */
final class RaftElectionStarter implements ElectionTimer.Follower {
  private static final Logger LOG = LoggerFactory.getLogger(RaftElectionStarter.class);
  private static final Method CHANGE_TO_CANDIDATE = changeToCandidate();

  private final Supplier<RaftServer.Division> division;
  private final StoppedElectionRound stoppedRound;
  private final BooleanSupplier holdsAPreVote;
  /** The last leader this node knew of (its id), or null: see {@link #rankAfterRefusing}. */
  private volatile String lastLeader;
  /** When this node was last seen leading (System.nanoTime()), or MIN_VALUE: see {@link #ledRecently}. */
  private volatile long lastLedNanos = Long.MIN_VALUE;

  RaftElectionStarter(String node, Supplier<RaftServer.Division> division) {
    this(node, division, () -> false);
  }

  /** @param holdsAPreVote whether this node holds a pre-vote of the group now ({@link LeasedPreVotes#holding}) */
  RaftElectionStarter(String node, Supplier<RaftServer.Division> division, BooleanSupplier holdsAPreVote) {
    this.division = division;
    this.stoppedRound = new StoppedElectionRound(node);
    this.holdsAPreVote = holdsAPreVote;
  }

  @Override
  public boolean holdsAPreVote() {
    return holdsAPreVote.getAsBoolean();
  }

  static boolean available() {
    return CHANGE_TO_CANDIDATE != null;
  }

  private static Method changeToCandidate() {
    try {
      Class<?> impl = Class.forName("org.apache.ratis.server.impl.RaftServerImpl");
      Method method = impl.getDeclaredMethod("changeToCandidate", boolean.class);
      method.setAccessible(true);
      return method;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Ratis has no RaftServerImpl.changeToCandidate(boolean) ({}): elections start on Ratis' own timer "
          + "only, up to 2 x election-timeout-max after a leader fails", e.toString());
      return null;
    }
  }

  @Override
  public boolean isLeader() {
    RaftServer.Division d = division.get();
    boolean leads = d != null && d.getInfo().isLeader();
    if (leads) {
      lastLedNanos = System.nanoTime(); // every look of the timer asks this first
    }
    return leads;
  }

  @Override
  public ElectionTimer.Silence silence() {
    RaftServer.Division d = division.get();
    if (d == null) {
      return null;
    }
    RaftPeerId leader = d.getInfo().getLeaderId();
    if (leader != null) {
      lastLeader = leader.toString();
    }
    return silenceOf(d, ledRecently(d));
  }

  /**
   * Whether this node led within Ratis' leader step-down wait: then a silence without a known leader is
   * left to Ratis' own timer, which holds back a leader that stepped down or lost its majority for that
   * long. Ours would not (the reason is Ratis' own), and the others, still naming this node as their
   * leader, would grant its pre-vote: it could take back the leadership it just gave up.
   */
  private boolean ledRecently(RaftServer.Division d) {
    long led = lastLedNanos;
    if (led == Long.MIN_VALUE) {
      return false;
    }
    long waitNanos = RaftServerConfigKeys.LeaderElection.leaderStepDownWaitTime(d.getRaftServer().getProperties())
        .toLong(TimeUnit.NANOSECONDS);
    return System.nanoTime() - led < waitNanos;
  }

  /** {@code leaderlessHeldBack}: a follower that knows no leader has no silence (see {@link #ledRecently}). */
  private static ElectionTimer.Silence silenceOf(RaftServer.Division d, boolean leaderlessHeldBack) {
    if (!d.getInfo().isAlive() || !d.getInfo().isFollower() || !isVoter(d)) {
      return null;
    }
    RoleInfoProto role = d.getInfo().getRoleInfoProto();
    if (!role.hasFollowerInfo()) {
      return null;
    }
    FollowerInfoProto follower = role.getFollowerInfo();
    // Without a leader's id Ratis reports 0: see LeaderlessSilence.
    boolean leaderKnown = follower.getLeaderInfo().hasId();
    if (!leaderKnown && leaderlessHeldBack) {
      return null;
    }
    long sinceLastMessageMs = leaderKnown
        ? follower.getLeaderInfo().getLastRpcElapsedTimeMs() : LeaderlessSilence.sinceLastMessageMs(d);
    return sinceLastMessageMs < 0 ? null : new ElectionTimer.Silence(sinceLastMessageMs, follower.getOutstandingOp());
  }

  private static boolean isVoter(RaftServer.Division d) {
    return d.getRaftConf().getCurrentPeers().stream().anyMatch(peer -> peer.getId().equals(d.getId()));
  }

  @Override
  public String leaderId() {
    RaftServer.Division d = division.get();
    RaftPeerId leader = d == null ? null : d.getInfo().getLeaderId();
    return leader == null ? null : leader.toString();
  }

  /** Election rounds that {@link StoppedElectionRound} ended. */
  long stoppedRoundsEnded() {
    return stoppedRound.roundsEnded();
  }

  @Override
  public void endStoppedElectionRound() {
    stoppedRound.look(division.get());
  }

  /**
   * The voters other than the candidate and the last leader this node knew, by id. Ratis forgets the leader
   * when a newer term comes or this node campaigns: the last one seen ({@link #silence}, every look) is kept,
   * so that every up-to-date follower leaves the same one out. -1 if the candidate or this node is no
   * voter (a removed node that keeps campaigning says nothing about the leader).
   */
  @Override
  public int rankAfterRefusing(String candidate) {
    RaftServer.Division d = division.get();
    if (d == null) {
      return -1;
    }
    List<String> voters = d.getRaftConf().getCurrentPeers().stream().map(peer -> peer.getId().toString()).toList();
    if (!voters.contains(candidate)) {
      return -1;
    }
    String leader = lastLeader;
    return voters.stream()
        .filter(id -> !id.equals(candidate) && !id.equals(leader))
        .sorted()
        .toList()
        .indexOf(d.getId().toString());
  }

  @Override
  public boolean startElection(long timeoutMs) {
    RaftServer.Division d = division.get();
    if (d == null || CHANGE_TO_CANDIDATE == null) {
      return false;
    }
    // Ratis' FollowerState checks and changes role under the division's lock: so does this.
    synchronized (d) {
      ElectionTimer.Silence silence = silenceOf(d, ledRecently(d));
      if (silence == null || silence.outstandingRequests() > 0 || silence.sinceLastMessageMs() < timeoutMs) {
        return false;
      }
      try {
        CHANGE_TO_CANDIDATE.invoke(d, false);
        stoppedRound.look(d); // remember the new election now: a newer term may stop it within the next 20 ms
        return true;
      } catch (IllegalAccessException e) {
        return false;
      } catch (InvocationTargetException e) {
        LOG.debug("changeToCandidate failed: {}", e.getCause().toString());
        return false;
      }
    }
  }
}
