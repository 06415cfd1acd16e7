package dev.redraft.client.cli.bench;

import static dev.redraft.client.cli.output.Json.quote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the raw points (CSV, one row per point and operation) and everything (JSON). */
public final class ResultWriter {
  static final String CSV_HEADER = "run,target,clients,operation,mix,value_size,seconds,operations,ops_per_sec,"
      + "p50_ms,p95_ms,p99_ms,p999_ms,max_ms,mean_ms,errors,cpu_us_per_op,others_cpu_share,target_cpu_us_per_op,"
      + "jit_us_per_op";

  private ResultWriter() {}

  public static String csv(List<PointResult> results) {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (PointResult p : results) {
      csvRow(out, p, "all", p.operations(), p.latency(), p.errors());
      if (p.byOperation().size() > 1) {
        for (Map.Entry<Operation, LatencySummary> e : p.byOperation().entrySet()) {
          csvRow(out, p, e.getKey().label(), e.getValue().count(), e.getValue(), -1);
        }
      }
    }
    return out.toString();
  }

  private static void csvRow(StringBuilder out, PointResult p, String operation, long operations,
      LatencySummary l, long errors) {
    double rate = p.seconds() <= 0 ? 0 : operations / p.seconds();
    out.append(p.run()).append(',').append(p.target()).append(',').append(p.clients()).append(',')
        .append(operation).append(",\"").append(p.mix()).append("\",").append(p.valueSize()).append(',')
        .append(num(p.seconds())).append(',').append(operations).append(',').append(num(rate)).append(',')
        .append(num(l.p50())).append(',').append(num(l.p95())).append(',').append(num(l.p99())).append(',')
        .append(num(l.p999())).append(',').append(num(l.max())).append(',').append(num(l.mean())).append(',')
        .append(errors < 0 ? "" : Long.toString(errors)).append(',')
        .append(errors < 0 || p.cpu().isEmpty() ? "" : num(p.cpu().microsPerOp().get("total"))).append(',')
        .append(errors < 0 || p.cpu().isEmpty() ? "" : num(p.cpu().othersShareOfMachine())).append(',')
        .append(errors < 0 || p.cpu().isEmpty() ? "" : num(targetMicrosPerOp(p.cpu()))).append(',')
        .append(errors < 0 || p.cpu().isEmpty() ? "" : num(p.cpu().jitMicrosPerOp())).append('\n');
  }

  /** The target's own processes (the cluster's coordinators and Redis, or a baseline's Redis): the total less the generator. */
  static double targetMicrosPerOp(CpuMeter.Usage cpu) {
    return cpu.microsPerOp().getOrDefault("total", 0.0) - cpu.microsPerOp().getOrDefault(CpuMeter.GENERATOR, 0.0);
  }

