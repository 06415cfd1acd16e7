package dev.redraft.client.cli.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Medians over repetitions, per target and number of clients, and the ratio of the first target
 * (Redraft) to each other one. A ratio is taken within one repetition (both measured in the same
 * run, back to back) and then the median of those ratios is reported.
 */
public final class Comparison {
  /** Medians of one target at one number of clients. */
  public record Row(String target, int clients, int runs, double throughput, double p50, double p95, double p99,
      double p999, double max, long errors, double cpuMicrosPerOp) {}

  /** Redraft's throughput divided by a baseline's, median over runs, with every run's ratio. */
  public record Ratio(String baseline, int clients, double median, List<Double> perRun) {}

  private final List<PointResult> results;
  private final List<String> targets;
  private final List<Integer> clients;

  public Comparison(List<PointResult> results) {
    this.results = List.copyOf(results);
    this.targets = results.stream().map(PointResult::target).distinct().toList();
    this.clients = results.stream().map(PointResult::clients).distinct().sorted().toList();
  }

  public List<String> targets() {
    return targets;
  }

  public List<Integer> clients() {
    return clients;
  }

  public Optional<Row> row(String target, int clientCount) {
    List<PointResult> points = points(target, clientCount);
    if (points.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Row(target, clientCount, points.size(),
        median(points, PointResult::throughput), median(points, p -> p.latency().p50()),
        median(points, p -> p.latency().p95()), median(points, p -> p.latency().p99()),
        median(points, p -> p.latency().p999()), median(points, p -> p.latency().max()),
        points.stream().mapToLong(PointResult::errors).sum(),
        median(points, p -> p.cpu().microsPerOp().getOrDefault("total", 0.0))));
  }

  public List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (String target : targets) {
      for (int c : clients) {
        row(target, c).ifPresent(rows::add);
      }
    }
    return rows;
  }

  /** Ratios of the first target to every other one, per number of clients. */
  public List<Ratio> ratios() {
    List<Ratio> ratios = new ArrayList<>();
    if (targets.size() < 2) {
      return ratios;
    }
    String subject = targets.get(0);
    for (String baseline : targets.subList(1, targets.size())) {
      for (int c : clients) {
        Map<Integer, Double> subjectByRun = byRun(subject, c);
        Map<Integer, Double> baselineByRun = byRun(baseline, c);
        List<Double> perRun = new ArrayList<>();
        subjectByRun.forEach((run, value) -> {
          Double base = baselineByRun.get(run);
          if (base != null && base > 0) {
            perRun.add(value / base);
          }
        });
        if (!perRun.isEmpty()) {
          ratios.add(new Ratio(baseline, c, median(perRun), List.copyOf(perRun)));
        }
      }
    }
    return ratios;
  }

  private Map<Integer, Double> byRun(String target, int clientCount) {
    Map<Integer, Double> out = new LinkedHashMap<>();
    points(target, clientCount).forEach(p -> out.put(p.run(), p.throughput()));
    return out;
  }

  private List<PointResult> points(String target, int clientCount) {
    return results.stream().filter(p -> p.target().equals(target) && p.clients() == clientCount).toList();
  }

  private static double median(List<PointResult> points, ToDoubleFunction<PointResult> field) {
    return median(points.stream().map(field::applyAsDouble).toList());
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    int n = sorted.size();
    if (n == 0) {
      return 0;
    }
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
