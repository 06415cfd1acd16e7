package dev.redraft.coordinator.raft;

import java.lang.reflect.Method;
import java.util.Optional;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a follower that knows no leader has heard nothing, for {@link ElectionTimer}. Ratis 3.3.0's role
 * info reports the time since the follower's last leader message only with the leader's id: a follower
 * that knows no leader (restarted while the leader is gone, or moved to a newer term by a candidate that
 * then lost) reads 0 for good, so the timer never campaigned and only Ratis' own timer did, up to twice
 * the election timeout later (seen: a node restarted 20 s before its leader was killed; a split vote's
 * second round). Ratis' follower timer itself counts from {@code FollowerState.getLastRpcTime()} (moved
 * by appends and by votes granted): read here by reflection, as {@link RaftElectionStarter} starts the
 * election. If a Ratis upgrade renames what it reads, {@link #available()} is false, it logs so once and
 * such a follower is left to Ratis' timer ({@code ElectionTimerTest} fails first).
 */
final class LeaderlessSilence {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderlessSilence.class);
  private static final Method GET_ROLE = method("org.apache.ratis.server.impl.RaftServerImpl", "getRole");
  private static final Method GET_FOLLOWER_STATE = method("org.apache.ratis.server.impl.RoleInfo", "getFollowerState");
  private static final Method GET_LAST_RPC_TIME = method("org.apache.ratis.server.impl.FollowerState", "getLastRpcTime");

  private LeaderlessSilence() {}

  static boolean available() {
    return GET_ROLE != null && GET_FOLLOWER_STATE != null && GET_LAST_RPC_TIME != null;
  }

  /** Milliseconds since {@code division}'s follower state last heard a leader or granted a vote, or -1 if unknown. */
  static long sinceLastMessageMs(RaftServer.Division division) {
    if (!available()) {
      return -1;
    }
    try {
      Object followerState = ((Optional<?>) GET_FOLLOWER_STATE.invoke(GET_ROLE.invoke(division))).orElse(null);
      return followerState == null ? -1 : ((Timestamp) GET_LAST_RPC_TIME.invoke(followerState)).elapsedTimeMs();
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("could not read a follower's last message time: {}", e.toString());
      return -1;
    }
  }

  private static Method method(String className, String name) {
    try {
      Method method = Class.forName(className).getDeclaredMethod(name);
      method.setAccessible(true);
      return method;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Ratis has no {}.{}() ({}): a follower that knows no leader campaigns on Ratis' own timer only, up"
          + " to 2 x election-timeout-max after its last message", className, name, e.toString());
      return null;
    }
  }
}
