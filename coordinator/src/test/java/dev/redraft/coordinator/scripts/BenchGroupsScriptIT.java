package dev.redraft.coordinator.scripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/bench.sh --groups 1,2}, as issue 16's figures are measured, cut to a moment per point: a
 * cluster of each group count in turn, each with its results, and a table that compares every group count
 * with the first at as many clients (throughput and CPU per write), which is how the sharding targets read.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class BenchGroupsScriptIT {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir
  Path out;

  @Test
  void eachGroupCountIsMeasuredAndComparedWithTheFirst() throws Exception {
    String output = run(REPO.resolve("scripts/bench.sh").toString(), "--groups", "1,2", "--baselines", "none",
        "--clients", "4", "--duration", "2s", "--warmup", "1s", "--prewarm", "0s", "--repeat", "1",
        "--no-progress", "--out", out.toString());

    for (String groups : List.of("1", "2")) {
      assertThat(out.resolve("groups-" + groups + "/results.csv")).as("results of %s group(s)", groups)
          .isNotEmptyFile();
    }
    List<String> table = output.lines()
        .dropWhile(line -> !line.startsWith("Writes per number of Raft groups")).toList();
    assertThat(table).as("the summary:%n%s", output).hasSizeGreaterThanOrEqualTo(5);
    assertThat(table.get(2)).contains("writes/s x").contains("CPU/write x");
    String[] one = table.get(3).trim().split("\\s+");
    String[] two = table.get(4).trim().split("\\s+");
    assertThat(one).as("1 group, 4 clients: %s", table.get(3)).hasSize(9);
    assertThat(one[0]).isEqualTo("1");
    assertThat(one[1]).isEqualTo("4");
    assertThat(Double.parseDouble(one[2])).as("writes/s").isPositive();
    assertThat(one[7]).as("the first group count against itself").isEqualTo("1.00");
    assertThat(one[8]).isEqualTo("1.00");

    assertThat(two).as("2 groups, 4 clients: %s", table.get(4)).hasSize(9);
    assertThat(two[0]).isEqualTo("2");
    double rateRatio = Double.parseDouble(two[2]) / Double.parseDouble(one[2]);
    double cpuRatio = Double.parseDouble(two[3]) / Double.parseDouble(one[3]);
    assertThat(Double.parseDouble(two[7])).as("writes/s against 1 group's").isCloseTo(rateRatio, offset(0.01));
    assertThat(Double.parseDouble(two[8])).as("CPU per write against 1 group's")
        .isCloseTo(cpuRatio, offset(0.01));
  }

  private String run(String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(out.toFile());
    Path log = Files.createTempFile(out, "bench", ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      // SIGTERM first: bench.sh then stops the clusters it started (by PID); only what is left is killed.
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      throw new AssertionError("bench.sh did not finish in 5 minutes:\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("bench.sh:%n%s", output).isZero();
    return output;
  }
}
