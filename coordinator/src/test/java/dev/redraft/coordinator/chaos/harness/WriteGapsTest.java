package dev.redraft.coordinator.chaos.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The gap measure itself, on hand-written acknowledgement times (ms as ns for readability). */
class WriteGapsTest {
  private static final long MS = 1_000_000;

  private static long[] ms(long... values) {
    long[] nanos = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      nanos[i] = values[i] * MS;
    }
    return nanos;
  }

  @Test
  void theGapAcrossTheStartCountsFromTheLastAcknowledgementBeforeIt() {
    WriteGaps.Gap gap = WriteGaps.longest(ms(900, 950, 3_100, 3_150, 3_200), 1_000 * MS, 5_000 * MS);
    assertThat(gap.length()).isEqualTo(Duration.ofMillis(2_150));
    assertThat(gap.startOffset()).isEqualTo(Duration.ofMillis(-50));
  }

  @Test
  void aGapInsideTheWindowAndOneRunningPastItsEndAreSeen() {
    assertThat(WriteGaps.longest(ms(1_000, 1_100, 4_000, 4_100), 1_000 * MS, 4_500 * MS).length())
        .isEqualTo(Duration.ofMillis(2_900));
    // Nothing acknowledged after 1,100 until 7,000: the gap runs to the first acknowledgement after the end.
    assertThat(WriteGaps.longest(ms(1_000, 1_100, 7_000), 1_000 * MS, 4_500 * MS).length())
        .isEqualTo(Duration.ofMillis(5_900));
    // None at all after 1,100: up to the window's end.
    assertThat(WriteGaps.longest(ms(1_000, 1_100), 1_000 * MS, 4_500 * MS).length())
        .isEqualTo(Duration.ofMillis(3_400));
  }

  @Test
  void acknowledgementsInAnyOrderAndNoneBeforeTheWindow() {
    assertThat(WriteGaps.longest(ms(3_000, 2_000, 2_500), 1_000 * MS, 3_000 * MS).length())
        .isEqualTo(Duration.ofMillis(1_000));
  }
}
