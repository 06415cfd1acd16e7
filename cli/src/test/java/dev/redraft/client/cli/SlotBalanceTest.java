package dev.redraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.SlotRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SlotBalanceTest {
  @Test
  void anAddedGroupGetsItsShareFromTheOthersHighestSlots() {
    // Two groups split the slots; group 2 was added and owns none.
    ClusterSlotsResponse layout = layout(new int[] {0, 0, 8191}, new int[] {1, 8192, 16383}, new int[] {2});

    List<SlotBalance.Move> plan = SlotBalance.plan(layout, 1024);

    assertThat(plan).extracting(SlotBalance.Move::source).containsExactly(0, 0, 0, 1, 1, 1);
    assertThat(plan).extracting(SlotBalance.Move::target).containsOnly(2);
    assertThat(plan).extracting(move -> move.slots().size()).containsExactly(1024, 1024, 682, 1024, 1024, 683);
    assertThat(plan.get(0).describe()).isEqualTo("7168-8191");
    assertThat(plan.get(2).describe()).isEqualTo("5462-6143");
    assertThat(plan.get(3).describe()).isEqualTo("15360-16383");
    int[] owned = applied(layout, plan);
    assertThat(owned).containsExactly(5462, 5461, 5461);
    assertThat(SlotBalance.plan(balancedLayout(layout, plan), 1024)).as("balanced: nothing more to move").isEmpty();
  }

  @Test
  void aBalancedLayoutMovesNothing() {
    assertThat(SlotBalance.plan(layout(new int[] {0, 0, 5461}, new int[] {1, 5462, 10922}, new int[] {2, 10923, 16383}),
        1024)).isEmpty();
    assertThat(SlotBalance.plan(layout(new int[] {0, 0, 16383}), 1)).isEmpty();
  }

  @Test
  void anyLayoutEndsEvenWithTheFewestSlotsMovedAndNoMoveOverTheBound() {
    Random random = new Random(16);
    for (int round = 0; round < 200; round++) {
      int groups = 1 + random.nextInt(6);
      List<List<Integer>> owners = new ArrayList<>();
      for (int g = 0; g < groups; g++) {
        owners.add(new ArrayList<>());
      }
      for (int slot = 0; slot < SlotBalance.SLOTS; slot++) {
        // Skewed: lower groups own more.
        owners.get(Math.min(random.nextInt(groups), random.nextInt(groups))).add(slot);
      }
      ClusterSlotsResponse layout = layoutOf(owners);
      int bound = 1 + random.nextInt(3000);

      List<SlotBalance.Move> plan = SlotBalance.plan(layout, bound);

      int[] after = applied(layout, plan);
      int share = SlotBalance.SLOTS / groups;
      int moved = plan.stream().mapToInt(move -> move.slots().size()).sum();
      int fewest = 0;
      for (int g = 0; g < groups; g++) {
        assertThat(after[g]).isBetween(share, share + 1);
        fewest += Math.max(0, owners.get(g).size() - (share + 1));
      }
      assertThat(moved).isBetween(fewest, fewest + groups);
      assertThat(plan).allSatisfy(move -> {
        assertThat(move.slots()).hasSizeBetween(1, bound).isSorted();
        assertThat(move.source()).isNotEqualTo(move.target());
      });
    }
  }

  @Test
  void aLayoutThatLeavesSlotsWithoutOwnerIsRefused() {
    assertThatThrownBy(() -> SlotBalance.plan(layout(new int[] {0, 0, 100}, new int[] {1}), 10))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("101 of the 16384");
  }

  /** Each group's slot count once {@code plan} ran on {@code layout}; fails if a move takes a slot its source lacks. */
  private static int[] applied(ClusterSlotsResponse layout, List<SlotBalance.Move> plan) {
    int[] owner = owners(layout);
    for (SlotBalance.Move move : plan) {
      for (int slot : move.slots()) {
        assertThat(owner[slot]).as("slot %d's owner before move %s", slot, move).isEqualTo(move.source());
        owner[slot] = move.target();
      }
    }
    int[] counts = new int[layout.getGroupsCount()];
    for (int group : owner) {
      counts[group]++;
    }
    return counts;
  }

  private static ClusterSlotsResponse balancedLayout(ClusterSlotsResponse layout, List<SlotBalance.Move> plan) {
    int[] owner = owners(layout);
    plan.forEach(move -> move.slots().forEach(slot -> owner[slot] = move.target()));
    List<List<Integer>> owners = new ArrayList<>();
    for (int g = 0; g < layout.getGroupsCount(); g++) {
      owners.add(new ArrayList<>());
    }
    for (int slot = 0; slot < owner.length; slot++) {
      owners.get(owner[slot]).add(slot);
    }
    return layoutOf(owners);
  }

  private static int[] owners(ClusterSlotsResponse layout) {
    int[] owner = new int[SlotBalance.SLOTS];
    for (GroupSlots group : layout.getGroupsList()) {
      for (SlotRange range : group.getSlotsList()) {
        for (int slot = range.getFirst(); slot <= range.getLast(); slot++) {
          owner[slot] = group.getGroup();
        }
      }
    }
    return owner;
  }

  private static ClusterSlotsResponse layoutOf(List<List<Integer>> owners) {
    ClusterSlotsResponse.Builder layout = ClusterSlotsResponse.newBuilder();
    for (int g = 0; g < owners.size(); g++) {
      layout.addGroups(GroupSlots.newBuilder().setGroup(g)
          .addAllSlots(new SlotBalance.Move(g, g, owners.get(g)).ranges()));
    }
    return layout.build();
  }

  /** Groups as {group, first, last, first, last, ...}. */
  private static ClusterSlotsResponse layout(int[]... groups) {
    ClusterSlotsResponse.Builder layout = ClusterSlotsResponse.newBuilder();
    for (int[] group : groups) {
      GroupSlots.Builder slots = GroupSlots.newBuilder().setGroup(group[0]);
      for (int i = 1; i < group.length; i += 2) {
        slots.addSlots(SlotRange.newBuilder().setFirst(group[i]).setLast(group[i + 1]));
      }
      layout.addGroups(slots);
    }
    return layout.build();
  }
}
