package dev.redraft.coordinator.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final LogThrottle throttle = new LogThrottle(10, TimeUnit.SECONDS, now::get);

  @Test
  void oneLinePerIntervalAndTheNextLineCountsWhatWasLeftOut() {
    assertThat(throttle.admit()).as("the first event is logged").isZero();
    assertThat(throttle.admit()).isEqualTo(LogThrottle.NOT_NOW);
    now.addAndGet(TimeUnit.SECONDS.toNanos(9));
    assertThat(throttle.admit()).isEqualTo(LogThrottle.NOT_NOW);

    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(throttle.admit()).as("two events were left out").isEqualTo(2);
    assertThat(throttle.admit()).isEqualTo(LogThrottle.NOT_NOW);
  }
}
