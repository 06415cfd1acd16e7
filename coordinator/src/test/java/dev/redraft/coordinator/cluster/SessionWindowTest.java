package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static dev.redraft.coordinator.testing.Grpc.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.redis.RedisApplier;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The session window through the API of a real cluster: configured on the nodes, carried in the log,
 * enforced the same on every replica; a retry outside it, or with other commands, gets a clear error.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SessionWindowTest {
  private static final long IDLE_MS = 1_000;

  @TempDir
  static Path dir;
  static TestCluster cluster;
  static Grpc node;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(3, dir, Map.of("session-idle-timeout-ms", Long.toString(IDLE_MS), "session-max", "2"));
    node = new Grpc(cluster.endpoint(cluster.aFollower()));
  }

  @AfterAll
  static void stop() {
    node.close();
    cluster.close();
  }

  @Test
  void aReusedSequenceWithOtherCommandsIsRefusedAndARealRetryGetsTheFirstReply() {
    WriteResponse first = node.kv().write(write("reuse", 1, command("INCR", "reused")));
    assertThat(first.getReplies(0).getInteger()).isEqualTo(1);

    assertThatThrownBy(() -> node.kv().write(write("reuse", 1, command("SET", "reused", "100"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("other commands").contains("not applied");
        });

    WriteResponse retry = node.kv().write(write("reuse", 1, command("INCR", "reused")));
    assertThat(retry.getDuplicate()).isTrue();
    assertThat(retry.getReplies(0).getInteger()).isEqualTo(1);
    cluster.awaitSameAppliedIndex();
    for (int i = 0; i < cluster.size(); i++) {
      try (Jedis jedis = cluster.redis(i).jedis()) {
        assertThat(jedis.get("reused")).isEqualTo("1");
      }
    }
  }

  @Test
  void aRetryOfAFirstWriteAfterItsSessionExpiredIsRefusedAsOutcomeUnknownAndAFreshSessionStillOpens()
      throws Exception {
    String first = "first@" + System.currentTimeMillis(); // stamped as the client library and RESP do
    assertThat(node.kv().write(write(first, 1, command("INCR", "once"))).getReplies(0).getInteger()).isEqualTo(1);
    Thread.sleep(IDLE_MS + 200); // the log's logical time is the leader's clock: let it pass the idle timeout

    // The retry's own entry drops the idle session first (at most one session is left for the other
    // tests: the table's cap is 2).
    assertThatThrownBy(() -> node.kv().write(write(first, 1, command("INCR", "once"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
          assertThat(e.getStatus().getDescription()).contains("outcome unknown").contains("read the data");
        });
    cluster.awaitSameAppliedIndex();
    for (int i = 0; i < cluster.size(); i++) {
      try (Jedis jedis = cluster.redis(i).jedis()) {
        assertThat(jedis.get("once")).as("node %d applied the first write once", i).isEqualTo("1");
      }
    }

    WriteResponse fresh = node.kv().write(write("fresh@" + System.currentTimeMillis(), 1, command("INCR", "once")));
    assertThat(fresh.getDuplicate()).isFalse();
    assertThat(fresh.getReplies(0).getInteger()).isEqualTo(2);
  }

  @Test
  void aSessionStampedFarAheadOfTheNodesClockIsRefusedAndNothingIsApplied() {
    String ahead = "ahead@" + (System.currentTimeMillis() + 3_600_000);
    assertThatThrownBy(() -> node.kv().write(write(ahead, 1, command("INCR", "ahead"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("clock is ahead").contains("not applied");
        });
    try (Jedis jedis = cluster.redis(0).jedis()) {
      assertThat(jedis.get("ahead")).isNull();
      assertThat(jedis.hexists(RedisApplier.SESSIONS_KEY, ahead)).isFalse();
    }
  }

  @Test
  void aRetryAfterItsSessionExpiredIsRefusedAsOutcomeUnknownAndEveryReplicaStaysWithinTheCap() throws Exception {
    node.kv().write(write("idle", 1, command("SET", "expiring", "0")));
    node.kv().write(write("idle", 2, command("INCR", "expiring")));
    Thread.sleep(IDLE_MS + 200); // the log's logical time is the leader's clock: let it pass the idle timeout
    node.kv().write(write("later", 1, command("INCR", "other"))); // its entry drops the idle session

    assertThatThrownBy(() -> node.kv().write(write("idle", 2, command("INCR", "expiring"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
          assertThat(e.getStatus().getDescription()).contains("outcome unknown").contains("read the data");
        });

    cluster.awaitSameAppliedIndex();
    String digest = cluster.digest(0);
    for (int i = 0; i < cluster.size(); i++) {
      try (Jedis jedis = cluster.redis(i).jedis()) {
        assertThat(jedis.get("expiring")).as("applied once").isEqualTo("1");
        assertThat(jedis.hexists(RedisApplier.SESSIONS_KEY, "idle")).isFalse();
        assertThat(jedis.hlen(RedisApplier.SESSIONS_KEY)).isLessThanOrEqualTo(2);
      }
      assertThat(cluster.digest(i)).as("node %d holds the same sessions", i).isEqualTo(digest);
    }
  }
}