  public static String json(LoadSettings settings, List<PointResult> results, Comparison comparison) {
    StringBuilder out = new StringBuilder("{\n  \"settings\": {");
    out.append("\"clients\": ").append(settings.clients())
        .append(", \"value_size\": ").append(settings.valueSize())
        .append(", \"keys\": ").append(settings.keySpace())
        .append(", \"mix\": ").append(quote(settings.mix().toString()))
        .append(", \"batch_size\": ").append(settings.batchSize())
        .append(", \"duration_s\": ").append(settings.byOperationCount() ? "null" : num(settings.duration().toMillis() / 1000.0))
        .append(", \"operations\": ").append(settings.operations())
        .append(", \"warmup_s\": ").append(num(settings.warmup().toMillis() / 1000.0))
        .append(", \"repeat\": ").append(settings.repeat()).append("},\n  \"points\": [");
    for (int i = 0; i < results.size(); i++) {
      PointResult p = results.get(i);
      out.append(i == 0 ? "\n    " : ",\n    ").append("{\"run\": ").append(p.run())
          .append(", \"target\": ").append(quote(p.target()))
          .append(", \"clients\": ").append(p.clients())
          .append(", \"seconds\": ").append(num(p.seconds()))
          .append(", \"operations\": ").append(p.operations())
          .append(", \"ops_per_sec\": ").append(num(p.throughput()))
          .append(", \"errors\": ").append(p.errors())
          .append(", \"first_error\": ").append(p.firstError() == null ? "null" : quote(p.firstError()))
          .append(", \"latency_ms\": ").append(latency(p.latency()))
          .append(", \"cpu_us_per_op\": ").append(cpu(p.cpu()))
          .append(", \"jit_cpu_us_per_op\": ").append(p.cpu().isEmpty() ? "null" : num(p.cpu().jitMicrosPerOp()))
          .append(", \"others_cpu_share\": ").append(num(p.cpu().othersShareOfMachine()))
          .append(", \"by_operation\": {");
      boolean first = true;
      for (Map.Entry<Operation, LatencySummary> e : p.byOperation().entrySet()) {
        out.append(first ? "" : ", ").append(quote(e.getKey().label())).append(": ").append(latency(e.getValue()));
        first = false;
      }
      out.append("}}");
    }
    out.append("\n  ],\n  \"medians\": [");
    List<Comparison.Row> rows = comparison.rows();
    for (int i = 0; i < rows.size(); i++) {
      Comparison.Row r = rows.get(i);
      out.append(i == 0 ? "\n    " : ",\n    ").append("{\"target\": ").append(quote(r.target()))
          .append(", \"clients\": ").append(r.clients()).append(", \"runs\": ").append(r.runs())
          .append(", \"ops_per_sec\": ").append(num(r.throughput()))
          .append(", \"p50_ms\": ").append(num(r.p50())).append(", \"p95_ms\": ").append(num(r.p95()))
          .append(", \"p99_ms\": ").append(num(r.p99())).append(", \"p999_ms\": ").append(num(r.p999()))
          .append(", \"max_ms\": ").append(num(r.max())).append(", \"errors\": ").append(r.errors())
          .append(", \"cpu_us_per_op\": ").append(num(r.cpuMicrosPerOp())).append('}');
    }
    out.append("\n  ],\n  \"ratios\": [");
    List<Comparison.Ratio> ratios = comparison.ratios();
    for (int i = 0; i < ratios.size(); i++) {
      Comparison.Ratio r = ratios.get(i);
      out.append(i == 0 ? "\n    " : ",\n    ").append("{\"subject\": ").append(quote(comparison.targets().get(0)))
          .append(", \"baseline\": ").append(quote(r.baseline())).append(", \"clients\": ").append(r.clients())
          .append(", \"median\": ").append(String.format(Locale.ROOT, "%.5f", r.median())).append(", \"per_run\": [");
      for (int j = 0; j < r.perRun().size(); j++) {
        out.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.5f", r.perRun().get(j)));
      }
      out.append("]}");
    }
    return out.append("\n  ]\n}\n").toString();
  }

  private static String cpu(CpuMeter.Usage usage) {
    StringBuilder out = new StringBuilder("{");
    usage.microsPerOp().forEach((label, micros) ->
        out.append(out.length() == 1 ? "" : ", ").append(quote(label)).append(": ").append(num(micros)));
    return out.append('}').toString();
  }

  private static String latency(LatencySummary l) {
    return "{\"count\": " + l.count() + ", \"p50\": " + num(l.p50()) + ", \"p95\": " + num(l.p95())
        + ", \"p99\": " + num(l.p99()) + ", \"p999\": " + num(l.p999()) + ", \"max\": " + num(l.max())
        + ", \"mean\": " + num(l.mean()) + "}";
  }

  public static void write(Path dir, LoadSettings settings, List<PointResult> results, Comparison comparison)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("results.csv"), csv(results), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("results.json"), json(settings, results, comparison), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("chart.svg"), SvgChart.render(comparison,
        "mix " + settings.mix() + ", " + settings.valueSize() + "-byte values, median of " + settings.repeat()
            + (settings.repeat() == 1 ? " run" : " runs")), StandardCharsets.UTF_8);
  }

  static String num(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
