package dev.redraft.client.cli.bench;

import org.HdrHistogram.Histogram;

/** Percentiles of one measurement, in milliseconds, from a histogram recorded in microseconds. */
public record LatencySummary(long count, double p50, double p95, double p99, double p999, double max,
    double mean) {

  public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

  /** A histogram for latencies from 1 µs to 1 h, three significant digits. */
  public static Histogram newHistogram() {
    return new Histogram(1, 3_600_000_000L, 3);
  }

  public static LatencySummary of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(micros.getTotalCount(),
        ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(95)),
        ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)),
        ms(micros.getMaxValue()), micros.getMean() / 1000.0);
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
