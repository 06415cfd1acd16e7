package dev.redraft.coordinator.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redraft.coordinator.chaos.harness.ChaosCluster;
import dev.redraft.coordinator.chaos.harness.ChaosRun;
import dev.redraft.coordinator.chaos.harness.FaultType;
import dev.redraft.coordinator.chaos.harness.Requirements;
import dev.redraft.coordinator.chaos.harness.RunDirs;
import dev.redraft.coordinator.chaos.harness.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The long randomized run behind {@code scripts/chaos.sh --duration 30m}: random faults (every
 * kind, membership changes included, random holds) for the given time, then the same verdict as the CI
 * schedule. Skipped unless {@code -Dchaos.duration} is set (CI runs the bounded schedule instead).
 * Optional: {@code -Dchaos.seed}, {@code -Dchaos.nodes} (3 or 5), {@code -Dchaos.dir}.
 */
class ChaosSoakIT {
  @Test
  void randomFaultsForTheGivenDuration() {
    String durationText = System.getProperty("chaos.duration", "");
    assumeTrue(!durationText.isBlank(), "long randomized run: start it with scripts/chaos.sh --duration 30m");
    Requirements.assumeMultiProcessCluster();
    Duration duration = parse(durationText);
    assertTimeoutPreemptively(duration.plus(Duration.ofMinutes(20)), () -> soak(duration));
  }

  private static void soak(Duration duration) {
    long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
    int nodes = Integer.getInteger("chaos.nodes", 3);
    Random random = new Random(seed);
    boolean skew = Requirements.faketimeAvailable();
    List<FaultType> kinds = new ArrayList<>(Arrays.stream(FaultType.values())
        .filter(f -> skew || f != FaultType.CLOCK_SKEW).toList());
    Path dir = RunDirs.create("soak");
    System.out.println("chaos soak: seed " + seed + ", " + nodes + " nodes, " + duration + ", files in " + dir);
    try (ChaosCluster cluster = ChaosCluster.start(dir, new ChaosCluster.Options().size(nodes))) {
      ChaosRun run = new ChaosRun(cluster, dir, seed, Workload.Settings.defaults()
          .withMaxDuration(duration.plus(Duration.ofMinutes(5))).withMaxOps(20_000_000));
      long end = System.nanoTime() + duration.toNanos();
      try {
        while (System.nanoTime() < end) {
          FaultType fault = kinds.get(random.nextInt(kinds.size()));
          run.apply(fault, Duration.ofSeconds(3 + random.nextInt(10)));
        }
      } catch (AssertionError | RuntimeException stopped) {
        run.abort(stopped);
        throw stopped;
      }
      ChaosRun.Verdict verdict = run.finish();
      System.out.println(verdict.summary());
      assertThat(verdict.problems()).as("soak run (seed %d) failed; files in %s%n%s", seed, dir, verdict.summary())
          .isEmpty();
      RunDirs.prune(dir);
    }
  }

  static Duration parse(String text) {
    String t = text.trim().toLowerCase();
    long n = Long.parseLong(t.replaceAll("[smh]$", ""));
    return switch (t.charAt(t.length() - 1)) {
      case 'h' -> Duration.ofHours(n);
      case 'm' -> Duration.ofMinutes(n);
      case 's' -> Duration.ofSeconds(n);
      default -> Duration.ofSeconds(n);
    };
  }
}
