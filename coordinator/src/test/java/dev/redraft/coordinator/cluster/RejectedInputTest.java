package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static dev.redraft.coordinator.testing.Grpc.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input gets INVALID_ARGUMENT with a message that says what is wrong, before
 * anything enters the log: every node's Redis and the log stay exactly as they were.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RejectedInputTest {
  @TempDir
  static Path dir;
  static TestCluster cluster;
  static Grpc node;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(3, dir);
    node = new Grpc(cluster.endpoint(cluster.aFollower()));
    node.kv().write(write("setup", 1, command("SET", "existing", "v"), command("RPUSH", "list", "a")));
  }

  @AfterAll
  static void stop() {
    node.close();
    cluster.close();
  }

  @Test
  void unsupportedCommand() {
    assertRejected(write("c", 1, command("GETDELX", "existing")), "unknown command");
  }

  @Test
  void nondeterministicCommands() {
    assertRejected(write("c", 1, command("SPOP", "set")), "SPOP");
    assertRejected(write("c", 1, command("EVAL", "return 1", "0")), "EVAL");
    assertRejected(write("c", 1, command("TIME")), "TIME");
    assertRejected(write("c", 1, command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")), "XREADGROUP");
  }

  @Test
  void wrongArity() {
    assertRejected(write("c", 1, command("SET", "k")), "wrong number of arguments");
    assertRejected(write("c", 1, command("INCR")), "wrong number of arguments");
  }

  @Test
  void readSentAsWriteAndWriteSentAsRead() {
    assertRejected(write("c", 1, command("GET", "existing")), "read");
    assertThatThrownBy(() -> node.kv().read(ReadRequest.newBuilder().setCommand(command("SET", "k", "v")).build()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void reservedKeys() {
    assertRejected(write("c", 1, command("SET", "__redraft:applied", "0")), "reserved");
  }

  @Test
  void oversizedBatchAndValue() {
    List<Command> many = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      many.add(command("INCR", "k" + i));
    }
    assertRejected(WriteRequest.newBuilder().setClientId("c").setSequence(1).addAllCommands(many).build(), "max-batch-commands");
    Command huge = Command.newBuilder().setName("SET").addArgs(ByteString.copyFromUtf8("big"))
        .addArgs(ByteString.copyFrom(new byte[2 * 1024 * 1024])).build();
    assertRejected(write("c", 1, huge), "limit");
  }

  @Test
  void malformedRequests() {
    assertRejected(write("", 1, command("SET", "k", "v")), "client_id");
    assertRejected(write("c", 0, command("SET", "k", "v")), "sequence");
    assertRejected(WriteRequest.newBuilder().setClientId("c").setSequence(1).build(), "at least one command");
    assertRejected(write("c", 1, Command.newBuilder().build()), "");
    assertThatThrownBy(() -> node.kv().read(ReadRequest.getDefaultInstance()))
        .hasMessageContaining("a read needs a command");
  }

  @Test
  void aFailingCommandInABatchRollsTheWholeBatchBack() {
    WriteResponse response = node.kv().write(write("batch-client", 1,
        command("SET", "existing", "changed"), command("INCR", "fresh"), command("LPUSH", "existing", "x")));
    assertThat(response.getRolledBack()).isTrue();
    assertThat(response.getReplies(2).getError()).startsWith("WRONGTYPE");
    cluster.awaitSameAppliedIndex();
    for (int n = 0; n < cluster.size(); n++) {
      try (var redis = cluster.redis(n).jedis()) {
        assertThat(redis.get("existing")).isEqualTo("v");
        assertThat(redis.exists("fresh")).isFalse();
      }
    }
  }

  private static void assertRejected(WriteRequest request, String messagePart) {
    long indexBefore = cluster.awaitSameAppliedIndex();
    List<String> digestsBefore = digests();
    assertThatThrownBy(() -> node.kv().write(request))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isNotBlank().containsIgnoringCase(messagePart);
        });
    assertThat(cluster.awaitSameAppliedIndex()).as("nothing entered the log").isEqualTo(indexBefore);
    assertThat(digests()).as("no node's Redis changed").isEqualTo(digestsBefore);
  }

  private static List<String> digests() {
    List<String> digests = new ArrayList<>();
    for (int n = 0; n < cluster.size(); n++) {
      digests.add(cluster.digest(n));
    }
    return digests;
  }
}
