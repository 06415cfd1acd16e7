package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.AdminHttp;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * A restarted coordinator replays its Raft log; its Redis kept the data, so every replayed entry
 * must be skipped (the applied-index marker says so), or INCR would count twice. A node behind the
 * leader says it is not ready until it has caught up.
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

  /**
   * Ready means caught up, with real processes: a follower whose Redis takes no writes for a while
   * (CLIENT PAUSE WRITE: PING still answers) holds the new entries in its log without applying them,
   * and /readyz says it is catching up until it has applied them; then it is ready again.
   */
  @Test
  void aFollowerThatFallsBehindIsNotReadyUntilItHasCaughtUp() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir, Map.of("ready-max-apply-lag", "5"))) {
      RedraftClient client = cluster.client();
      client.set("counter", "0");
      int follower = cluster.aFollower();
      String readyz = cluster.httpUrl(follower) + "/readyz";
      await().atMost(Duration.ofSeconds(30)).until(() -> AdminHttp.get(readyz).status() == 200);
      try (Jedis redis = cluster.redis(follower).jedis()) {
        assertThat(redis.sendCommand(Protocol.Command.CLIENT, "PAUSE", "4000", "WRITE")).isNotNull();
      }
      for (int i = 1; i <= 20; i++) {
        assertThat(client.incr("counter")).as("the other two nodes commit").isEqualTo(i);
      }
      AdminHttp.Response behind = AdminHttp.get(readyz);
      assertThat(behind.status()).as(behind.body()).isEqualTo(503);
      assertThat(behind.body()).contains("catching up: ").contains("not yet applied here (ready-max-apply-lag 5)")
          .doesNotContain("PING");
      await().atMost(Duration.ofSeconds(30)).until(() -> AdminHttp.get(readyz).status() == 200);
      try (Jedis redis = cluster.redis(follower).jedis()) {
        assertThat(Long.parseLong(redis.get("counter"))).as("applied when it said ready").isGreaterThanOrEqualTo(15);
      }
      cluster.awaitSameAppliedIndex();
      assertThat(cluster.digest(follower)).isEqualTo(cluster.digest(cluster.awaitLeader()));
    }
  }
}
