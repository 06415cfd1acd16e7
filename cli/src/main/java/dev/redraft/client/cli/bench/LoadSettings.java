package dev.redraft.client.cli.bench;

import java.time.Duration;
import java.util.List;

/**
 * What one benchmark run does. Each point runs {@code warmup} unmeasured, then {@code duration}
 * (or until {@code operations} operations completed, when that is positive) measured.
 */
public record LoadSettings(List<Integer> clients, int valueSize, int keySpace, OperationMix mix, int batchSize,
    Duration duration, long operations, Duration warmup, int repeat) {

  public static final int MAX_CLIENTS = 5_000;
  public static final int MAX_VALUE_SIZE = 512 * 1024;

  public LoadSettings {
    clients = List.copyOf(clients);
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("--clients needs at least one number, e.g. 1,4,16,50");
    }
    for (int c : clients) {
      if (c < 1 || c > MAX_CLIENTS) {
        throw new IllegalArgumentException("--clients: each count must be 1.." + MAX_CLIENTS + ", got " + c);
      }
    }
    if (valueSize < 1 || valueSize > MAX_VALUE_SIZE) {
      throw new IllegalArgumentException("--value-size must be 1.." + MAX_VALUE_SIZE + " bytes, got " + valueSize);
    }
    if (keySpace < 1 || keySpace > 100_000_000) {
      throw new IllegalArgumentException("--keys must be 1..100000000, got " + keySpace);
    }
    if (mix == null) {
      throw new IllegalArgumentException("--mix is required");
    }
    if (batchSize < 1 || batchSize > 1000) {
      throw new IllegalArgumentException("--batch-size must be 1..1000, got " + batchSize);
    }
    if (operations < 0) {
      throw new IllegalArgumentException("--ops must be 0 (use --duration) or more, got " + operations);
    }
    if (operations == 0 && (duration == null || duration.isZero() || duration.isNegative())) {
      throw new IllegalArgumentException("--duration must be positive (or give --ops)");
    }
    if (warmup == null || warmup.isNegative()) {
      throw new IllegalArgumentException("--warmup must be 0 or more");
    }
    if (repeat < 1 || repeat > 100) {
      throw new IllegalArgumentException("--repeat must be 1..100, got " + repeat);
    }
    if ((long) valueSize * batchSize > 1_000_000 && (mix.contains(Operation.BATCH) || mix.contains(Operation.SLOT_BATCH))) {
      throw new IllegalArgumentException("--value-size x --batch-size is over 1 MB: Redraft refuses such writes");
    }
  }

  public boolean byOperationCount() {
    return operations > 0;
  }
}
