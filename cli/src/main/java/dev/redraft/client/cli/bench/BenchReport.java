package dev.redraft.client.cli.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The human-readable output of a benchmark: a line per point, then medians and ratios. */
public final class BenchReport {
  /** Above this share of the target's CPU, its JIT compilers make a point read as costlier than a warm JVM's. */
  static final double JIT_WARNING_SHARE = 0.05;

  private BenchReport() {}

  public static void point(PrintWriter out, PointResult p, int runs) {
    out.printf(Locale.ROOT, "run %d/%d  %-14s %4d clients  %10.0f ops/s  p50 %7.3f  p95 %7.3f  p99 %7.3f  "
            + "p99.9 %8.3f  max %8.3f ms  errors %d%s%n", p.run(), runs, p.target(), p.clients(), p.throughput(),
        p.latency().p50(), p.latency().p95(), p.latency().p99(), p.latency().p999(), p.latency().max(), p.errors(),
        p.firstError() == null ? "" : "  (first: " + p.firstError() + ")");
    cpu(out, p);
    out.flush();
  }

  /** CPU per operation of every process, and warnings when the point may not be trustworthy. */
  private static void cpu(PrintWriter out, PointResult p) {
    if (p.cpu().isEmpty()) {
      return;
    }
    StringBuilder line = new StringBuilder("          cpu us/op");
    p.cpu().microsPerOp().forEach((label, micros) ->
        line.append(String.format(Locale.ROOT, "  %s %.0f", label, micros)));
    double jit = p.cpu().jitMicrosPerOp();
    double target = ResultWriter.targetMicrosPerOp(p.cpu());
    boolean compiling = target > 0 && jit > JIT_WARNING_SHARE * target;
    if (jit >= 0.5 || compiling) {
      line.append(String.format(Locale.ROOT, "  (of which JIT compilers %.1f)", jit));
    }
    out.println(line);
    if (compiling) {
      out.printf(Locale.ROOT, "          warning: the target's JIT compilers took %.0f%% of its CPU during this point: "
          + "its JVMs were still compiling, prewarm longer (--prewarm) for steady-state figures%n", 100 * jit / target);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    double generatorCores = p.cpu().microsPerOp().getOrDefault(CpuMeter.GENERATOR, 0.0) * p.throughput() / 1e6;
    if (generatorCores > 0.5 * cores) {
      out.printf(Locale.ROOT, "          warning: the load generator itself used %.2f of %d cores: it may be the "
          + "bottleneck of this point%n", generatorCores, cores);
    }
    if (p.cpu().othersShareOfMachine() > 0.10) {
      out.printf(Locale.ROOT, "          warning: other processes used %.0f%% of the machine's CPU during this point: "
          + "the machine was busy, compare ratios rather than absolute figures%n", 100 * p.cpu().othersShareOfMachine());
    }
  }

  public static void summary(PrintWriter out, Comparison comparison, int runs) {
    out.println();
    out.printf(Locale.ROOT, "Medians of %d run%s (latency in ms):%n", runs, runs == 1 ? "" : "s");
    out.printf(Locale.ROOT, "%-14s %7s %11s %8s %8s %8s %8s %9s %7s %10s%n", "target", "clients", "ops/s", "p50",
        "p95", "p99", "p99.9", "max", "errors", "cpu us/op");
    for (Comparison.Row r : comparison.rows()) {
      out.printf(Locale.ROOT, "%-14s %7d %11.0f %8.3f %8.3f %8.3f %8.3f %9.3f %7d %10.0f%n", r.target(), r.clients(),
          r.throughput(), r.p50(), r.p95(), r.p99(), r.p999(), r.max(), r.errors(), r.cpuMicrosPerOp());
    }
    List<Comparison.Ratio> ratios = comparison.ratios();
    if (!ratios.isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "Throughput of %s relative to each baseline (median of per-run ratios):%n",
          comparison.targets().get(0));
      out.printf(Locale.ROOT, "%-14s %7s %8s   %s%n", "baseline", "clients", "ratio", "per run");
      for (Comparison.Ratio r : ratios) {
        StringBuilder perRun = new StringBuilder();
        r.perRun().forEach(v -> perRun.append(String.format(Locale.ROOT, "%.4f ", v)));
        out.printf(Locale.ROOT, "%-14s %7d %8.4fx   %s%n", r.baseline(), r.clients(), r.median(),
            perRun.toString().trim());
      }
    }
    out.flush();
  }

  /** One progress line, rewritten in place (carriage return). */
  public static String progressLine(String label, String phase, double elapsed, double planned, long operations,
      double opsPerSecond, double p99, long errors) {
    String time = planned > 0 ? String.format(Locale.ROOT, "%5.1f/%.0fs", elapsed, planned)
        : String.format(Locale.ROOT, "%5.1fs", elapsed);
    return String.format(Locale.ROOT, "%s %-7s %s  %9.0f ops/s  p99 %7.2f ms  ops %9d  errors %d", label, phase,
        time, opsPerSecond, p99, operations, errors);
  }
}
