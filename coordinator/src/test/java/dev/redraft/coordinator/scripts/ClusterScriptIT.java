package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.testing.AdminHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts and packaged jars run from another directory than the repository: a one-node cluster
 * started by absolute path with JSON logs (set through the environment), its files under
 * ./.redraft of the current directory, its admin HTTP endpoints, the status table and JSON, and stop.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterScriptIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir
  Path elsewhere;

  @Test
  void clusterScriptWorksFromAnyDirectory() throws Exception {
    String cluster = REPO.resolve("scripts/cluster.sh").toString();
    String redraft = REPO.resolve("scripts/redraft").toString();
    try {
      Result start = run(cluster + " start --nodes 1");
      assertThat(start.exitCode()).as(start.output()).isZero();
      Path home = elsewhere.resolve(".redraft");
      assertThat(home.resolve("n1/coordinator.log")).exists();

      assertThat(run(redraft + " set k v").output()).contains("OK");
      Result table = run(cluster + " status");
      assertThat(table.exitCode()).as(table.output()).isZero();
      assertThat(table.output()).contains("NODE").contains("LEADER").contains("yes");
      Result json = run(redraft + " cluster status -o json");
      assertThat(json.output().strip()).startsWith("[").contains("\"role\": \"LEADER\"");

      List<String> http = Files.readAllLines(home.resolve("http-endpoints"));
      assertThat(http).singleElement().asString().startsWith("n1 http://127.0.0.1:");
      String base = http.get(0).split(" ")[1];
      assertThat(AdminHttp.get(base + "/readyz").status()).isEqualTo(200);
      String scrape = AdminHttp.get(base + "/metrics").body();
      assertThat(AdminHttp.value(scrape, "redraft_requests_seconds_count", Map.of("op", "write", "outcome", "ok")))
          .isGreaterThanOrEqualTo(2);

      // log-format=json came from REDRAFT_LOG_FORMAT: every Redraft line of the node's log is a JSON object.
      List<String> redraftLines = Files.readAllLines(home.resolve("n1/coordinator.log")).stream()
          .filter(l -> l.contains("dev.redraft")).toList();
      assertThat(redraftLines).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"));
      assertThat(redraftLines).anyMatch(l -> l.contains("node n1 serving"));
    } finally {
      Result stop = run(cluster + " stop");
      assertThat(stop.output()).contains("Stopped 1 node(s)");
    }
    try (var files = Files.walk(elsewhere)) {
      assertThat(files.filter(p -> p.toString().endsWith(".pid"))).isEmpty();
    }
  }

  private Result run(String command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", command)
        .directory(elsewhere.toFile())
        .redirectErrorStream(true);
    builder.environment().remove("REDRAFT_HOME");
    builder.environment().remove("REDRAFT_ENDPOINTS");
    builder.environment().put("REDRAFT_LOG_FORMAT", "json");
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
