package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AppliedIndexWaiterTest {
  @Test
  void completesWaitersOnlyOnceTheirIndexIsApplied() {
    AppliedIndexWaiter waiter = new AppliedIndexWaiter();
    CompletableFuture<Void> at3 = waiter.await(3);
    CompletableFuture<Void> at5 = waiter.await(5);
    waiter.advance(2);
    assertThat(at3).isNotDone();
    waiter.advance(4);
    assertThat(at3).isCompleted();
    assertThat(at5).isNotDone();
    waiter.advance(3); // going back is ignored
    assertThat(waiter.applied()).isEqualTo(4);
    assertThat(waiter.await(4)).isCompleted();
    waiter.advance(5);
    assertThat(at5).isCompleted();
  }
}
