package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.config.ConfigLoader;
import dev.redraft.coordinator.config.NodeConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

/** Ratis settings whose defaults would break a guarantee. */
class RaftSettingsTest {
  private static final NodeConfig CONFIG = ConfigLoader.load(new String[] {
      "--node-id=n1", "--raft-address=127.0.0.1:7001", "--api-address=127.0.0.1:8001",
      "--peers=n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003", "--data-dir=/tmp/n1"}, Map.of());

  /**
   * Composed appends ran concurrently on a follower after a partition healed; it lost entries it had
   * acknowledged and never caught up again (30-minute fault run).
   */
  @Test
  void followersAppendEntriesInOrderNotComposedOnAPool() {
    assertThat(RaftServerConfigKeys.Log.appendEntriesComposeEnabled(RaftSettings.server(CONFIG))).isFalse();
  }

  /**
   * A follower cut off for seconds has hundreds of failed appends on its leader's count: after the heal
   * the leader must try it again within a fraction of a second (Ratis' default: every 5 s), and even
   * after millions of failures it must still wait between attempts (past the policy's end Ratis stops
   * waiting, a busy loop against a dead follower).
   */
  @Test
  void aLeaderRetriesAFollowerThatWasCutOffSoonAndNeverWithoutAPause() {
    RetryPolicy policy = RetryPolicy.parse(RaftServerConfigKeys.Log.Appender.retryPolicy(RaftSettings.server(CONFIG)),
        RaftServerConfigKeys.Log.Appender.RETRY_POLICY_KEY);
    for (int failures : new int[] {370, 5_000}) {
      long waitMs = policy.handleAttemptFailure(() -> failures).getSleepTime().toLong(TimeUnit.MILLISECONDS);
      assertThat(waitMs).as("wait after %d failed appends", failures).isBetween(100L, 1_000L);
    }
    long weekOfFailures = 7L * 24 * 3600 * 2;  // one every 500 ms
    long waitMs = policy.handleAttemptFailure(() -> (int) weekOfFailures).getSleepTime().toLong(TimeUnit.MILLISECONDS);
    assertThat(waitMs).as("wait after a week of failed appends").isPositive();
  }

  /** A node frozen for minutes keeps its Raft server (Ratis closed it after 60 s); a leader still steps down. */
  @Test
  void aLongPauseMakesALeaderStepDownButNeverClosesTheServer() {
    RaftProperties props = RaftSettings.server(CONFIG);
    assertThat(RaftServerConfigKeys.closeThreshold(props).toLong(TimeUnit.DAYS)).isGreaterThanOrEqualTo(365);
    assertThat(RaftServerConfigKeys.LeaderElection.leaderStepDownWaitTime(props).toLong(TimeUnit.SECONDS))
        .isLessThanOrEqualTo(10);
  }

  /** Ratis' DEFAULT read option serves stale reads from a deposed leader (notes/ratis.md, trap 7). */
  @Test
  void readsAreLinearizableUnlessTheTestOnlySwitchIsOn() {
    assertThat(RaftSettings.readOption(CONFIG)).isEqualTo(RaftServerConfigKeys.Read.Option.LINEARIZABLE);
  }
  /**
   * A new leader refuses writes until its first entry of the term is applied: they are asked again within
   * tens of ms (the first writes of a failover), other failures after 100 ms; both stop within the request
   * timeout's worth of attempts.
   */
  @Test
  void writesRefusedByALeaderNotReadyYetAreSentAgainSoonAndStillBounded() {
    RetryPolicy policy = RaftProposer.writeRetryPolicy(CONFIG);
    RetryPolicy.Action notReady = policy.handleAttemptFailure(failure(new LeaderNotReadyException(MEMBER), 1, 1));
    assertThat(notReady.shouldRetry()).isTrue();
    assertThat(notReady.getSleepTime().toLong(TimeUnit.MILLISECONDS)).isEqualTo(RaftProposer.NOT_READY_SLEEP_MS);
    RetryPolicy.Action timedOut = policy.handleAttemptFailure(failure(new TimeoutIOException("no reply"), 1, 1));
    assertThat(timedOut.getSleepTime().toLong(TimeUnit.MILLISECONDS)).isEqualTo(100);

    long timeoutMs = CONFIG.requestTimeout().toMillis();
    int notReadyAttempts = (int) (timeoutMs / RaftProposer.NOT_READY_SLEEP_MS);
    assertThat(policy.handleAttemptFailure(failure(new LeaderNotReadyException(MEMBER), notReadyAttempts + 1,
        notReadyAttempts + 1)).shouldRetry()).as("a leader that never gets ready").isFalse();
    assertThat(policy.handleAttemptFailure(failure(new TimeoutIOException("no reply"), 10_000, 1)).shouldRetry())
        .as("attempts of every kind together").isFalse();
  }

  private static final RaftGroupMemberId MEMBER =
      RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.valueOf(java.util.UUID.randomUUID()));

  private static RetryPolicy.Event failure(Throwable cause, int attempts, int causeCount) {
    return new RetryPolicy.Event() {
      @Override
      public int getAttemptCount() {
        return attempts;
      }

      @Override
      public int getCauseCount() {
        return causeCount;
      }

      @Override
      public Throwable getCause() {
        return cause;
      }
    };
  }
}
