package dev.redraft.coordinator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.api.v1.MemberStatus;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.chaos.harness.ChaosCluster;
import dev.redraft.coordinator.chaos.harness.NodeProcess;
import dev.redraft.coordinator.chaos.harness.Poll;
import dev.redraft.coordinator.chaos.harness.Requirements;
import dev.redraft.coordinator.chaos.harness.RunDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A coordinator whose Redis is gone stops on SIGTERM within a bound, and its log stays small (issue
 * 12, point 4). Seen before the fix: Ratis takes a snapshot when a server stops, the snapshot failed
 * with a JedisConnectionException, and Ratis' apply thread retried it in a tight loop (294,000 ERROR
 * lines in 17 s) while the JVM's shutdown waited for that thread forever; with entries still waiting
 * for Redis, the stop waited for them forever instead. Two states, one node each: Redis killed while
 * the node was idle, and Redis killed with committed entries still to apply.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShutdownWithRedisDownIT {
  /** SIGTERM to exit, in every state. */
  private static final Duration STOP_BOUND = Duration.ofSeconds(10);
  /** ERROR lines one node may log from its start to its exit in this scenario. */
  private static final int MAX_ERROR_LINES = 5;
  private static final long MAX_LOG_BYTES = 512 * 1024;

  @BeforeEach
  void requirements() {
    Requirements.assumeMultiProcessCluster();
  }

  @Test
  void aNodeWhoseRedisIsGoneStopsOnSigtermWithinTheBoundAndLogsLittle() throws Exception {
    Path dir = RunDirs.create("shutdown-redis-down");
    ChaosCluster.Options options = new ChaosCluster.Options();
    for (int i = 0; i < 3; i++) {
      // Snapshots every 100 entries (the smallest allowed), so snapshots are due all along.
      options.flags(i, "--snapshot-threshold=100");
    }
    try (ChaosCluster cluster = ChaosCluster.start(dir, options);
        RedraftClient client = RedraftClient.builder().endpoints(cluster.endpoints())
            .requestTimeout(Duration.ofSeconds(10)).build()) {
      int leader = cluster.awaitReadyLeader(Duration.ofSeconds(90));
      List<Integer> followers = List.of((leader + 1) % 3, (leader + 2) % 3);
      int idle = followers.get(0);
      int behind = followers.get(1);
      writeKeys(client, "a", 150);
      cluster.awaitSameAppliedIndex(Duration.ofSeconds(60));

      // 1. Redis killed while the node has applied everything: the snapshot Ratis takes at stop fails.
      cluster.redis(idle).stop();
      awaitRedisDown(cluster.node(idle));
      assertStopsWithinBoundAndLogsLittle(cluster.node(idle), dir);

      // 2. Redis killed, then more entries committed: they wait for a Redis that never comes back.
      cluster.redis(behind).stop();
      awaitRedisDown(cluster.node(behind));
      writeKeys(client, "b", 50);
      long leaderCommit = cluster.node(leader).status().orElseThrow().getCommitIndex();
      Poll.until(cluster.node(behind).name() + " to receive the entries its Redis cannot take", Duration.ofSeconds(30),
          () -> cluster.node(behind).status().filter(s -> s.getCommitIndex() >= leaderCommit
              && s.getAppliedIndex() < leaderCommit));
      assertStopsWithinBoundAndLogsLittle(cluster.node(behind), dir);
    }
    RunDirs.prune(dir);
  }

  private static void writeKeys(RedraftClient client, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      client.set(prefix + i, "v" + i);
    }
  }

  private static void awaitRedisDown(NodeProcess node) {
    Poll.until(node.name() + " to report its Redis down", Duration.ofSeconds(30),
        () -> node.status().filter(s -> !s.getRedisHealthy()).map(MemberStatus::getNodeId));
  }

  private static void assertStopsWithinBoundAndLogsLittle(NodeProcess node, Path dir) throws IOException {
    Optional<Duration> took = node.terminate(STOP_BOUND);
    List<String> errors = node.logLines().stream().filter(line -> line.contains(" ERROR ")).toList();
    long bytes = Files.size(node.log());
    if (took.isEmpty()) {
      node.kill();
    }
    assertThat(took).as("%s (Redis down) must exit within %s of SIGTERM; log %s", node.name(), STOP_BOUND, node.log())
        .isPresent();
    assertThat(errors).as("%s's ERROR lines (log %s)", node.name(), node.log()).hasSizeLessThanOrEqualTo(MAX_ERROR_LINES);
    assertThat(bytes).as("%s's log size in bytes (%s)", node.name(), node.log()).isLessThan(MAX_LOG_BYTES);
  }
}
