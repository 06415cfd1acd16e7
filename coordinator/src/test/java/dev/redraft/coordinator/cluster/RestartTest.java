package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A restarted coordinator replays its Raft log; its Redis kept the data, so every replayed entry
 * must be skipped (the applied-index marker says so), or INCR would count twice.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestartTest {
  private static final int INCREMENTS = 300;

  @TempDir
  Path dir;

  @Test
  void restartingEveryCoordinatorNeverAppliesAnEntryTwice() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      RedraftClient client = cluster.client();
      for (int i = 1; i <= INCREMENTS; i++) {
        assertThat(client.incr("counter")).isEqualTo(i);
      }
      client.set("after", "increments");
      cluster.awaitSameAppliedIndex();

      for (int n = 0; n < cluster.size(); n++) {
        cluster.stopNode(n);
      }
      for (int n = 0; n < cluster.size(); n++) {
        cluster.restartNode(n);
      }
      cluster.awaitLeader();
      // A new write commits only after the new leader has applied everything before it.
      assertThat(cluster.client().incr("counter")).isEqualTo(INCREMENTS + 1);
      cluster.awaitSameAppliedIndex();
      for (int n = 0; n < cluster.size(); n++) {
        try (Jedis redis = cluster.redis(n).jedis()) {
          assertThat(redis.get("counter")).as("counter on n%d", n + 1).isEqualTo(Integer.toString(INCREMENTS + 1));
          assertThat(redis.get("after")).isEqualTo("increments");
        }
      }
    }
  }

  @Test
  void restartedFollowerSkipsWhatItsRedisHoldsAndAppliesTheRest() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      RedraftClient client = cluster.client();
      for (int i = 0; i < 100; i++) {
        client.incr("counter");
      }
      int follower = cluster.aFollower();
      cluster.awaitSameAppliedIndex();
      cluster.stopNode(follower);
      for (int i = 0; i < 100; i++) {
        client.incr("counter");
      }
      cluster.restartNode(follower);
      cluster.awaitSameAppliedIndex();
      try (Jedis redis = cluster.redis(follower).jedis()) {
        assertThat(redis.get("counter")).isEqualTo("200");
      }
      assertThat(cluster.digest(follower)).isEqualTo(cluster.digest(cluster.awaitLeader()));
    }
  }
}
