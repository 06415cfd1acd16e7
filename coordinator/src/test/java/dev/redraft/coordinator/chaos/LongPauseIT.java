package dev.redraft.coordinator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.chaos.harness.ChaosCluster;
import dev.redraft.coordinator.chaos.harness.NodeProcess;
import dev.redraft.coordinator.chaos.harness.Poll;
import dev.redraft.coordinator.chaos.harness.Requirements;
import dev.redraft.coordinator.chaos.harness.RunDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster whose every node was frozen for over a minute (SIGSTOP, as a paused container or VM) serves
 * again by itself. Found by pausing a benchmark cluster: Ratis closed each node's Raft server after the
 * pause (its close threshold, 60 s by default), and the nodes stayed up, not ready, until restarted by
 * hand.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LongPauseIT {
  /** Longer than Ratis' default close threshold (60 s). */
  private static final Duration PAUSE = Duration.ofSeconds(65);

  @BeforeEach
  void requirements() {
    Requirements.assumeMultiProcessCluster();
  }

  @Test
  void everyNodePausedForOverAMinuteServesAgainWithoutARestart() throws Exception {
    Path dir = RunDirs.create("long-pause");
    try (ChaosCluster cluster = ChaosCluster.start(dir, new ChaosCluster.Options())) {
      int leader = cluster.awaitReadyLeader(Duration.ofSeconds(60));
      long termBefore = cluster.node(leader).status().orElseThrow().getTerm();
      try (RedraftClient client = cluster.clientBuilder(cluster.endpoints()).build()) {
        assertThat(client.set("before-pause", "kept")).isTrue();
      }

      for (int i = 0; i < cluster.size(); i++) {
        cluster.node(i).pause();
      }
      // The fault itself, not a wait for a condition: the pause must outlast Ratis' 60 s threshold.
      Thread.sleep(PAUSE.toMillis());
      for (int i = 0; i < cluster.size(); i++) {
        cluster.node(i).resume();
      }

      // Right after the resume every node may still show its state from before the pause; the leader's
      // step-down on a long pause makes a new term, so wait for every node ready in it: each still has
      // its Raft server.
      Poll.until("every node ready in a term after " + termBefore, Duration.ofSeconds(60), () ->
          cluster.statuses().stream().allMatch(s -> s.isPresent() && s.get().getReady() && s.get().getTerm() > termBefore)
              ? Optional.of(true) : Optional.empty());
      cluster.awaitSameAppliedIndex(Duration.ofSeconds(60));
      for (int i = 0; i < cluster.size(); i++) {
        NodeProcess node = cluster.node(i);
        assertThat(node.isRunning()).as("%s still running", node.name()).isTrue();
        try (RedraftClient viaNode = cluster.clientBuilder(List.of(node.apiAddress())).build()) {
          assertThat(viaNode.set("after-pause-" + i, "v" + i)).as("a write through %s", node.name()).isTrue();
          assertThat(viaNode.get("before-pause")).isEqualTo("kept");
          assertThat(viaNode.get("after-pause-" + i)).isEqualTo("v" + i);
        }
        assertThat(node.logLines()).as("%s's log", node.name())
            .noneMatch(line -> line.contains("longer than the close-threshold"));
      }
      cluster.awaitSameAppliedIndex(Duration.ofSeconds(60));
      List<String> digests = cluster.digestsAtOneIndex(0, Duration.ofSeconds(60));
      assertThat(digests).as("every replica's digest at one index").containsOnly(digests.get(0));
      RunDirs.prune(dir);
    }
  }
}
