package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static dev.redraft.coordinator.testing.Grpc.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command set's cluster-level promises, through the gRPC API of a three-node cluster. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CommandSetClusterTest {
  @TempDir
  static Path dir;
  static TestCluster cluster;
  static Grpc node;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(3, dir);
    node = new Grpc(cluster.endpoint(cluster.aFollower()));
  }

  @AfterAll
  static void stopCluster() {
    node.close();
    cluster.close();
  }

  @Test
  void aRetriedWriteAfterFlushdbIsStillDeduplicated() {
    WriteResponse first = node.kv().write(write("flusher", 1, command("INCR", "counted")));
    assertThat(first.getReplies(0).getInteger()).isEqualTo(1);
    node.kv().write(write("other", 1, command("SET", "doomed", "v", "EX", "1000")));
    WriteResponse flush = node.kv().write(write("other", 2, command("FLUSHDB")));
    assertThat(flush.getReplies(0).getStatus()).isEqualTo("OK");

    WriteResponse retry = node.kv().write(write("flusher", 1, command("INCR", "counted")));
    assertThat(retry.getDuplicate()).as("the session survived the flush").isTrue();
    assertThat(retry.getReplies(0).getInteger()).isEqualTo(1);
    assertThat(read("EXISTS", "counted", "doomed").getInteger()).as("not applied again").isZero();
    assertThat(read("DBSIZE").getInteger()).isZero();
    assertSameDataEverywhere();
  }

  @Test
  void aBatchMayReadAtItsPositionInTheLog() {
    WriteResponse batch = node.kv().write(write("reader", 1, command("SET", "seen", "v", "PX", "100000"),
        command("GET", "seen"), command("PTTL", "seen"), command("HMGET", "nohash", "f"), command("DEL", "seen"),
        command("EXISTS", "seen")));
    assertThat(batch.getRolledBack()).isFalse();
    assertThat(batch.getReplies(1).getBulk().toStringUtf8()).isEqualTo("v");
    assertThat(batch.getReplies(2).getInteger()).as("the PX counts from the entry's time").isEqualTo(100_000);
    assertThat(batch.getReplies(3).getArray().getItemsList()).extracting(Reply::getNil).containsExactly(true);
    assertThat(batch.getReplies(5).getInteger()).isZero();
    assertSameDataEverywhere();
  }

  @Test
  void readsThatDifferBetweenReplicasAndFlushesStayOutOfBatches() {
    assertRefused(write("refused", 1, command("GET", "k")), "GET is a read: send it with Read");
    assertRefused(write("refused", 1, command("SADD", "s", "a"), command("SMEMBERS", "s")),
        "SMEMBERS cannot be part of a write batch");
    assertRefused(write("refused", 1, command("SET", "k", "v"), command("FLUSHALL")),
        "FLUSHALL cannot be part of a write batch");
    assertThatThrownBy(() -> node.kv().read(dev.redraft.api.v1.ReadRequest.newBuilder()
        .setCommand(command("XREAD", "BLOCK", "0", "STREAMS", "x", "$")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
            .contains("XREAD with BLOCK is not supported by Redraft"));
  }

  @Test
  void streamIdsAreTheSameOnEveryReplica() {
    String id = node.kv().write(write("streamer", 1, command("XADD", "events", "*", "n", "1")))
        .getReplies(0).getBulk().toStringUtf8();
    assertThat(id).matches("\\d{13}-0");
    node.kv().write(write("streamer", 2, command("XADD", "events", "*", "n", "2"), command("XADD", "events", "*",
        "n", "3")));
    assertThat(read("XLEN", "events").getInteger()).isEqualTo(3);
    assertSameDataEverywhere();
  }

  private static Reply read(String name, String... args) {
    return node.kv().read(dev.redraft.api.v1.ReadRequest.newBuilder().setCommand(command(name, args)).build())
        .getReply();
  }

  private static void assertRefused(dev.redraft.api.v1.WriteRequest request, String messagePart) {
    assertThatThrownBy(() -> node.kv().write(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains(messagePart);
    });
  }

  private static void assertSameDataEverywhere() {
    cluster.awaitSameAppliedIndex();
    String digest = cluster.digest(0);
    for (int i = 1; i < cluster.size(); i++) {
      assertThat(cluster.digest(i)).as("node %d", i).isEqualTo(digest);
    }
  }
}
