package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line tool as a user runs it ({@code scripts/redraft}, a real cluster started by
 * {@code scripts/cluster.sh}): Redis' own syntax, exit codes whoever detects the error, one-line
 * errors without stack traces, {@code cluster status} with a node down, fail-fast against a stopped
 * cluster, batches, binary values (-x, quoting, base64), commands on stdin, the interactive prompt
 * through a pseudo-terminal, a leader transfer to a stopped node, the cluster script's help and hints,
 * and README's command-line session (issue 14).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class CommandLineToolIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
  private static final String CLUSTER = REPO.resolve("scripts/cluster.sh").toString();
  private static final String REDRAFT = REPO.resolve("scripts/redraft").toString();

  @TempDir
  Path home;

  @TempDir
  Path elsewhere;

  @AfterEach
  void stop() throws Exception {
    run(CLUSTER, "stop", "--dir", home.toString());
  }

  @Test
  void theToolBehavesAsRedisCliAndEtcdctlUsersExpect() throws Exception {
    Result started = run(CLUSTER, "start", "--dir", home.toString());
    assertThat(started.exitCode()).as(started.output()).isZero();
    // The hint works as printed: from another directory, with a DIR other than ./.redraft.
    String hint = started.output().lines().filter(l -> l.startsWith("Try: ")).findFirst().orElseThrow();
    assertThat(hint).contains("REDRAFT_HOME=" + home);
    Result tried = runShell(hint.substring("Try: ".length()));
    assertThat(tried.exitCode()).as(tried.output()).isZero();
    assertThat(tried.output()).contains("hello");

    redisSyntax();
    batches();
    binaryValues();
    commandsOnStdin();
    interactivePrompt();
    exitCodes();
    nodeDown();

    run(CLUSTER, "stop", "--dir", home.toString());
    failsFastWhenNoNodeAnswers();
  }

  /** SET's and ZRANGE's options in Redis' words, any case; the old flags still work. */
  private void redisSyntax() throws Exception {
    assertOut(redraft("set", "k", "v", "EX", "100", "NX"), 0, "OK");
    assertOut(redraft("set", "k", "v2", "ex", "100", "nx"), 0, "(nil)");
    assertThat(Long.parseLong(redraft("ttl", "k").output().replaceAll("\\D", ""))).isBetween(1L, 100L);
    assertOut(redraft("SET", "k", "v3", "px", "900000", "xx", "get"), 0, "v");
    assertOut(redraft("Get", "k"), 0, "v3");
    assertOut(redraft("set", "k", "v4", "keepttl"), 0, "OK");
    assertThat(Long.parseLong(redraft("pttl", "k").output().replaceAll("\\D", ""))).isBetween(1L, 900_000L);
    assertOut(redraft("set", "f", "1", "--ex", "100", "--nx"), 0, "OK");
    assertOut(redraft("zadd", "board", "1", "ada", "2", "bob"), 0, "(integer) 2");
    assertOut(redraft("zrange", "board", "0", "-1", "WITHSCORES"), 0, "1) ada\n2) 1\n3) bob\n4) 2");
    assertOut(redraft("ZRANGE", "board", "0", "-1", "withscores"), 0, "1) ada\n2) 1\n3) bob\n4) 2");
  }

  /** redraft batch: one atomic write from arguments or stdin; a rollback names the command, changes nothing. */
  private void batches() throws Exception {
    assertOut(redraft("batch", "SET bk 1", "INCR bk", "set bs \"a b\""), 0, "OK\n(integer) 2\nOK");
    assertOut(redraftWithInput("# from stdin\nINCR bk\nAPPEND bs c\nLPUSH bl x\n", "batch", "-o", "json"), 0,
        "[3, 4, 1]");
    Result rolledBack = redraftWithInput("SET bk 100\nHSET bs f v\nSET other 1\n", "batch");
    assertThat(rolledBack.exitCode()).as(rolledBack.output()).isEqualTo(1);
    assertThat(rolledBack.stderr().strip()).startsWith("(error) batch rolled back, nothing changed: command 2 of 3 "
        + "(HSET bs f v) failed: WRONGTYPE");
    assertOneLine(rolledBack, List.of("batch"));
    assertOut(redraft("get", "bk"), 0, "3");
    assertOut(redraft("exists", "other"), 0, "(integer) 0");
  }

  /**
   * Every byte value, set with -x (200 KB, too long for an argument list) and read back identical
   * through -o json's base64; human output quotes what is not text and lets no escape code through.
   */
  private void binaryValues() throws Exception {
    byte[] value = new byte[200 * 1024];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 7 + i / 256);
    }
    Path file = elsewhere.resolve("value.bin");
    Files.write(file, value);
    assertOut(redraft(file, "-x", "set", "bin"), 0, "OK");
    assertOut(redraft("strlen", "bin"), 0, "(integer) " + value.length);
    Result json = redraft("get", "bin", "-o", "json");
    assertThat(json.exitCode()).as(json.stderr()).isZero();
    String base64 = json.stdout().strip().replaceFirst("^\\{\"base64\": \"(.*)\"}$", "$1");
    assertThat(Base64.getDecoder().decode(base64)).isEqualTo(value);
    Result raw = redraft("-o", "raw", "get", "bin");
    assertThat(raw.exitCode()).as(raw.stderr()).isZero();
    assertThat(raw.stdoutBytes()).isEqualTo(value);
    Result human = redraft("get", "bin");
    assertThat(human.stdout()).startsWith("\"").doesNotContain("\u001b").doesNotContain("\ufffd");

    Files.write(file, "\u001b[31mred\n".getBytes(StandardCharsets.UTF_8));
    assertOut(redraft(file, "-x", "set", "esc"), 0, "OK");
    assertOut(redraft("get", "esc"), 0, "\"\\x1b[31mred\\n\"");
    assertOut(redraft("get", "esc", "-o", "json"), 0, "\"\\u001b[31mred\\n\"");
    // The quoted form is valid input again: the same bytes.
    assertOut(redraft("batch", "SET esc2 \"\\x1b[31mred\\n\""), 0, "OK");
    assertOut(redraft("get", "esc2"), 0, "\"\\x1b[31mred\\n\"");
  }

  /** No command, stdin not a terminal: the lines run in turn, as redis-cli < FILE. */
  private void commandsOnStdin() throws Exception {
    Result result = redraftWithInput("SET s 1\nINCR s\nbogus\nGET s\n");
    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    assertThat(result.stdout()).isEqualTo("OK\n(integer) 2\n2\n");
    assertThat(result.stderr()).contains("unknown command 'BOGUS'").doesNotContain("\tat ");
  }

  /**
   * On a terminal (a pseudo-terminal from script(1)): a prompt naming the node, Redis commands with
   * redis-cli quoting, the tool's own commands, help, history in ~/.redraft_history, quit; one JVM.
   */
  private void interactivePrompt() throws Exception {
    Path fakeHome = Files.createDirectories(elsewhere.resolve("home"));
    ProcessBuilder builder = new ProcessBuilder("script", "-qfec", "stty cols 200 rows 50; exec " + REDRAFT, "/dev/null")
        .directory(elsewhere.toFile()).redirectErrorStream(true);
    builder.environment().put("REDRAFT_HOME", home.toString());
    builder.environment().remove("REDRAFT_ENDPOINTS");
    builder.environment().put("HOME", fakeHome.toString());
    builder.environment().put("TERM", "xterm");
    Process process = builder.start();
    StringBuffer screen = new StringBuffer();
    Thread reader = new Thread(() -> {
      try (var in = process.getInputStream()) {
        byte[] buffer = new byte[4096];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          screen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        // the process ended
      }
    });
    reader.start();
    String endpoint = Files.readAllLines(home.resolve("endpoints")).get(0).strip();
    String prompt = endpoint + "> ";
    try (var keyboard = process.getOutputStream()) {
      String[] lines = {"set p \"x\\xffy\"", "incr pc", "get p", "cluster status", "help", "quit"};
      for (int i = 0; i < lines.length; i++) {
        awaitCount(screen, prompt, i + 1);
        keyboard.write((lines[i] + "\r").getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
      }
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(screen.toString()).isTrue();
    } finally {
      process.destroyForcibly();
    }
    reader.join(5_000);
    String output = screen.toString();
    assertThat(process.exitValue()).as(output).isZero();
    // The quoted value twice: the line as typed, echoed, and GET's reply.
    assertThat(occurrences(output, "\"x\\xffy\"")).as(output).isEqualTo(2);
    assertThat(output).contains("OK").contains("(integer) 1").contains("NODE  API")
        .contains("Type Redis commands as redis-cli takes them").doesNotContain("\tat ");
    assertThat(Files.readString(fakeHome.resolve(".redraft_history"))).contains("incr pc").contains("cluster status");
    assertOut(redraft("get", "pc"), 0, "1");
  }

  private static void awaitCount(StringBuffer screen, String text, int count) {
    await("prompt " + count + " ('" + text + "') shown").atMost(Duration.ofSeconds(60))
        .until(() -> occurrences(screen.toString(), text) >= count);
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      count++;
    }
    return count;
  }

  /** README's table: 2 for wrong arguments whether the tool or the server finds them; one line each. */
  private void exitCodes() throws Exception {
    for (List<String> args : List.of(List.of("get"), List.of("get", "a", "b"), List.of("cmd", "get", "a", "b"),
        List.of("set", "k", "v", "EX"), List.of("set", "k", "v", "bogus"), List.of("--endpoints", "", "get", "a"),
        List.of("--no-such-flag", "get", "a"))) {
      Result result = redraft(args.toArray(String[]::new));
      assertThat(result.exitCode()).as("redraft %s:%n%s", args, result.output()).isEqualTo(2);
      assertOneLine(result, args);
    }
    Result refused = redraft("cmd", "SPOP", "s");
    assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
    assertOneLine(refused, List.of("cmd", "SPOP", "s"));
    Result help = run(CLUSTER, "help");
    assertThat(help.exitCode()).as(help.output()).isZero();
    assertThat(help.output()).contains("scripts/cluster.sh start");
  }

  /** A stopped node: shown in the table, no stack trace, no pointless hint, exit 1. */
  private void nodeDown() throws Exception {
    Result stopped = run(CLUSTER, "stop-node", "n3", "--dir", home.toString());
    assertThat(stopped.exitCode()).as(stopped.output()).isZero();
    assertThat(stopped.output()).contains("--dir " + home);
    for (String command : List.of("cluster status", "member list")) {
      Result result = redraft(command.split(" "));
      assertThat(result.exitCode()).as("%s with n3 down:%n%s", command, result.output()).isEqualTo(1);
      assertThat(result.output()).contains("UNREACHABLE").contains("n3 (unreachable)")
          .doesNotContain("\tat ").doesNotContain("Caused by").doesNotContain("cluster status'");
      Result json = redraft(command.split(" ")[0], command.split(" ")[1], "-o", "json");
      assertThat(json.exitCode()).isEqualTo(1);
      assertThat(json.stdout()).startsWith("[").contains("\"reachable\": false");
    }
    assertOut(redraft("get", "k"), 0, "v4");

    // A transfer to the stopped node is refused at once (JVM start included), not after 2 minutes.
    long start = System.nanoTime();
    Result transfer = redraft("leader", "transfer", "n3");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(transfer.exitCode()).as(transfer.output()).isEqualTo(1);
    assertThat(transfer.stderr()).contains("node n3 is unreachable").contains("nothing changed");
    assertOneLine(transfer, List.of("leader", "transfer", "n3"));
    assertThat(millis).as("leader transfer to a stopped node").isLessThan(15_000); // a loaded machine's JVM start
  }

  /** Every node stopped: an answer within seconds (1.5 s of connection attempts), exit 3, one line. */
  private void failsFastWhenNoNodeAnswers() throws Exception {
    for (String[] args : List.of(new String[] {"get", "k"}, new String[] {"cluster", "status"})) {
      long start = System.nanoTime();
      Result result = redraft(args);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(result.exitCode()).as(result.output()).isEqualTo(3);
      // JVM start included (about 1 s on these machines); before: ~10 s of retries.
      assertThat(millis).as("redraft %s against a stopped cluster: %s", String.join(" ", args), result.output())
          .isLessThan(8_000); // room for a loaded machine's JVM start, under the ~10 s of retries before
      assertOneLine(result, List.of(args));
      assertThat(result.output()).contains("no node answered");
      if (args[0].equals("cluster")) {
        assertThat(result.output()).doesNotContain("Check the nodes with 'redraft cluster status'");
      } else {
        assertThat(result.output()).contains("Check the nodes with 'redraft cluster status'");
      }
    }
  }

  private static void assertOut(Result result, int exitCode, String expected) {
    assertThat(result.exitCode()).as(result.output()).isEqualTo(exitCode);
    assertThat(result.stdout().strip()).isEqualTo(expected);
  }

  private static void assertOneLine(Result result, List<String> args) {
    assertThat(result.stderr().strip().lines().count()).as("redraft %s: %s", args, result.stderr()).isEqualTo(1);
    assertThat(result.output()).doesNotContain("\tat ").doesNotContain("Usage:");
  }

  /**
   * README's session in "Command-line tool", line by line against a fresh cluster: each command's
   * output (stdout and stderr as a terminal shows them) as the README shows it.
   */
  @Test
  void readmeCommandLineSessionHolds() throws Exception {
    Result started = run(CLUSTER, "start", "--dir", home.toString());
    assertThat(started.exitCode()).as(started.output()).isZero();
    // The session stops n3: it must not be the leader, or the election that follows shows in the table.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
        .until(() -> redraft("leader", "transfer", "n1").exitCode() == 0);
    List<ReadmeTranscript.Example> examples = ReadmeTranscript.examples(REPO.resolve("README.md"), "Command-line tool");
    assertThat(examples).as("README's command-line session").hasSizeGreaterThan(8);
    for (ReadmeTranscript.Example example : examples) {
      Result result = run(REPO, null, true, "bash", "-c", "{ " + example.command() + "; } 2>&1");
      List<String> actual = result.stdout().lines().toList();
      assertThat(ReadmeTranscript.mismatch(example.output(), actual))
          .as("README: $ %s%ngave:%n%s", example.command(), result.stdout()).isEmpty();
      if (example.output().stream().noneMatch(line -> line.startsWith("exit "))) {
        assertThat(result.exitCode()).as("$ %s%n%s", example.command(), result.output()).isZero();
      }
    }
  }

  private Result redraft(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = REDRAFT;
    System.arraycopy(args, 0, command, 1, args.length);
    return run(command);
  }

  /** A line as a user would type it in a fresh shell: no REDRAFT_HOME unless the line sets it. */
  private Result runShell(String line) throws IOException, InterruptedException {
    return run(false, "bash", "-c", line);
  }

  private Result run(String... command) throws IOException, InterruptedException {
    return run(true, command);
  }

  /** The tool with this file as its standard input. */
  private Result redraft(Path stdin, String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = REDRAFT;
    System.arraycopy(args, 0, command, 1, args.length);
    return run(elsewhere, stdin, true, command);
  }

  private Result redraftWithInput(String stdin, String... args) throws IOException, InterruptedException {
    Path file = Files.createTempFile(elsewhere, "stdin", ".txt");
    Files.writeString(file, stdin);
    return redraft(file, args);
  }

  private Result run(boolean withHome, String... command) throws IOException, InterruptedException {
    return run(elsewhere, null, withHome, command);
  }

  private Result run(Path dir, Path stdin, boolean withHome, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.redirectInput(stdin != null ? stdin.toFile() : new java.io.File("/dev/null"));
    builder.environment().remove("REDRAFT_HOME");
    if (withHome) {
      builder.environment().put("REDRAFT_HOME", home.toString());
    }
    builder.environment().remove("REDRAFT_ENDPOINTS");
    Path out = Files.createTempFile(elsewhere, "out", ".log");
    Path err = Files.createTempFile(elsewhere, "err", ".log");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = builder.start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 3 minutes");
    }
    byte[] stdout = Files.readAllBytes(out);
    return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8), stdout);
  }

  private record Result(int exitCode, String stdout, String stderr, byte[] stdoutBytes) {
    String output() {
      return stdout + stderr;
    }
  }
}
