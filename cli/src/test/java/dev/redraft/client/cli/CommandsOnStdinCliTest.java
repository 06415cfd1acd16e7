package dev.redraft.client.cli;

import static dev.redraft.client.testing.ScriptedServer.answer;
import static dev.redraft.client.testing.TestReplies.bulk;
import static dev.redraft.client.testing.TestReplies.error;
import static dev.redraft.client.testing.TestReplies.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.client.testing.ScriptedServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redraft} with no command and standard input that is not a terminal: the lines are run one
 * by one, as {@code redis-cli < FILE} runs them, with one client. (The prompt on a terminal is driven
 * through a pseudo-terminal in CommandLineToolIT.)
 */
@Timeout(60)
class CommandsOnStdinCliTest {
  @TempDir
  Path workingDir;

  private ScriptedServer node;
  private CliRunner cli;

  @BeforeEach
  void start() {
    node = new ScriptedServer();
    node.onWrite((request, observer) -> answer(observer, node.writeReply(
        request.getCommands(0).getName().equals("HSET") ? error("WRONGTYPE wrong kind") : ok())));
    node.onRead((request, observer) -> answer(observer, node.readReply(bulk("v"))));
    cli = new CliRunner(workingDir).env("REDRAFT_ENDPOINTS", node.endpoint());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private CliRunner.Result stdin(String text, String... args) {
    return cli.runWithInput(text.getBytes(StandardCharsets.UTF_8), args);
  }

  @Test
  void eachLineRunsInTurnWithRedisCliQuoting() {
    CliRunner.Result result = stdin("set k \"a\\xffb\"\r\n\nGET k\n");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo("OK\nv\n");
    assertThat(node.writes.get(0).getCommands(0).getArgs(1).toByteArray()).isEqualTo(new byte[] {'a', (byte) 0xff, 'b'});
    assertThat(node.reads).hasSize(1);
  }

  @Test
  void aFailingLineIsReportedAndTheRestStillRunsTheExitCodeIsTheFirstFailure() {
    CliRunner.Result result = stdin("HSET h f v\nSET a \"open\nGET k\n");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.COMMAND_FAILED);
    assertThat(result.err()).isEqualTo("(error) WRONGTYPE wrong kind\nerror: unbalanced quotes: a \" is not closed\n");
    assertThat(result.out()).isEqualTo("v\n");
  }

  @Test
  void quitStopsToolCommandsAndHelpWork() {
    CliRunner.Result result = stdin("help\nhelp get\ncluster\nquit\nGET k\n");

    assertThat(result.out()).contains("Type Redis commands as redis-cli takes them").contains("Usage: redraft get")
        .doesNotContain("\nv\n");
    assertThat(result.err()).contains("missing subcommand: try 'redraft cluster status'");
    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(node.reads).isEmpty();
  }

  @Test
  void flagsWorkAsOnTheCommandLine() {
    CliRunner.Result result = stdin("get k --stale\nset k v --ex 10\nset k \"-\\xff\"\n");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(node.reads.get(0).getConsistency()).isEqualTo(ReadConsistency.STALE);
    assertThat(node.writes.get(0).getCommands(0).getArgsList()).extracting(ByteString::toStringUtf8)
        .containsExactly("k", "v", "EX", "10");
    // Not text: sent as is.
    assertThat(node.writes.get(1).getCommands(0).getArgs(1).toByteArray()).isEqualTo(new byte[] {'-', (byte) 0xff});
  }

  @Test
  void nothingOnStdinIsNothingToDo() {
    assertThat(stdin("").exitCode()).isZero();
    CliRunner.Result misplaced = stdin("v", "-x");
    assertThat(misplaced.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(misplaced.err()).contains("-x needs a Redis command");
  }
}
