package dev.redraft.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.redraft.api.KeySlot;
import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.SlotOwner;
import dev.redraft.api.v1.SlotRange;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where the client sends a request of a sharded cluster: its key's group's leader, by the layout it asked for. */
class GroupRouterTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicReference<CompletableFuture<ClusterSlotsResponse>> answer = new AtomicReference<>();
  /** The router's clock (nanoseconds): the test moves it past the refresh gap instead of sleeping. */
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private GroupRouter router() {
    GroupRouter router = new GroupRouter(() -> {
      fetches.incrementAndGet();
      return answer.get();
    }, scheduler, now::get);
    router.start();
    return router;
  }

  @Test
  void aKeyGoesToTheLeaderOfTheGroupThatOwnsItsSlot() {
    answer.set(CompletableFuture.completedFuture(layout("n1", "n2", "")));
    GroupRouter router = router();
    for (String key : new String[] {"a", "b", "user:1", "{user:1}:name", "x"}) {
      int slot = KeySlot.of(key.getBytes());
      GroupRouter.Target target = router.targetOf(ByteString.copyFromUtf8(key));
      if (slot < 5462) {
        assertThat(target).as(key).isEqualTo(new GroupRouter.Target(0, "host:1", "n1"));
      } else if (slot < 10923) {
        assertThat(target).as(key).isEqualTo(new GroupRouter.Target(1, "host:2", "n2"));
      } else {
        assertThat(target).as("%s: group 2 has no leader known: the usual route", key).isNull();
      }
    }
    // A hash tag keeps keys together.
    assertThat(router.targetOf(ByteString.copyFromUtf8("{user:1}:name")))
        .isEqualTo(router.targetOf(ByteString.copyFromUtf8("{user:1}:email")));
  }

  @Test
  void aClusterOfOneGroupIsAskedOnceAndNothingIsRouted() {
    answer.set(CompletableFuture.completedFuture(ClusterSlotsResponse.newBuilder()
        .addGroups(group(0, 0, KeySlot.SLOTS - 1, "n1")).build()));
    GroupRouter router = router();
    assertThat(router.targetOf(ByteString.copyFromUtf8("k"))).isNull();
    router.answered(new GroupRouter.Target(0, "host:1", "n1"), "n2");
    assertThat(fetches).hasValue(1);
  }

  @Test
  void aServerWithoutTheLayoutCallIsNotAskedAgainForAMinute() {
    answer.set(CompletableFuture.failedFuture(new CallFailedException(
        Status.UNIMPLEMENTED.withDescription("unknown method ClusterSlots"), "host:1", 1, 0, false, false, false)));
    GroupRouter router = router();
    assertThat(router.targetOf(ByteString.copyFromUtf8("k"))).isNull();
    router.answered(new GroupRouter.Target(0, "host:1", "n1"), "n2");
    assertThat(fetches).hasValue(1);
  }

  @Test
  void anAnswerFromAnotherNodeThanTheLeaderAsksForTheLayoutAgain() {
    answer.set(CompletableFuture.completedFuture(layout("n1", "n2", "n3")));
    GroupRouter router = router();
    GroupRouter.Target target = router.targetOfGroup(1);
    router.answered(target, "n2");
    assertThat(fetches).as("the leader answered: nothing to ask").hasValue(1);
    // The leader of group 1 moved to n3: the next layout says so.
    answer.set(CompletableFuture.completedFuture(layout("n1", "n3", "n3")));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(600)); // at most one refresh per 500 ms
    router.answered(target, "n3");
    assertThat(fetches).hasValue(2);
    assertThat(router.targetOfGroup(1)).isEqualTo(new GroupRouter.Target(1, "host:3", "n3"));
  }

  @Test
  void aLeaderThatDidNotAnswerGetsNoRoutedCallForAWhile() {
    answer.set(CompletableFuture.completedFuture(layout("n1", "n2", "n3")));
    GroupRouter router = router();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(600)); // at most one refresh per 500 ms
    // Group 1's call went to n2 but n1 answered (n2 unreachable from here); the layout still names n2.
    router.answered(router.targetOfGroup(1), "n1");
    assertThat(fetches).as("asked again at once").hasValue(2);
    assertThat(router.targetOfGroup(1)).as("n2's address is avoided: the usual route").isNull();
    assertThat(router.targetOfGroup(0)).isEqualTo(new GroupRouter.Target(0, "host:1", "n1"));
  }

  /** Three groups over the slots, their leaders (empty: none known) at host:<digit of the id>. */
  private static ClusterSlotsResponse layout(String leader0, String leader1, String leader2) {
    return ClusterSlotsResponse.newBuilder()
        .addGroups(group(0, 0, 5461, leader0))
        .addGroups(group(1, 5462, 10922, leader1))
        .addGroups(group(2, 10923, KeySlot.SLOTS - 1, leader2))
        .build();
  }

  private static GroupSlots group(int group, int first, int last, String leader) {
    GroupSlots.Builder slots = GroupSlots.newBuilder().setGroup(group).setLeaderId(leader)
        .addSlots(SlotRange.newBuilder().setFirst(first).setLast(last));
    if (!leader.isEmpty()) {
      slots.addMembers(SlotOwner.newBuilder().setNodeId(leader).setLeader(true).setVoter(true)
          .setApiAddress("host:" + leader.substring(1)));
    }
    return slots.build();
  }
}
