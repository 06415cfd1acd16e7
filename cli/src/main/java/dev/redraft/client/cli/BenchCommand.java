package dev.redraft.client.cli;

import dev.redraft.client.cli.bench.BenchReport;
import dev.redraft.client.cli.bench.Comparison;
import dev.redraft.client.cli.bench.CpuMeter;
import dev.redraft.client.cli.bench.LoadRunner;
import dev.redraft.client.cli.bench.LoadSettings;
import dev.redraft.client.cli.bench.Operation;
import dev.redraft.client.cli.bench.OperationMix;
import dev.redraft.client.cli.bench.PointResult;
import dev.redraft.client.cli.bench.RedisTarget;
import dev.redraft.client.cli.bench.RedraftTarget;
import dev.redraft.client.cli.bench.ResultWriter;
import dev.redraft.client.cli.bench.Target;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code redraft bench}: a closed-loop load generator for a Redraft cluster and, in the same run and
 * with the same generator, plain Redis baselines. See README.md, "Benchmark".
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Drive a closed-loop load against the cluster (and Redis baselines given with --baseline), "
        + "print throughput and latency percentiles, write results.csv, results.json and chart.svg.",
        "Every number of clients is measured for every target back to back; with --repeat the whole sweep is "
            + "repeated and medians are reported, with the first target's throughput ratio to each baseline."})
final class BenchCommand implements Callable<Integer> {
  /** Longest prewarm of a Redis baseline: Redis compiles nothing, and the generator's Jedis path is small. */
  static final int BASELINE_PREWARM_SECONDS = 15;
  @Spec
  CommandSpec spec;

  @Option(names = "--clients", split = ",", paramLabel = "N[,N...]", defaultValue = "1,4,16,50",
      description = "Numbers of concurrent clients, one point each (default: ${DEFAULT-VALUE}).")
  List<Integer> clients;

