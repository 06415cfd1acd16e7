package dev.redraft.client.cli;

import static dev.redraft.client.testing.ScriptedServer.answer;
import static dev.redraft.client.testing.ScriptedServer.fail;
import static dev.redraft.client.testing.TestReplies.array;
import static dev.redraft.client.testing.TestReplies.bulk;
import static dev.redraft.client.testing.TestReplies.bulks;
import static dev.redraft.client.testing.TestReplies.error;
import static dev.redraft.client.testing.TestReplies.integer;
import static dev.redraft.client.testing.TestReplies.nil;
import static dev.redraft.client.testing.TestReplies.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.Reply;
import dev.redraft.client.testing.ScriptedServer;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tool's subcommands, run in-process: what they send, what they print, how they exit. */
@Timeout(60)
class RedraftCliTest {
  private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

  @TempDir
  Path workingDir;

  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  private ScriptedServer node;
  private CliRunner cli;

  @BeforeEach
  void start() {
    node = new ScriptedServer();
    node.onWrite((request, observer) -> answer(observer, node.writeReply(replyFor(request.getCommands(0)))));
    node.onRead((request, observer) -> answer(observer, node.readReply(replyFor(request.getCommand()))));
    cli = new CliRunner(workingDir).env("REDRAFT_ENDPOINTS", node.endpoint());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private Reply replyFor(Command command) {
    return replies.getOrDefault(command.getName(), ok());
  }

  private static List<String> argv(Command command) {
    List<String> argv = new ArrayList<>();
    argv.add(command.getName());
    command.getArgsList().forEach(arg -> argv.add(arg.toStringUtf8()));
    return argv;
  }

  private List<String> lastWrite() {
    return argv(node.writes.get(node.writes.size() - 1).getCommands(0));
  }

  private List<String> lastRead() {
    return argv(node.reads.get(node.reads.size() - 1).getCommand());
  }

  @Test
  void setSendsExpiryAndConditionAndPrintsOk() {
    CliRunner.Result result = cli.run("set", "k", "v", "--ex", "10", "--nx");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("OK\n");
    assertThat(lastWrite()).containsExactly("SET", "k", "v", "EX", "10", "NX");

    replies.put("SET", nil());
    assertThat(cli.run("set", "k", "v", "--px", "1500", "--xx").out()).isEqualTo("(nil)\n");
    assertThat(lastWrite()).containsExactly("SET", "k", "v", "PX", "1500", "XX");
  }

  @Test
  void setTakesRedisOwnWordsInAnyCaseAsRedisCliDoes() {
    assertThat(cli.run("set", "k", "v", "EX", "100", "NX").exitCode()).isZero();
    assertThat(lastWrite()).containsExactly("SET", "k", "v", "EX", "100", "NX");
    assertThat(cli.run("SET", "k", "v", "px", "5", "xx", "get").exitCode()).isZero();
    assertThat(lastWrite()).containsExactly("SET", "k", "v", "px", "5", "xx", "get");
    assertThat(cli.run("Set", "k", "v", "KEEPTTL", "--get").exitCode()).isZero();
    assertThat(lastWrite()).containsExactly("SET", "k", "v", "KEEPTTL", "GET");
    assertThat(cli.run("ZRANGE", "z", "0", "-1", "withscores").exitCode()).isZero();
    assertThat(lastRead()).containsExactly("ZRANGE", "z", "0", "-1", "withscores");
  }

  @Test
  void wrongArgumentsAreExitCode2WhoeverFindsThemInOneLine() {
    for (String[] args : List.of(new String[] {"get"}, new String[] {"get", "a", "b"},
        new String[] {"hget", "h"}, new String[] {"hget", "h", "f", "x"}, new String[] {"--endpoints", "", "get", "a"},
        new String[] {"--endpoints", " , ", "get", "a"})) {
      CliRunner.Result result = cli.run(args);
      assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(result.err().strip().lines()).as(result.err()).hasSize(1);
      assertThat(result.err()).doesNotContain("Usage:");
    }
    assertThat(node.reads).isEmpty();
    // The server's words for wrong arguments are a usage error too; an unsupported command is not.
    node.onRead((request, observer) -> fail(observer,
        Status.INVALID_ARGUMENT.withDescription("ERR wrong number of arguments for 'get' command")));
    assertThat(cli.run("cmd", "GET", "a", "b").exitCode()).isEqualTo(2);
    node.onWrite((request, observer) -> fail(observer, Status.INVALID_ARGUMENT.withDescription("ERR syntax error")));
    assertThat(cli.run("set", "k", "v", "bogus").exitCode()).isEqualTo(2);
    node.onWrite((request, observer) -> fail(observer,
        Status.INVALID_ARGUMENT.withDescription("ERR FLUSHALL is not supported by Redraft")));
    assertThat(cli.run("cmd", "FLUSHALL").exitCode()).isEqualTo(1);
  }

  @Test
  void aStackTraceOnlyWithDebug() {
    node.onRead((request, observer) -> fail(observer, Status.UNAVAILABLE.withDescription("no leader")));
    CliRunner.Result plain = cli.run("get", "k", "--timeout", "200ms");
    assertThat(plain.exitCode()).isEqualTo(3);
    assertThat(plain.err().strip().lines()).hasSize(1);
    assertThat(plain.err()).contains("Check the nodes with 'redraft cluster status'");
    CliRunner.Result debug = cli.run("--debug", "get", "k", "--timeout", "200ms");
    assertThat(debug.exitCode()).isEqualTo(3);
    assertThat(debug.err()).contains("\tat ");
  }

  @Test
  void conflictingSetFlagsAreAUsageError() {
    CliRunner.Result result = cli.run("set", "k", "v", "--ex", "10", "--px", "5");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("mutually exclusive");
    assertThat(node.writes).isEmpty();
  }

  @Test
  void repliesPrintLikeRedisCli() {
    replies.put("GET", nil());
    assertThat(cli.run("get", "missing").out()).isEqualTo("(nil)\n");
    replies.put("HGET", bulk("value"));
    assertThat(cli.run("hget", "h", "f").out()).isEqualTo("value\n");
    replies.put("INCRBY", integer(5));
    assertThat(cli.run("incrby", "n", "-3").out()).isEqualTo("(integer) 5\n");
    assertThat(lastWrite()).containsExactly("INCRBY", "n", "-3");

    replies.put("LRANGE", bulks("a", "b", "c"));
    CliRunner.Result list = cli.run("lrange", "l", "0", "-1");
    assertThat(list.out()).isEqualTo("1) a\n2) b\n3) c\n");
    assertThat(lastRead()).containsExactly("LRANGE", "l", "0", "-1");

    replies.put("ZRANGE", array(bulk("m"), array(bulk("x"), bulk("y"))));
    assertThat(cli.run("zrange", "z", "0", "-1").out()).isEqualTo("1) m\n2) 1) x\n   2) y\n");
    replies.put("SMEMBERS", array());
    assertThat(cli.run("smembers", "s").out()).isEqualTo("(empty array)\n");
  }

  @Test
  void jsonOutputForReplies() {
    replies.put("MGET", bulks("a \"quoted\"", null));
    CliRunner.Result result = cli.run("mget", "k1", "k2", "-o", "json");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("[\"a \\\"quoted\\\"\", null]\n");

    replies.put("INCR", integer(7));
    assertThat(cli.run("-o", "json", "incr", "n").out()).isEqualTo("7\n");
    assertThat(cli.run("set", "k", "v", "--output", "JSON").out()).isEqualTo("\"OK\"\n");
  }

  @Test
  void readsAreLinearizableUnlessStaleIsAsked() {
    cli.run("get", "k");
    cli.run("get", "k", "--stale");

    assertThat(node.reads).extracting(r -> r.getConsistency())
        .containsExactly(ReadConsistency.LINEARIZABLE, ReadConsistency.STALE);
    assertThat(node.writes).isEmpty();
  }

  @Test
  void aRedisErrorGoesToStderrWithExitCode1() {
    replies.put("LPUSH", error(WRONGTYPE));

    CliRunner.Result result = cli.run("lpush", "a-string", "x");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("(error) " + WRONGTYPE + "\n");
  }

  @Test
  void aRefusedCommandIsExitCode1() {
    node.onWrite((request, observer) ->
        fail(observer, Status.INVALID_ARGUMENT.withDescription("FLUSHALL is not supported: delete keys with DEL")));

    CliRunner.Result result = cli.run("cmd", "flushall");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("FLUSHALL is not supported: delete keys with DEL");
  }

  @Test
  void anUnavailableClusterIsExitCode3() {
    node.onRead((request, observer) -> fail(observer, Status.UNAVAILABLE.withDescription("no leader")));
    node.onWrite((request, observer) -> fail(observer, Status.UNAVAILABLE.withDescription("no leader")));

    CliRunner.Result read = cli.run("get", "k", "--timeout", "300ms");
    assertThat(read.exitCode()).isEqualTo(3);
    assertThat(read.err()).startsWith("error: no answer from the cluster").contains("no leader");

    CliRunner.Result write = cli.run("incr", "k", "--timeout", "300ms");
    assertThat(write.exitCode()).isEqualTo(3);
    assertThat(write.err()).contains("outcome unknown").contains("may or may not have been applied");
  }

  @Test
  void badArgumentsAreUsageErrors() {
    assertThat(cli.run("get").exitCode()).isEqualTo(2);
    assertThat(cli.run("hset", "h", "f").exitCode()).isEqualTo(2);
    assertThat(cli.run("nosuchcommand").exitCode()).isEqualTo(2);
    // No command: the commands on standard input (none here), as redis-cli < FILE; see CommandsOnStdinCliTest.
    assertThat(cli.run().exitCode()).isZero();
    assertThat(cli.run("get", "k", "--timeout", "soon").err()).contains("not a duration");
    assertThat(node.reads).isEmpty();
    assertThat(cli.run("get", "--help").exitCode()).isZero();
  }

  @Test
  void theGenericCommandChoosesReadOrWrite() {
    replies.put("HGETALL", bulks("f", "v"));
    assertThat(cli.run("cmd", "hgetall", "h").out()).isEqualTo("1) f\n2) v\n");
    assertThat(lastRead()).containsExactly("HGETALL", "h");

    cli.run("cmd", "SET", "k", "v", "EX", "5");
    assertThat(lastWrite()).containsExactly("SET", "k", "v", "EX", "5");

    cli.run("cmd", "--read", "OBJECT", "ENCODING", "k");
    assertThat(lastRead()).containsExactly("OBJECT", "ENCODING", "k");

    cli.run("cmd", "GET", "k", "--stale");
    assertThat(node.reads.get(node.reads.size() - 1).getConsistency()).isEqualTo(ReadConsistency.STALE);

    assertThat(node.reads).hasSize(3);
    assertThat(node.writes).hasSize(1);
  }
}
