package dev.redraft.client.cli;

import static dev.redraft.client.testing.ScriptedServer.answer;
import static dev.redraft.client.testing.TestReplies.error;
import static dev.redraft.client.testing.TestReplies.integer;
import static dev.redraft.client.testing.TestReplies.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.client.testing.ScriptedServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code redraft batch} and binary-safe values ({@code -x}, quoting, base64), run in-process. */
@Timeout(60)
class BatchAndBinaryCliTest {
  @TempDir
  Path workingDir;

  private ScriptedServer node;
  private CliRunner cli;
  private volatile Reply readReply = ok();

  @BeforeEach
  void start() {
    node = new ScriptedServer();
    node.onWrite((request, observer) -> answer(observer, batchReply(request)));
    node.onRead((request, observer) -> answer(observer, node.readReply(readReply)));
    cli = new CliRunner(workingDir).env("REDRAFT_ENDPOINTS", node.endpoint());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  /** OK for SET, 1 for INCR; a command named FAIL fails the batch, which is rolled back. */
  private WriteResponse batchReply(WriteRequest request) {
    List<Reply> replies = new ArrayList<>();
    for (Command command : request.getCommandsList()) {
      if (command.getName().equals("FAIL")) {
        replies.add(error("ERR value is not an integer or out of range"));
        return WriteResponse.newBuilder(node.writeReply(replies.toArray(Reply[]::new))).setRolledBack(true).build();
      }
      replies.add(command.getName().equals("INCR") ? integer(1) : ok());
    }
    return node.writeReply(replies.toArray(Reply[]::new));
  }

  private List<List<String>> lastBatch() {
    WriteRequest request = node.writes.get(node.writes.size() - 1);
    return request.getCommandsList().stream().map(c -> {
      List<String> argv = new ArrayList<>();
      argv.add(c.getName());
      c.getArgsList().forEach(a -> argv.add(a.toString(StandardCharsets.ISO_8859_1)));
      return argv;
    }).toList();
  }

  @Test
  void batchFromArgumentsIsOneWriteAndPrintsEachReply() {
    CliRunner.Result result = cli.run("batch", "SET a 1", "incr a", "set b \"x y\"");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.writes).hasSize(1);
    assertThat(lastBatch()).containsExactly(List.of("SET", "a", "1"), List.of("INCR", "a"), List.of("SET", "b", "x y"));
    assertThat(result.out()).isEqualTo("OK\n(integer) 1\nOK\n");
  }

  @Test
  void batchFromStdinOrAFileOnePerLineWithRedisCliQuoting() throws Exception {
    String lines = "# a comment\nSET k \"\\xff\\x00\"\r\n\nINCR n\nSET q 'it\\'s'";
    CliRunner.Result result = cli.runWithInput(lines.getBytes(StandardCharsets.UTF_8), "batch", "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(lastBatch()).containsExactly(List.of("SET", "k", "\u00ff\u0000"), List.of("INCR", "n"),
        List.of("SET", "q", "it's"));
    assertThat(result.out()).isEqualTo("[\"OK\", 1, \"OK\"]\n");

    Files.writeString(workingDir.resolve("cmds.txt"), "SET f 1\nINCR f\n");
    assertThat(cli.run("batch", "-f", "cmds.txt").exitCode()).isZero();
    assertThat(lastBatch()).containsExactly(List.of("SET", "f", "1"), List.of("INCR", "f"));
  }

  @Test
  void aRolledBackBatchNamesTheFailingCommandAndSaysNothingChanged() {
    CliRunner.Result result = cli.run("batch", "SET a 1", "FAIL a", "SET b 2");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("(error) batch rolled back, nothing changed: command 2 of 3 (FAIL a) failed: "
        + "ERR value is not an integer or out of range\n");
  }

  @Test
  void badBatchInputIsAUsageError() {
    CliRunner.Result unbalanced = cli.run("batch", "SET a \"1");
    assertThat(unbalanced.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(unbalanced.err()).contains("line 1: unbalanced quotes").hasLineCount(1);
    CliRunner.Result empty = cli.runWithInput("\n# nothing\n".getBytes(StandardCharsets.UTF_8), "batch");
    assertThat(empty.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(empty.err()).contains("no commands in the batch");
    assertThat(node.writes).isEmpty();
  }

  @Test
  void dashXSendsStandardInputAsTheLastArgumentByteForByte() {
    byte[] every = new byte[256 * 800];
    for (int i = 0; i < every.length; i++) {
      every[i] = (byte) i;
    }
    CliRunner.Result result = cli.runWithInput(every, "-x", "set", "k");

    assertThat(result.exitCode()).as(result.err()).isZero();
    Command sent = node.writes.get(0).getCommands(0);
    assertThat(sent.getName()).isEqualTo("SET");
    assertThat(sent.getArgs(0).toStringUtf8()).isEqualTo("k");
    assertThat(sent.getArgs(1).toByteArray()).isEqualTo(every);

    // Any Redis command, arity checked as if the value had been typed; not for admin commands.
    assertThat(cli.runWithInput("v".getBytes(StandardCharsets.UTF_8), "-x", "hset", "h", "f").exitCode()).isZero();
    assertThat(node.writes.get(1).getCommands(0).getArgsList()).extracting(ByteString::toStringUtf8)
        .containsExactly("h", "f", "v");
    CliRunner.Result admin = cli.run("-x", "cluster", "status");
    assertThat(admin.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(admin.err()).contains("-x reads the last argument");
  }

  @Test
  void binaryValuesPrintQuotedForPeopleAndAsBase64InJson() {
    readReply = Reply.newBuilder().setBulk(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x1b, 'a'})).build();

    assertThat(cli.run("get", "k").out()).isEqualTo("\"\\xff\\x1ba\"\n");
    assertThat(cli.run("get", "k", "-o", "json").out()).isEqualTo("{\"base64\": \"/xth\"}\n");
  }

  @Test
  void rawOutputIsTheValuesExactBytes() {
    byte[] value = {(byte) 0xff, 0x1b, 'a', '\n', 0};
    readReply = Reply.newBuilder().setBulk(ByteString.copyFrom(value)).build();
    assertThat(cli.run("-o", "raw", "get", "k").outBytes()).isEqualTo(value);

    readReply = Reply.newBuilder().setNil(true).build();
    assertThat(cli.run("-o", "raw", "get", "k").outBytes()).isEmpty();
    assertThat(cli.run("-o", "raw", "incr", "n").out()).isEqualTo("1\n");
    assertThat(cli.run("-o", "raw", "batch", "SET a 1", "INCR a").out()).isEqualTo("OK\n1\n");
  }
}
