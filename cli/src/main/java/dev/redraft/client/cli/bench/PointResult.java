package dev.redraft.client.cli.bench;

import java.util.Map;

/**
 * One measured point: one target at one number of clients in one repetition. {@code byOperation}
 * holds the latencies of each operation of the mix (also when there is only one); {@code cpu} the CPU
 * time per operation of the generator and of the target's processes.
 */
public record PointResult(int run, String target, int clients, String mix, int valueSize, double seconds,
    long operations, long errors, LatencySummary latency, Map<Operation, LatencySummary> byOperation,
    String firstError, CpuMeter.Usage cpu) {

  public double throughput() {
    return seconds <= 0 ? 0 : operations / seconds;
  }
}
