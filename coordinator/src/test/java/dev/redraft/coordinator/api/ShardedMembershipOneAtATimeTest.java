package dev.redraft.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.raft.MembershipManager.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sharded cluster's membership changes run one at a time: a change asked while another runs is refused,
 * naming the one in progress, and changes nothing (an addition and a removal of one node, interleaved
 * group by group, could leave it a member of some groups only). The groups' own steps are stand-ins here;
 * {@code ShardedMembershipTest} runs the real ones on a sharded cluster.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShardedMembershipOneAtATimeTest {
  private static final int GROUPS = 3;

  /** Records each group's step; the first step of n4's addition waits until the test lets it go on. */
  private final List<String> steps = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch additionStarted = new CountDownLatch(1);
  private final CountDownLatch letAdditionGoOn = new CountDownLatch(1);

  private final ShardedMembership.InGroup inGroup = new ShardedMembership.InGroup() {
    @Override
    public MembershipResponse add(AddNodeRequest request) {
      steps.add("add " + request.getNodeId() + " to " + request.getGroup());
      additionStarted.countDown();
      try {
        letAdditionGoOn.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return MembershipResponse.getDefaultInstance();
    }

    @Override
    public MembershipResponse remove(RemoveNodeRequest request) {
      steps.add("remove " + request.getNodeId() + " from " + request.getGroup());
      return MembershipResponse.getDefaultInstance();
    }

    @Override
    public MembershipResponse promote(PromoteNodeRequest request) {
      steps.add("promote " + request.getNodeId() + " in " + request.getGroup());
      return MembershipResponse.getDefaultInstance();
    }
  };

  private final ShardedMembership membership = new ShardedMembership(GROUPS,
      group -> List.of(new Member("n1", "127.0.0.1:1", true), new Member("n5", "127.0.0.1:5", true)), inGroup);

  private final ExecutorService otherThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    letAdditionGoOn.countDown();
    otherThread.shutdownNow();
  }

  @Test
  void aChangeAskedWhileAnotherRunsIsRefusedAndChangesNothing() throws Exception {
    CompletableFuture<MembershipResponse> addition = CompletableFuture.supplyAsync(() ->
        membership.add(AddNodeRequest.newBuilder().setNodeId("n4").setRaftAddress("127.0.0.1:4").build()), otherThread);
    assertThat(additionStarted.await(10, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> membership.remove(RemoveNodeRequest.newBuilder().setNodeId("n5").build()))
        .isInstanceOf(RefusedException.class)
        .hasMessageContaining("removing node n5 refused")
        .hasMessageContaining("another membership change is in progress (adding node n4");
    assertThatThrownBy(() -> membership.promote(PromoteNodeRequest.newBuilder().setNodeId("n4").build()))
        .isInstanceOf(RefusedException.class);
    assertThat(steps).containsExactly("add n4 to 0");

    letAdditionGoOn.countDown();
    addition.get(10, TimeUnit.SECONDS);
    membership.remove(RemoveNodeRequest.newBuilder().setNodeId("n5").build());
    assertThat(steps).as("the removal, asked again once the addition ended, runs (group 0 last)")
        .containsExactly("add n4 to 0", "add n4 to 1", "add n4 to 2", "remove n5 from 2", "remove n5 from 1",
            "remove n5 from 0");
  }

  /**
   * The same change asked again while it runs (its caller's forwarded call was cut off and it asks again)
   * is not refused as "in progress" by itself: it waits for it and gets its outcome, and nothing runs twice.
   */
  @Test
  void theSameChangeAskedAgainWhileItRunsGetsItsOutcome() throws Exception {
    AddNodeRequest request = AddNodeRequest.newBuilder().setNodeId("n4").setRaftAddress("127.0.0.1:4").build();
    CompletableFuture<MembershipResponse> first = CompletableFuture.supplyAsync(() -> membership.add(request),
        otherThread);
    assertThat(additionStarted.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicReference<Thread> secondThread = new AtomicReference<>();
    ExecutorService again = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "second-caller");
      secondThread.set(t);
      return t;
    });
    try {
      CompletableFuture<MembershipResponse> second = CompletableFuture.supplyAsync(() ->
          membership.add(request.toBuilder().build()), again);
      assertThatThrownBy(() -> membership.add(request.toBuilder().setRaftAddress("127.0.0.1:44").build()))
          .as("another address for n4 is another change").isInstanceOf(RefusedException.class);
      await("the second call waiting for the first one's outcome").atMost(Duration.ofSeconds(10)).until(() ->
          secondThread.get() != null && Arrays.stream(secondThread.get().getStackTrace())
              .anyMatch(frame -> frame.getMethodName().equals("outcomeOf")));
      assertThat(second).isNotDone();

      letAdditionGoOn.countDown();
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(first.get(10, TimeUnit.SECONDS));
    } finally {
      again.shutdownNow();
    }
    assertThat(steps).as("each group once").containsExactly("add n4 to 0", "add n4 to 1", "add n4 to 2");
  }

  @Test
  void aFailedChangeLetsTheNextOneRun() throws Exception {
    ShardedMembership failing = new ShardedMembership(GROUPS, group -> List.of(), new ShardedMembership.InGroup() {
      @Override
      public MembershipResponse add(AddNodeRequest request) {
        throw new RefusedException("group " + request.getGroup() + " refuses");
      }

      @Override
      public MembershipResponse remove(RemoveNodeRequest request) {
        return MembershipResponse.getDefaultInstance();
      }

      @Override
      public MembershipResponse promote(PromoteNodeRequest request) {
        steps.add("promote " + request.getNodeId() + " in " + request.getGroup());
        return MembershipResponse.getDefaultInstance();
      }
    });
    assertThatThrownBy(() -> failing.add(AddNodeRequest.newBuilder().setNodeId("n4").build()))
        .hasMessageContaining("group 0 refuses");
    // From another thread: the guard must have been given up, not merely be one this thread holds already.
    otherThread.submit(() -> failing.promote(PromoteNodeRequest.newBuilder().setNodeId("n4").build()))
        .get(10, TimeUnit.SECONDS);
    assertThat(steps).containsExactly("promote n4 in 0", "promote n4 in 1", "promote n4 in 2");
  }
}
