package dev.redraft.coordinator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** When a round raises the alarm (operators are told to inspect every Redis) and when it only waits. */
class ReplicaVerifierTest {
  private static final Set<String> VOTERS = Set.of("n1", "n2", "n3");

  private final Logger logger = (Logger) LoggerFactory.getLogger(ReplicaVerifier.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void stopCapturing() {
    logger.detachAppender(logged);
  }

  /** A soak run failed on an alarm raised while the other two voters were out of reach. */
  @Test
  void peersThatDoNotAnswerMakeARoundInconclusiveNotAnAlarm() throws Exception {
    judge(Map.of());

    assertThat(logged.list).noneMatch(e -> e.getLevel() == Level.ERROR);
    assertThat(logged.list).anyMatch(e -> e.getLevel() == Level.WARN
        && e.getFormattedMessage().contains("inconclusive: only 1 of the 3 voters answered"));
  }

  @Test
  void votersThatAnswerWithDifferentDigestsRaiseTheAlarm() throws Exception {
    judge(Map.of("n2", "digest-b"));

    assertThat(logged.list).anyMatch(e -> e.getLevel() == Level.ERROR && e.getFormattedMessage().contains("ALARM"));
  }

  /** Node n1 applies round 7 with digest "digest-a"; its peers answer {@code peerDigests}. */
  private static void judge(Map<String, String> peerDigests) throws Exception {
    ClusterView cluster = new ClusterView() {
      @Override
      public String selfId() {
        return "n1";
      }

      @Override
      public Set<String> voters() {
        return VOTERS;
      }

      @Override
      public Set<String> members() {
        return VOTERS;
      }

      @Override
      public boolean isLeader() {
        return false;
      }

      @Override
      public void stepDown(Duration timeout) {}
    };
    PeerDigests peers = (round, nodeIds, timeout) -> peerDigests;
    ReplicaRepair repair = round -> {
      throw new AssertionError("nothing may be repaired without a majority");
    };
    try (ReplicaVerifier verifier = new ReplicaVerifier(cluster, peers, repair, new NodeHealth("n1"),
        new RedraftMetrics("n1", "test"))) {
      verifier.digestAt(7, "digest-a");
      VerificationRound round = verifier.awaitRound(7).get(10, TimeUnit.SECONDS);
      assertThat(round.selfVerdict()).isEqualTo(Verdict.NO_MAJORITY);
    }
  }
}
