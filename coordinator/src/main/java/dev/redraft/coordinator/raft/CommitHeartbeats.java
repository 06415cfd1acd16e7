package dev.redraft.coordinator.raft;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Tells followers about a commit at once. Ratis 3.3.0 sends the commit index only with the next
 * entry or the next periodic heartbeat (half the minimum election timeout), so with no entry behind
 * it a follower learned of a commit up to ~500 ms late, and a write or read waiting for its apply
 * (a client of that follower) waited as long. After the leader applies an entry, a follower that has
 * every entry but not the commit gets a heartbeat now. Under load entries follow one another and
 * carry the commit index, so no heartbeat is added.
 *
 * <p>It is Ratis' own gRPC transport ({@link GrpcFactory}), with the leader's log appenders kept per
 * server: Ratis offers no other way to reach them.
 */
public final class CommitHeartbeats implements RpcType {
  private static final Map<RaftGroupMemberId, Set<LogAppender>> APPENDERS = new ConcurrentHashMap<>();

  /** Ratis instantiates the transport by this name (a class name: a user-defined RpcType). */
  @Override
  public String name() {
    return CommitHeartbeats.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new Factory(parameters);
  }

  /** Called on every node after it applied an entry; acts only on the leader. */
  static void afterApplied(RaftServer.Division leader) {
    Set<LogAppender> appenders = APPENDERS.get(leader.getMemberId());
    if (appenders == null || appenders.isEmpty()) {
      return;
    }
    long committed = leader.getRaftLog().getLastCommittedIndex();
    long nextIndex = leader.getRaftLog().getNextIndex();
    for (LogAppender appender : appenders) {
      if (!appender.isRunning()) {
        appenders.remove(appender); // leadership lost or follower removed: Ratis made new appenders
        continue;
      }
      FollowerInfo follower = appender.getFollower();
      if (follower.getCommitIndex() < committed && follower.getNextIndex() >= nextIndex) {
        appender.triggerHeartbeat();
      }
    }
  }

  /** Forgets a server's appenders when it stops (tests run many servers in one JVM). */
  static void forget(RaftGroupMemberId server) {
    APPENDERS.remove(server);
  }

  private static final class Factory extends GrpcFactory {
    Factory(Parameters parameters) {
      super(parameters);
    }

    @Override
    public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
      LogAppender appender = super.newLogAppender(server, state, follower);
      APPENDERS.computeIfAbsent(server.getMemberId(), id -> ConcurrentHashMap.newKeySet()).add(appender);
      return appender;
    }
  }
}
