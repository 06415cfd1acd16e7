package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.coordinator.testing.AdminHttp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs README.md's quick start, command by command, exactly as written there (only the test
 * command itself is skipped), so the README cannot drift from the scripts. While its cluster runs,
 * it also drives the scripts from another directory and checks the nodes' logs and admin endpoints.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class QuickStartIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir
  Path home;

  @Test
  void readmeQuickStartWorks() throws Exception {
    List<String> commands = quickStartCommands();
    assertThat(commands).as("quick start commands in README.md")
        .anyMatch(c -> c.startsWith("scripts/cluster.sh start"))
        .anyMatch(c -> c.startsWith("scripts/cluster.sh stop"));
    Map<String, String> outputs = new LinkedHashMap<>();
    try {
      for (String command : commands) {
        if (command.startsWith("scripts/test.sh")) {
          continue;
        }
        Result result = run(command);
        assertThat(result.exitCode()).as("'%s' failed:%n%s", command, result.output()).isZero();
        outputs.put(command, result.output());
        if (command.startsWith("scripts/cluster.sh start")) {
          checkFromAnotherDirectory();
        }
      }
    } finally {
      run("scripts/cluster.sh stop");
    }
    assertThat(outputs).hasEntrySatisfying("scripts/redraft get greeting", out -> assertThat(out).contains("hello"));
    // Any Redis client, through a node's RESP port (the quick start's redis-cli line).
    assertThat(outputs).hasEntrySatisfying("scripts/cluster.sh redis-cli get greeting",
        out -> assertThat(out.trim()).isEqualTo("hello"));
    assertThat(outputs).hasEntrySatisfying("scripts/cluster.sh status", out -> assertThat(out).contains("LEADER")
        .contains("FOLLOWER"));
    // stop removed every pid file after stopping its process
    try (var files = Files.walk(home)) {
      assertThat(files.filter(p -> p.toString().endsWith(".pid"))).isEmpty();
    }
  }

  /**
   * While the quick-start cluster runs: the scripts work by absolute path from another directory,
   * each node's log is under its directory, and its admin HTTP endpoints answer.
   */
  private void checkFromAnotherDirectory() throws Exception {
    Path elsewhere = Files.createDirectories(home.resolve("elsewhere"));
    Result status = run(REPO.resolve("scripts/cluster.sh") + " status -o json", elsewhere);
    assertThat(status.exitCode()).as(status.output()).isZero();
    assertThat(status.output()).contains("\"role\": \"LEADER\"");
    Result set = run(REPO.resolve("scripts/redraft") + " set from-elsewhere 1", elsewhere);
    assertThat(set.output()).contains("OK");

    assertThat(Files.readString(home.resolve("n1/coordinator.log"))).contains("node=n1").contains("node n1 serving");
    List<String> http = Files.readAllLines(home.resolve("http-endpoints"));
    assertThat(http).hasSize(3).allMatch(line -> line.matches("n\\d http://127\\.0\\.0\\.1:\\d+"));
    String base = http.get(0).split(" ")[1];
    assertThat(AdminHttp.get(base + "/livez").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> AdminHttp.get(base + "/readyz").status() == 200);
    assertThat(AdminHttp.get(base + "/metrics").body()).contains("redraft_raft_term{");
  }

  /** The commands of the bash blocks under "## Quick start", without comments. */
  static List<String> quickStartCommands() throws IOException {
    List<String> lines = Files.readAllLines(REPO.resolve("README.md"), StandardCharsets.UTF_8);
    List<String> commands = new ArrayList<>();
    boolean inSection = false;
    boolean inBlock = false;
    for (String line : lines) {
      if (line.startsWith("## ")) {
        inSection = line.equals("## Quick start");
        continue;
      }
      if (!inSection) {
        continue;
      }
      if (line.startsWith("```")) {
        inBlock = !inBlock && line.equals("```bash");
        continue;
      }
      if (inBlock) {
        String command = line.replaceAll("\\s+#.*$", "").trim();
        if (!command.isEmpty()) {
          commands.add(command);
        }
      }
    }
    return commands;
  }

  private Result run(String command) throws IOException, InterruptedException {
    return run(command, REPO);
  }

  private Result run(String command, Path workingDir) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", command)
        .directory(workingDir.toFile())
        .redirectErrorStream(true);
    builder.environment().put("REDRAFT_HOME", home.toString());
    builder.environment().remove("REDRAFT_ENDPOINTS");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("'" + command + "' did not finish in 3 minutes:\n" + output);
    }
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
