package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static dev.redraft.coordinator.testing.Grpc.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReadTest {
  @TempDir
  Path dir;

  @Test
  void linearizableReadThroughAFollowerSeesTheWriteJustAcknowledgedByTheLeader() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      int leader = cluster.awaitLeader();
      int follower = cluster.aFollower();
      try (Grpc viaLeader = new Grpc(cluster.endpoint(leader)); Grpc viaFollower = new Grpc(cluster.endpoint(follower))) {
        for (int i = 0; i < 200; i++) {
          viaLeader.kv().write(write("reader-test", i + 1, command("SET", "k", Integer.toString(i))));
          ReadResponse read = viaFollower.kv().read(ReadRequest.newBuilder().setCommand(command("GET", "k")).build());
          assertThat(read.getReply().getBulk().toStringUtf8()).as("read %d through %s", i, TestCluster.id(follower))
              .isEqualTo(Integer.toString(i));
          assertThat(read.getHeader().getNodeId()).isEqualTo(TestCluster.id(follower));
          // A leader, not necessarily the first: a loaded machine may hold a node long enough for an election.
          assertThat(read.getHeader().getLeaderId()).isIn(TestCluster.id(0), TestCluster.id(1), TestCluster.id(2));
        }
      }
    }
  }

  @Test
  void staleReadIsServedLocallyOnlyWhenAskedForByName() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      int follower = cluster.aFollower();
      cluster.client().set("greeting", "hello");
      cluster.awaitSameAppliedIndex();
      try (Grpc viaFollower = new Grpc(cluster.endpoint(follower))) {
        ReadResponse stale = viaFollower.kv().read(ReadRequest.newBuilder()
            .setCommand(command("GET", "greeting")).setConsistency(ReadConsistency.STALE).build());
        assertThat(stale.getReply().getBulk().toStringUtf8()).isEqualTo("hello");
        assertThat(stale.getHeader().getAppliedIndex()).isPositive();
      }
    }
  }

  @Test
  void atIndexReadOnAFollowerSeesTheCallersOwnWriteAndNeedsAnIndex() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      int follower = cluster.aFollower();
      var client = cluster.client();
      try (Grpc viaFollower = new Grpc(cluster.endpoint(follower))) {
        for (int i = 0; i < 10; i++) {
          // A follower learns of a commit with the next entry or heartbeat: without the wait for the
          // index, the read right after the write sees the previous value.
          long index = client.write(dev.redraft.client.Commands.of("SET", "ryw", Integer.toString(i))).logIndex();
          ReadResponse read = viaFollower.kv().read(ReadRequest.newBuilder().setCommand(command("GET", "ryw"))
              .setConsistency(ReadConsistency.AT_INDEX).setMinLogIndex(index).build());
          assertThat(read.getReply().getBulk().toStringUtf8()).as("read %d at index %d", i, index)
              .isEqualTo(Integer.toString(i));
          assertThat(read.getHeader().getAppliedIndex()).isGreaterThanOrEqualTo(index);
          assertThat(read.getHeader().getNodeId()).isEqualTo(TestCluster.id(follower));
        }
        assertThatThrownBy(() -> viaFollower.kv().read(ReadRequest.newBuilder().setCommand(command("GET", "ryw"))
            .setConsistency(ReadConsistency.AT_INDEX).build()))
            .isInstanceOf(StatusRuntimeException.class)
            .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("min_log_index");
      }
      long last = client.write(dev.redraft.client.Commands.of("INCR", "n")).logIndex();
      assertThat(client.readAtIndex(dev.redraft.client.Commands.of("GET", "n"), last).reply().getBulk().toStringUtf8())
          .isEqualTo("1");
    }
  }

  @Test
  void readsGiveRedisOwnTypedReplies() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      var client = cluster.client();
      client.write(dev.redraft.client.Commands.of("RPUSH", "l", "a", "b"));
      client.write(dev.redraft.client.Commands.of("ZADD", "z", "1.5", "m"));
      assertThat(client.read(dev.redraft.client.Commands.of("LRANGE", "l", "0", "-1")).reply().getArray().getItemsCount())
          .isEqualTo(2);
      assertThat(client.read(dev.redraft.client.Commands.of("ZSCORE", "z", "m")).reply().getBulk().toStringUtf8())
          .isEqualTo("1.5");
      assertThat(client.read(dev.redraft.client.Commands.of("LLEN", "l")).reply().getInteger()).isEqualTo(2);
      assertThat(client.read(dev.redraft.client.Commands.of("GET", "missing")).reply().getNil()).isTrue();
      assertThat(client.read(dev.redraft.client.Commands.of("TTL", "l")).reply().getInteger()).isEqualTo(-1);
    }
  }
}
