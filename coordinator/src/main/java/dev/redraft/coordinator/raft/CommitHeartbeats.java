package dev.redraft.coordinator.raft;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.leader.LogAppenderBase;
import org.apache.ratis.util.Timestamp;

/**
 * Tells followers about a commit soon. Ratis 3.3.0 sends the commit index only with the next entry
 * or the next periodic heartbeat (half the minimum election timeout), so with no entry behind it a
 * follower learned of a commit up to ~500 ms late, and a write or read waiting for its apply (a
 * client of that follower) waited as long.
 *
 * <p>{@link #NOTICE_DELAY_MS} after the leader applies an entry that a follower forwarded (the
 * proposal names it), it looks: if no entry entered its log meanwhile, each follower that has every
 * entry, does not know the commit, awaits no reply and was sent nothing since gets a heartbeat. The
 * check repeats while a live, caught-up follower is behind. Each condition keeps heartbeats out of the
 * leader's own path: one sent at once after the apply went out just before the next client's entry,
 * and Ratis spaces one follower's sends by its minimum wait time (1 ms), which doubled a lone leader
 * client's latency; checking after every entry, 50 writers to the leader drew ~200 heartbeats a
 * second in the pauses between group-commit batches. Entries carry the commit index themselves, so a
 * busy log needs no heartbeat.
 *
 * <p>It is Ratis' own gRPC transport ({@link GrpcFactory}), with the leader's log appenders kept per
 * server: Ratis offers no other way to reach them.
 */
public final class CommitHeartbeats implements RpcType {
  /** Longer than a client's turn-around between a reply and its next write on one machine. */
  static final long NOTICE_DELAY_MS = 2;
  /** A follower silent this long is down or partitioned: it gets no notices (Ratis retries it). */
  private static final long LIVE_FOLLOWER_MS = 1_000;

  private static final Map<RaftGroupMemberId, Leader> LEADERS = new ConcurrentHashMap<>();
  private static final ScheduledExecutorService CHECKS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "commit-heartbeats");
    thread.setDaemon(true);
    return thread;
  });

  /** Ratis instantiates the transport by this name (a class name: a user-defined RpcType). */
  @Override
  public String name() {
    return CommitHeartbeats.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new Factory(parameters);
  }

  /**
   * Called on the leader when a follower waits for a commit: after it applied an entry that a follower
   * forwarded, and when a follower serving a linearizable read asks it to confirm its leadership (that
   * follower waits to apply up to the read index, the leader's commit index).
   */
  static void noticeWanted(RaftServer.Division server) {
    Leader leader = LEADERS.get(server.getMemberId());
    if (leader != null && !leader.appenders.isEmpty()) {
      leader.scheduleCheck(server);
    }
  }

  /** Forgets a server's appenders when it stops (tests run many servers in one JVM). */
  static void forget(RaftGroupMemberId server) {
    LEADERS.remove(server);
  }

  /** One server's log appenders (one per follower while it leads) and its pending check. */
  private static final class Leader {
    final Set<LogAppender> appenders = ConcurrentHashMap.newKeySet();
    final AtomicBoolean checkPending = new AtomicBoolean();
    /** When the pending check was scheduled, and the log's next index then (written before it runs). */
    volatile Timestamp scheduledAt;
    volatile long nextIndexWhenScheduled;

    void scheduleCheck(RaftServer.Division server) {
      if (checkPending.compareAndSet(false, true)) {
        try {
          nextIndexWhenScheduled = server.getRaftLog().getNextIndex();
        } catch (RuntimeException closing) {
          checkPending.set(false);
          return;
        }
        scheduledAt = Timestamp.currentTime();
        CHECKS.schedule(() -> check(server), NOTICE_DELAY_MS, TimeUnit.MILLISECONDS);
      }
    }

    private void check(RaftServer.Division server) {
      Timestamp since = scheduledAt;
      long nextIndexThen = nextIndexWhenScheduled;
      checkPending.set(false);
      long committed;
      long nextIndex;
      try {
        committed = server.getRaftLog().getLastCommittedIndex();
        nextIndex = server.getRaftLog().getNextIndex();
      } catch (RuntimeException e) {
        return; // the log is closing: this server no longer leads
      }
      // New entries go out to every follower and carry the commit index: only a quiet log needs a notice.
      boolean quiet = nextIndex == nextIndexThen;
      boolean someoneBehind = false;
      for (LogAppender appender : appenders) {
        if (!appender.isRunning()) {
          appenders.remove(appender); // leadership lost or follower removed: Ratis made new appenders
          continue;
        }
        FollowerInfo follower = appender.getFollower();
        boolean caughtUp = follower.getNextIndex() >= nextIndex;
        boolean live = follower.getLastRpcResponseTime().elapsedTimeMs() < LIVE_FOLLOWER_MS;
        if (!caughtUp || !live || follower.getCommitIndex() >= committed) {
          continue;
        }
        someoneBehind = true; // look again until its reply shows it knows the commit
        // A heartbeat sent while an append awaits its reply carries no previous entry, and the
        // follower then ignores its commit index: wait for the reply. Anything sent since the check
        // was scheduled carries the commit already.
        boolean sentSince = follower.getLastRpcSendTime().compareTo(since) >= 0;
        if (quiet && !sentSince && !hasPendingAppend(appender)) {
          appender.triggerHeartbeat();
        }
      }
      if (someoneBehind) {
        scheduleCheck(server);
      }
    }
  }

  private static boolean hasPendingAppend(LogAppender appender) {
    return appender instanceof LogAppenderBase base && base.hasPendingDataRequests();
  }

  private static final class Factory extends GrpcFactory {
    Factory(Parameters parameters) {
      super(parameters);
    }

    @Override
    public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
      LogAppender appender = super.newLogAppender(server, state, follower);
      LEADERS.computeIfAbsent(server.getMemberId(), id -> new Leader()).appenders.add(appender);
      return appender;
    }
  }
}