  @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "100",
      description = "Size of each SET value (default: ${DEFAULT-VALUE}).")
  int valueSize;

  @Option(names = "--keys", paramLabel = "N", defaultValue = "10000",
      description = "Key space: keys are picked uniformly among N (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--mix", paramLabel = "OP=W[,OP=W...]", defaultValue = "set",
      description = "Operation mix of set, incr, get, batch (random keys: across Raft groups in a sharded cluster),"
          + " slot-batch (keys of one hash tag: one group) with weights, e.g. set=80,get=20 (default: ${DEFAULT-VALUE}).")
  String mix;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "10",
      description = "SETs per atomic batch operation (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "Measured time per point, e.g. 10s, 2m (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--ops", paramLabel = "N", defaultValue = "0",
      description = "Measure until N operations completed instead of for --duration (default: use --duration).")
  long operations;

  @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "2s", converter = WarmupConverter.class,
      description = "Unmeasured load before each point, 0 for none (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--prewarm", paramLabel = "DURATION", defaultValue = "120s", converter = WarmupConverter.class,
      description = "Unmeasured load on every target before the sweep, at the largest number of clients up to 50: "
          + "fresh JVMs compile their hot code for a minute or two (C2), and a short warm-up measures that (default: "
          + "${DEFAULT-VALUE}; Redis baselines get at most " + BASELINE_PREWARM_SECONDS + " s: only the "
          + "generator's side of them compiles; 0 for none).")
  Duration prewarm;

  @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
      description = "Repeat the whole sweep N times; medians are reported (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--baseline", paramLabel = "NAME=HOST:PORT[,wait=N]",
      description = "A plain Redis (no password) to measure the same way, e.g. redis-raw=127.0.0.1:6400 or "
          + "redis-wait2=127.0.0.1:6402,wait=2 (each write followed by WAIT 2 0). Repeatable.")
  List<String> baselines = new ArrayList<>();

  @Option(names = "--cpu-pid", paramLabel = "TARGET/LABEL=PID",
      description = "A process whose CPU time per operation is reported with TARGET's points, e.g. redraft/n1=4242 or "
          + "redis-raw/redis=4243 (read from /proc; scripts/bench.sh passes every process it starts). Repeatable. "
          + "The generator's own CPU is always reported.")
  List<String> cpuPids = new ArrayList<>();

  @Option(names = "--no-redraft", description = "Measure only the baselines, not the Redraft cluster.")
  boolean noRedraft;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Where to write results.csv, results.json, chart.svg (default: bench-results/<date-time>).")
  Path out;

  @Option(names = "--no-progress", description = "Do not print the progress line (it is only printed, on "
      + "stderr, when stderr is a terminal).")
  boolean noProgress;

  /** Progress lines rewrite themselves with \r: only for a terminal, never into a pipe or a file. */
  private boolean showProgress;

  @Override
  public Integer call() throws IOException, InterruptedException {
    RedraftCommand root = RedraftCommand.of(spec);
    LoadSettings settings;
    List<RedisTarget> redisTargets = new ArrayList<>();
    CpuMeter cpu;
    try {
      cpu = new CpuMeter(cpuPids.stream().map(CpuMeter.Watched::parse).toList());
      settings = new LoadSettings(clients, valueSize, keys, OperationMix.parse(mix), batchSize, duration, operations,
          warmup, repeat);
      for (String baseline : baselines) {
        redisTargets.add(RedisTarget.parse(baseline));
      }
    } catch (IllegalArgumentException e) {
      throw new CliUsageException(e.getMessage());
    }
    if (noRedraft && redisTargets.isEmpty()) {
      throw new CliUsageException("nothing to measure: --no-redraft needs at least one --baseline");
    }
    Path outDir = out != null ? out : Path.of("bench-results",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));

    List<Target> targets = new ArrayList<>();
    if (!noRedraft) {
      targets.add(new RedraftTarget("redraft", root.openClient()));
    }
    targets.addAll(redisTargets);
    // With -o json, stdout carries only the results (results.json's content); the human report goes to stderr.
    boolean json = root.output == OutputFormat.JSON;
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = json ? err : root.out();
    showProgress = !noProgress && Terminal.stderrIsTerminal();
    List<PointResult> results = new ArrayList<>();
    try {
      LoadRunner runner = new LoadRunner(settings);
      stdout.printf("Bench: targets %s; clients %s; mix %s; %d-byte values; %d keys; %s per point after %s warm-up;"
              + " %d run%s%n", targets.stream().map(Target::name).toList(), settings.clients(), settings.mix(),
          settings.valueSize(), settings.keySpace(),
          settings.byOperationCount() ? settings.operations() + " operations" : settings.duration().toMillis() / 1000.0 + " s",
          settings.warmup().toMillis() / 1000.0 + " s", settings.repeat(), settings.repeat() == 1 ? "" : "s");
      if (settings.mix().contains(Operation.GET)) {
        for (Target target : targets) {
          stdout.printf("Preloading %d keys into %s ...%n", settings.keySpace(), target.name());
          stdout.flush();
          runner.preload(target);
        }
      }
      if (!prewarm.isZero()) {
        // A lone client and many concurrent ones take different code paths (one call per operation, or
        // many operations per call), so both are warmed: a third of the time alone, the rest at the
        // largest number of clients up to 50.
        int manyClients = Math.min(50, settings.clients().stream().mapToInt(Integer::intValue).max().orElse(1));
        for (Target target : targets) {
          Duration cap = Duration.ofSeconds(BASELINE_PREWARM_SECONDS);
          Duration total = target instanceof RedisTarget && prewarm.compareTo(cap) > 0 ? cap : prewarm;
          Duration alone = manyClients > 1 ? total.dividedBy(3) : Duration.ZERO;
          for (int prewarmClients : alone.isZero() ? List.of(manyClients) : List.of(1, manyClients)) {
            Duration length = prewarmClients == 1 && manyClients > 1 ? alone : total.minus(alone);
            LoadRunner prewarmRunner = new LoadRunner(new LoadSettings(List.of(prewarmClients), settings.valueSize(),
                settings.keySpace(), settings.mix(), settings.batchSize(), length, 0, Duration.ZERO, 1));
            String label = String.format("[prewarm %s %d clients]", target.name(), prewarmClients);
            PointResult point = prewarmRunner.run(target, prewarmClients, 0, progress(label, err),
                cpu.forTarget(target.name()));
            clearProgress(err);
            stdout.printf("prewarm  %-14s %4d clients  %10.0f ops/s  errors %d%n", target.name(), prewarmClients,
                point.throughput(), point.errors());
            stdout.flush();
          }
        }
      }
      for (int run = 1; run <= settings.repeat(); run++) {
        for (int clientCount : settings.clients()) {
          for (Target target : targets) {
            String label = String.format("[run %d/%d %s %d clients]", run, settings.repeat(), target.name(), clientCount);
            PointResult point = runner.run(target, clientCount, run, progress(label, err),
                cpu.forTarget(target.name()));
            clearProgress(err);
            results.add(point);
            BenchReport.point(stdout, point, settings.repeat());
          }
        }
      }
    } finally {
      for (Target target : targets) {
        try {
          target.close();
        } catch (RuntimeException | LinkageError e) {
          // The measurements are what matter: never lose them to a failing close.
          err.println("closing " + target.name() + " failed: " + e);
        }
      }
    }
    Comparison comparison = new Comparison(results);
    BenchReport.summary(stdout, comparison, settings.repeat());
    ResultWriter.write(outDir, settings, results, comparison);
    stdout.printf("%nWrote %s, %s and %s%n", outDir.resolve("results.csv"), outDir.resolve("results.json"),
        outDir.resolve("chart.svg"));
    stdout.flush();
    if (json) {
      root.out().println(ResultWriter.json(settings, results, comparison).strip());
      root.out().flush();
    }
    long errors = results.stream().mapToLong(PointResult::errors).sum();
    return errors == 0 ? ExitCodes.OK : ExitCodes.COMMAND_FAILED;
  }

  private LoadRunner.ProgressListener progress(String label, PrintWriter err) {
    return (phase, elapsed, planned, ops, rate, p99, errors) -> {
      if (showProgress) {
        err.print("\r" + BenchReport.progressLine(label, phase, elapsed, planned, ops, rate, p99, errors) + "   ");
        err.flush();
      }
    };
  }

  private void clearProgress(PrintWriter err) {
    if (showProgress) {
      err.print("\r" + " ".repeat(130) + "\r");
      err.flush();
    }
  }

  /** Like {@link DurationConverter}, but 0 is allowed (no warm-up). */
  static final class WarmupConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String text = value.trim().toLowerCase();
      if (text.matches("0+(\\.0*)?(ms|s|m)?")) {
        return Duration.ZERO;
      }
      return new DurationConverter().convert(value);
    }
  }
}
