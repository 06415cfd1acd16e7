package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * cluster, and the cluster script's help and hints (issue 14).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
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
          .isLessThan(6_000);
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

  private Result run(boolean withHome, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
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
    return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private record Result(int exitCode, String stdout, String stderr) {
    String output() {
      return stdout + stderr;
    }
  }
}
