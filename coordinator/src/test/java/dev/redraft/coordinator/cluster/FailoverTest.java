package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Nodes die under INCR load. The final counter on every node is at least the number of
 * acknowledged increments (none lost) and at most that plus the ones whose outcome was unknown
 * (none applied twice).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FailoverTest {
  @TempDir
  Path dir;

  @Test
  void leaderStoppedDuringIncrementsLosesNothingAndAppliesNothingTwice() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      int leader = cluster.awaitLeader();
      List<RedraftClient> clients = List.of(cluster.client(), cluster.client(), cluster.client(), cluster.client());
      IncrementLoad load = new IncrementLoad(clients, "counter", Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledged() >= 200);
      cluster.stopNode(leader);
      long ackedAtKill = load.acknowledged();
      int newLeader = cluster.awaitLeader();
      assertThat(newLeader).isNotEqualTo(leader);
      // Writes resume under the new leader.
      await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledged() >= ackedAtKill + 200);
      load.close();

      cluster.restartNode(leader);
      assertCounterWithinBounds(cluster, load);
    }
  }

  @Test
  void followerStoppedAndRestartedCatchesUpWithoutDoubleApply() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      int follower = cluster.aFollower();
      List<RedraftClient> clients = List.of(cluster.client(), cluster.client(), cluster.client());
      IncrementLoad load = new IncrementLoad(clients, "counter", Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledged() >= 150);
      cluster.stopNode(follower);
      long ackedAtStop = load.acknowledged();
      await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledged() >= ackedAtStop + 300);
      cluster.restartNode(follower);
      long ackedAtRestart = load.acknowledged();
      await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledged() >= ackedAtRestart + 150);
      load.close();
      assertCounterWithinBounds(cluster, load);
    }
  }

  static void assertCounterWithinBounds(TestCluster cluster, IncrementLoad load) {
    long index = cluster.awaitSameAppliedIndex();
    String digest = cluster.digest(0);
    for (int n = 0; n < cluster.size(); n++) {
      try (Jedis redis = cluster.redis(n).jedis()) {
        long counter = Long.parseLong(redis.get("counter"));
        assertThat(counter).as("counter on n%d at index %d (acknowledged %d, unknown %d)", n + 1, index,
                load.acknowledged(), load.unknown())
            .isBetween(load.acknowledged(), load.acknowledged() + load.unknown());
      }
      assertThat(cluster.digest(n)).isEqualTo(digest);
    }
  }
}
