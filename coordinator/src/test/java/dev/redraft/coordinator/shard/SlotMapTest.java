package dev.redraft.coordinator.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.api.KeySlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlotMapTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 7, 64})
  void everySlotHasExactlyOneGroupAndTheRangesAreContiguousAndEven(int groups) {
    SlotMap map = SlotMap.evenSplit(groups);
    int[] owned = new int[groups];
    int previous = 0;
    for (int slot = 0; slot < KeySlot.SLOTS; slot++) {
      int group = map.groupOf(slot);
      assertThat(group).isBetween(previous, previous + 1);
      previous = group;
      owned[group]++;
      assertThat(slot).isBetween(map.firstSlot(group), map.lastSlot(group));
    }
    assertThat(map.firstSlot(0)).isZero();
    assertThat(map.lastSlot(groups - 1)).isEqualTo(KeySlot.SLOTS - 1);
    for (int g = 0; g < groups; g++) {
      assertThat(owned[g]).isBetween(KeySlot.SLOTS / groups, KeySlot.SLOTS / groups + 1);
      assertThat(map.lastSlot(g) - map.firstSlot(g) + 1).isEqualTo(owned[g]);
      assertThat(map.ranges(g)).containsExactly(new SlotMap.Range(map.firstSlot(g), map.lastSlot(g)));
    }
  }

  @Test
  void movedSlotsChangeOwnersAndSplitRanges() {
    SlotMap moved = SlotMap.evenSplit(2).withMoved(java.util.Map.of(10, 1, 11, 1, 8192, 0), 3);
    assertThat(moved.version()).isEqualTo(3);
    assertThat(moved.groupOf(10)).isEqualTo(1);
    assertThat(moved.groupOf(12)).isZero();
    assertThat(moved.ranges(0)).containsExactly(new SlotMap.Range(0, 9), new SlotMap.Range(12, 8192));
    assertThat(moved.ranges(1)).containsExactly(new SlotMap.Range(10, 11), new SlotMap.Range(8193, KeySlot.SLOTS - 1));
    assertThat(SlotMap.evenSplit(2).groupOf(10)).as("the static split is unchanged").isZero();
    assertThatThrownBy(() -> SlotMap.evenSplit(2).withMoved(java.util.Map.of(1, 2), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void groupsAddedAfterTheSplitOwnNothingUntilSlotsMoveToThem() {
    SlotMap grown = SlotMap.evenSplit(2, 3);
    assertThat(grown.groups()).isEqualTo(3);
    assertThat(grown.splitGroups()).isEqualTo(2);
    assertThat(grown.ranges(0)).containsExactly(new SlotMap.Range(0, 8191));
    assertThat(grown.ranges(1)).containsExactly(new SlotMap.Range(8192, KeySlot.SLOTS - 1));
    assertThat(grown.ranges(2)).isEmpty();
    SlotMap moved = grown.withMoved(java.util.Map.of(5, 2, 9000, 2), 2);
    assertThat(moved.ranges(2)).containsExactly(new SlotMap.Range(5, 5), new SlotMap.Range(9000, 9000));
    assertThat(moved.splitGroups()).isEqualTo(2);
    assertThatThrownBy(() -> SlotMap.evenSplit(4, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> grown.firstSlot(2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oneGroupOwnsEverythingAndHashTagsKeepKeysTogether() {
    assertThat(SlotMap.evenSplit(1).groupOfKey("anything".getBytes())).isZero();
    SlotMap four = SlotMap.evenSplit(4);
    assertThat(four.groupOfKey("{user:1}:name".getBytes())).isEqualTo(four.groupOfKey("{user:1}:email".getBytes()));
    // Redis Cluster's slot of "foo" is 12182: the third quarter (8192..12287).
    assertThat(four.groupOfKey("foo".getBytes())).isEqualTo(2);
  }

  @Test
  void outOfRangeInputIsRefused() {
    assertThatThrownBy(() -> SlotMap.evenSplit(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SlotMap.evenSplit(2).groupOf(KeySlot.SLOTS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SlotMap.evenSplit(2).firstSlot(2)).isInstanceOf(IllegalArgumentException.class);
  }
}
