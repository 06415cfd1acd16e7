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
    }
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
