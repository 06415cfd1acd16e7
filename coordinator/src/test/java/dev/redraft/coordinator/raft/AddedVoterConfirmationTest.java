package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The wait after an addition: over once the new voter's commit index reaches the configuration's entry. */
class AddedVoterConfirmationTest {
  @Test
  void waitsUntilTheNewVoterCommitsTheConfigurationThatNamesIt() throws InterruptedException {
    AtomicLong looks = new AtomicLong();
    // Unknown at first (-1), then behind, then at the configuration's index 40 on the fifth look.
    long[] commits = {-1, -1, 12, 39, 40};
    boolean confirmed = AddedVoterConfirmation.await(
        () -> commits[(int) Math.min(looks.getAndIncrement(), commits.length - 1)], 40, () -> true, Duration.ofSeconds(10));
    assertThat(confirmed).isTrue();
    assertThat(looks).hasValue(5);
  }

  @Test
  void givesUpWhenThisNodeNoLongerLeadsOrTheWaitIsOver() throws InterruptedException {
    assertThat(AddedVoterConfirmation.await(() -> 3, 40, () -> false, Duration.ofSeconds(10))).isFalse();
    long started = System.nanoTime();
    assertThat(AddedVoterConfirmation.await(() -> 3, 40, () -> true, Duration.ofMillis(200))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(5));
  }
}
