package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static dev.redraft.coordinator.testing.Grpc.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A write retried with the same (client id, sequence), through any node and after a leader change,
 * returns the first attempt's reply and is applied once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExactlyOnceTest {
  @TempDir
  Path dir;

  @Test
  void retryThroughAnotherNodeReturnsTheFirstReplyAndAppliesOnce() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir);
        Grpc n1 = new Grpc(cluster.endpoint(0));
        Grpc n2 = new Grpc(cluster.endpoint(1));
        Grpc n3 = new Grpc(cluster.endpoint(2))) {
      WriteResponse first = n1.kv().write(write("client-a", 1, command("INCR", "k")));
      assertThat(first.getReplies(0).getInteger()).isEqualTo(1);
      assertThat(first.getDuplicate()).isFalse();

      WriteResponse retry = n2.kv().write(write("client-a", 1, command("INCR", "k")));
      assertThat(retry.getReplies(0).getInteger()).isEqualTo(1);
      assertThat(retry.getDuplicate()).isTrue();

      WriteResponse second = n3.kv().write(write("client-a", 2, command("INCR", "k")));
      assertThat(second.getReplies(0).getInteger()).isEqualTo(2);

      // A late copy of an older write is refused, not applied.
      assertThatThrownBy(() -> n1.kv().write(write("client-a", 1, command("INCR", "k"))))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
          .hasMessageContaining("superseded");

      // Another session is independent.
      assertThat(n2.kv().write(write("client-b", 1, command("INCR", "k"))).getReplies(0).getInteger()).isEqualTo(3);

      cluster.awaitSameAppliedIndex();
      for (int n = 0; n < cluster.size(); n++) {
        try (Jedis redis = cluster.redis(n).jedis()) {
          assertThat(redis.get("k")).isEqualTo("3");
        }
      }
    }
  }

  @Test
  void retryAfterALeaderChangeStillReturnsTheFirstReply() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      int leader = cluster.awaitLeader();
      int other = (leader + 1) % 3;
      WriteResponse first;
      try (Grpc viaLeader = new Grpc(cluster.endpoint(leader))) {
        first = viaLeader.kv().write(write("client-c", 1, command("RPUSH", "list", "x")));
      }
      cluster.stopNode(leader);
      cluster.awaitLeader();
      try (Grpc viaOther = new Grpc(cluster.endpoint(other))) {
        WriteResponse retry = viaOther.kv().write(write("client-c", 1, command("RPUSH", "list", "x")));
        assertThat(retry.getReplies(0)).isEqualTo(first.getReplies(0));
        assertThat(retry.getDuplicate()).isTrue();
      }
      try (Jedis redis = cluster.redis(other).jedis()) {
        assertThat(redis.llen("list")).isEqualTo(1);
      }
    }
  }
}
