package dev.redraft.coordinator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.chaos.harness.ChaosCluster;
import dev.redraft.coordinator.chaos.harness.NodeProcess;
import dev.redraft.coordinator.chaos.harness.Requirements;
import dev.redraft.coordinator.chaos.harness.RunDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster whose every node was paused for over a minute (a laptop that slept, a host suspended or
 * migrated) serves again by itself. Found by pausing a benchmark cluster: Ratis closed each node's Raft
 * server after the pause (its close threshold, 60 s by default), and the nodes stayed up, not ready,
 * until restarted by hand.
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
      cluster.awaitReadyLeader(Duration.ofSeconds(60));
      try (RedraftClient client = cluster.clientBuilder(cluster.endpoints()).build()) {
        assertThat(client.set("before-pause", "kept")).isTrue();
      }

      for (int i = 0; i < cluster.size(); i++) {
        cluster.node(i).pause();
      }
      Thread.sleep(PAUSE.toMillis());
      for (int i = 0; i < cluster.size(); i++) {
        cluster.node(i).resume();
      }

      // Every node ready again at one applied index: each still has its Raft server.
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
