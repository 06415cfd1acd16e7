package dev.redraft.coordinator.raft;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the wait of an election round that Ratis has already stopped. In Ratis 3.3.0 a candidate that
 * hears of a newer term (another candidate's vote request, a new leader's append) stops its election
 * and waits for it before it answers; but the election's thread only sees that once its round's wait
 * for votes returns, and a peer that never answers (cut off, frozen) holds that wait until the round's
 * timeout, up to election-timeout-max. Meanwhile the node answers neither the vote nor the append. In
 * the fault suite a re-added member, behind the others, started a pre-vote that could not pass just
 * before the leader was cut off; the other follower's election then waited ~1 s more for its vote
 * (issue 12). This interrupts the stopped election's thread while it waits for votes; past that wait, a
 * stopped election only cleans up (it logs, stops its vote requests, completes its stop), so only the
 * waiting ends.
 *
 * <p>Ratis has no public handle on a division's election: this reads it by reflection (the division's
 * role, its {@code LeaderElection}, that election's thread and life cycle), remembering the election
 * while the node is a candidate (Ratis forgets it when it stops it): at every look of the election
 * timer, and right after the timer started an election (one that Ratis' own timer started is seen at
 * the next look, 20 ms at most later). It interrupts only a thread whose election is closing and that
 * is parked in the vote wait, never one doing anything else (such as
 * writing Raft metadata). If a Ratis upgrade renames what it reads, {@link #available()} is false, the
 * node logs so once, and rounds end as Ratis ends them ({@code StoppedElectionRoundTest} fails first).
 */
final class StoppedElectionRound {
  private static final Logger LOG = LoggerFactory.getLogger(StoppedElectionRound.class);
  private static final String ELECTION_CLASS = "org.apache.ratis.server.impl.LeaderElection";
  private static final String VOTE_WAIT_METHOD = "waitForResults";
  private static final Reflection RATIS = Reflection.find();

  private final String node;
  /** The division's election seen while it was a candidate, and that election's thread; null: none. */
  private Object election;
  private Thread electionThread;
  private volatile long roundsEnded;

  StoppedElectionRound(String node) {
    this.node = node;
  }

  static boolean available() {
    return RATIS != null;
  }

  /**
   * One look at {@code division}: remembers the election of a candidate, and ends the vote wait of a
   * remembered election that Ratis stopped. Returns whether it ended one.
   */
  synchronized boolean look(RaftServer.Division division) {
    if (RATIS == null || division == null) {
      return false;
    }
    boolean ended = endIfStopped();
    if (division.getInfo().isCandidate()) {
      Object current = RATIS.election(division);
      if (current != null && current != election) {
        election = current;
        electionThread = RATIS.thread(current);
      }
    }
    return endIfStopped() || ended;
  }

  /** Rounds ended so far (for tests and logs). */
  long roundsEnded() {
    return roundsEnded;
  }

  private boolean endIfStopped() {
    if (election == null) {
      return false;
    }
    if (electionThread == null || !electionThread.isAlive()) {
      forget();
      return false;
    }
    if (!RATIS.stopped(election) || !waitingForVotes(electionThread)) {
      return false;
    }
    // Counted before the interrupt: the interrupted round lets the vote request's answer go out at once, and
    // whoever sees that answer must see the count too.
    roundsEnded++;
    electionThread.interrupt();
    LOG.info("node {}: a newer term stopped this node's election while its round still waited for votes of peers that"
        + " do not answer; ended that wait, so the node answers the newer term's leader or candidate now (Ratis would"
        + " at the round's timeout)", node);
    forget();
    return true;
  }

  private void forget() {
    election = null;
    electionThread = null;
  }

  /** Parked in the round's wait for vote replies (and so doing nothing an interrupt could break). */
  private static boolean waitingForVotes(Thread thread) {
    if (thread.getState() != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (frame.getClassName().equals(ELECTION_CLASS)) {
        return frame.getMethodName().equals(VOTE_WAIT_METHOD);
      }
    }
    return false;
  }

  /** What this reads of Ratis' internals; null when this Ratis version does not have it. */
  private record Reflection(Method getRole, Field leaderElection, Field daemon, Field lifeCycle) {
    static Reflection find() {
      try {
        Method getRole = accessible(Class.forName("org.apache.ratis.server.impl.RaftServerImpl")
            .getDeclaredMethod("getRole"));
        Field leaderElection = accessible(Class.forName("org.apache.ratis.server.impl.RoleInfo")
            .getDeclaredField("leaderElection"));
        Class<?> election = Class.forName(ELECTION_CLASS);
        Field daemon = accessible(election.getDeclaredField("daemon"));
        Field lifeCycle = accessible(election.getDeclaredField("lifeCycle"));
        if (!Thread.class.isAssignableFrom(daemon.getType()) || lifeCycle.getType() != LifeCycle.class
            || leaderElection.getType() != AtomicReference.class) {
          throw new NoSuchFieldException("LeaderElection's daemon, lifeCycle or RoleInfo.leaderElection changed type");
        }
        return new Reflection(getRole, leaderElection, daemon, lifeCycle);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("Ratis' election internals are not as expected ({}): a stopped election round ends at its own timeout,"
            + " which can hold a newer term's vote or append up to election-timeout-max", e.toString());
        return null;
      }
    }

    private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
      member.setAccessible(true);
      return member;
    }

    Object election(RaftServer.Division division) {
      try {
        Object role = getRole.invoke(division);
        return ((AtomicReference<?>) leaderElection.get(role)).get();
      } catch (ReflectiveOperationException | ClassCastException e) {
        return null;
      }
    }

    Thread thread(Object election) {
      try {
        return (Thread) daemon.get(election);
      } catch (ReflectiveOperationException e) {
        return null;
      }
    }

    boolean stopped(Object election) {
      try {
        return ((LifeCycle) lifeCycle.get(election)).getCurrentState().isClosingOrClosed();
      } catch (ReflectiveOperationException e) {
        return false;
      }
    }
  }
}
