package dev.redraft.client.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CPU accounting from /proc: a busy child process shows up, per operation and under its own label. */
class CpuMeterTest {

  @Test
  @Timeout(30)
  void aBusyProcessIsChargedPerOperationUnderItsLabel() throws Exception {
    assumeThat(Files.exists(Path.of("/proc/self/stat"))).as("needs Linux /proc").isTrue();
    // A real process that burns about 0.5 s of CPU, then sleeps so it is still there at the second sample.
    Process busy = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done; sleep 30").start();
    try {
      CpuMeter meter = new CpuMeter(List.of(new CpuMeter.Watched("redraft", "n1", busy.pid()),
          new CpuMeter.Watched("redis-raw", "redis", ProcessHandle.current().pid())));
      CpuMeter forRedraft = meter.forTarget("redraft");
      CpuMeter.Sample before = forRedraft.sample();
      // Sampled until the child's CPU shows, charged to its label: over 100 ms, i.e. over 100 us per op of 1000 ops
      // (a meter that missed it times out here).
      CpuMeter.Sample after = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(forRedraft::sample, sample -> CpuMeter.usage(before, sample, 1000).microsPerOp()
              .getOrDefault("n1", 0.0) > 100);

      CpuMeter.Usage usage = CpuMeter.usage(before, after, 1000);

      assertThat(usage.microsPerOp()).containsOnlyKeys(CpuMeter.GENERATOR, "n1", "total");
      assertThat(usage.microsPerOp().get("total"))
          .isEqualTo(usage.microsPerOp().get("n1") + usage.microsPerOp().get(CpuMeter.GENERATOR));
    } finally {
      busy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(30)
  void theJitCompilersOfAWatchedJvmAreFoundAndAProcessWithoutThemHasNone() throws Exception {
    assumeThat(Files.exists(Path.of("/proc/self/task"))).as("needs Linux /proc").isTrue();
    // This test's own JVM has compiled plenty by now (JUnit, AssertJ); a shell has no compiler threads.
    Process shell = new ProcessBuilder("sleep", "30").start();
    try {
      Map<Long, Long> own = CpuMeter.compilerNanos(ProcessHandle.current().pid());
      assertThat(own).as("this JVM's C1/C2 threads").isNotEmpty();
      assertThat(own.values().stream().mapToLong(Long::longValue).sum()).isPositive();
      assertThat(CpuMeter.compilerNanos(shell.pid())).as("a process that is no JVM").isEmpty();
      assertThat(CpuMeter.compilerNanos(Long.MAX_VALUE)).as("a process that is gone").isEmpty();

      CpuMeter meter = new CpuMeter(List.of(new CpuMeter.Watched("redraft", "n1", ProcessHandle.current().pid())));
      assertThat(meter.sample().jitNanos()).isNotEmpty().allSatisfy((key, nanos) -> assertThat(key).startsWith("n1/"));
    } finally {
      shell.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void jitTimeIsSummedPerCompilerThreadAndAThreadStartedMeanwhileCountsWhole() {
    CpuMeter.Sample before = new CpuMeter.Sample(Map.of(CpuMeter.GENERATOR, 0L, "n1", 0L, "n2", 0L),
        Map.of("n1/10", 100_000L, "n2/20", 50_000L, "n2/21", 70_000L), 0, 0);
    // n1/10 compiled 200 us more; n2/20 ended (its last part is gone with it); n2/22 started and took 40 us.
    CpuMeter.Sample after = new CpuMeter.Sample(Map.of(CpuMeter.GENERATOR, 0L, "n1", 2_000_000L, "n2", 1_000_000L),
        Map.of("n1/10", 300_000L, "n2/21", 70_000L, "n2/22", 40_000L), 0, 0);

    CpuMeter.Usage usage = CpuMeter.usage(before, after, 10);

    assertThat(usage.jitMicrosPerOp()).as("(200 + 40) us over 10 operations").isEqualTo(24.0);
    assertThat(usage.microsPerOp().get("total")).as("the JIT is part of the processes' CPU, not added").isEqualTo(300.0);
  }

  @Test
  void aProcessThatIsGoneIsLeftOutRatherThanMiscounted() {
    CpuMeter meter = new CpuMeter(List.of(new CpuMeter.Watched("redraft", "ghost", Long.MAX_VALUE)));
    CpuMeter.Usage usage = CpuMeter.usage(meter.sample(), meter.sample(), 10);
    assertThat(usage.microsPerOp()).doesNotContainKey("ghost").containsKey(CpuMeter.GENERATOR);
    assertThat(CpuMeter.usage(meter.sample(), meter.sample(), 0)).isEqualTo(CpuMeter.Usage.NONE);
  }

  @Test
  void badPidSpecificationsAreRefusedClearly() {
    assertThat(CpuMeter.Watched.parse("redraft/n1=42")).isEqualTo(new CpuMeter.Watched("redraft", "n1", 42));
    assertThatThrownBy(() -> CpuMeter.Watched.parse("n1=42")).hasMessageContaining("TARGET/LABEL=PID");
    assertThatThrownBy(() -> CpuMeter.Watched.parse("redraft/n1=abc")).hasMessageContaining("not a number");
  }
}
