package dev.redraft.coordinator.shard;

import dev.redraft.api.KeySlot;

/**
 * Which Raft group owns each of the 16384 key slots. For now the static map of a cluster of
 * {@code groups} groups: the slots split into equal contiguous ranges, group 0 first, so every node
 * of a cluster configured with the same number of groups computes the same map. (Moving slots makes
 * it replicated state of group 0: docs/design/sharding.md.)
 */
public final class SlotMap {
  private final int groups;

  private SlotMap(int groups) {
    if (groups < 1 || groups > KeySlot.SLOTS) {
      throw new IllegalArgumentException("a slot map needs 1.." + KeySlot.SLOTS + " groups, not " + groups);
    }
    this.groups = groups;
  }

  /** The slots split evenly over groups 0..groups-1. */
  public static SlotMap evenSplit(int groups) {
    return new SlotMap(groups);
  }

  public int groups() {
    return groups;
  }

  /** The group that owns {@code slot}. */
  public int groupOf(int slot) {
    if (slot < 0 || slot >= KeySlot.SLOTS) {
      throw new IllegalArgumentException("slot " + slot + " is not in 0.." + (KeySlot.SLOTS - 1));
    }
    return (int) ((long) slot * groups / KeySlot.SLOTS);
  }

  /** The group that owns {@code key}'s slot. */
  public int groupOfKey(byte[] key) {
    return groupOf(KeySlot.of(key));
  }

  /** The first slot of {@code group}'s range. */
  public int firstSlot(int group) {
    checkGroup(group);
    return (int) (((long) group * KeySlot.SLOTS + groups - 1) / groups);
  }

  /** The last slot of {@code group}'s range. */
  public int lastSlot(int group) {
    checkGroup(group);
    return group == groups - 1 ? KeySlot.SLOTS - 1 : firstSlot(group + 1) - 1;
  }

  private void checkGroup(int group) {
    if (group < 0 || group >= groups) {
      throw new IllegalArgumentException("group " + group + " is not in 0.." + (groups - 1));
    }
  }
}
