package dev.redraft.coordinator.chaos.harness;

import java.time.Duration;
import java.util.Arrays;

/**
 * The write gap: the longest time with no acknowledged write, as a client writing continuously
 * sees it, over a window of time. The gap that spans the window's start is counted from the last
 * acknowledgement before it, and the one that spans its end up to the first acknowledgement after
 * it (or the window's end, if none came).
 */
public final class WriteGaps {
  private WriteGaps() {}

  /** One gap: its length and where it started, relative to {@code windowStartNanos}. */
  public record Gap(Duration length, Duration startOffset) {
    public String describe() {
      return String.format("%.2f s (from %+.2f s)", length.toMillis() / 1000.0, startOffset.toMillis() / 1000.0);
    }
  }

  /** The longest gap between the acknowledgements {@code ackNanos} (any order) around [start, end]. */
  public static Gap longest(long[] ackNanos, long startNanos, long endNanos) {
    long[] acks = ackNanos.clone();
    Arrays.sort(acks);
    long previous = startNanos;
    for (long ack : acks) {
      if (ack <= startNanos) {
        previous = ack;
      }
    }
    long longest = 0;
    long longestFrom = previous;
    for (long ack : acks) {
      if (ack <= startNanos) {
        continue;
      }
      if (ack - previous > longest) {
        longest = ack - previous;
        longestFrom = previous;
      }
      previous = ack;
      if (ack >= endNanos) {
        break;
      }
    }
    if (previous < endNanos && endNanos - previous > longest) {
      longest = endNanos - previous;
      longestFrom = previous;
    }
    return new Gap(Duration.ofNanos(longest), Duration.ofNanos(longestFrom - startNanos));
  }
}
