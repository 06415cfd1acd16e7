package dev.redraft.coordinator.shard;

import dev.redraft.api.KeySlot;
import dev.redraft.coordinator.errors.UnavailableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Which Raft group owns each of the 16384 key slots: the static even split of the slots over the groups
 * the cluster was created with (contiguous equal ranges, group 0 first), with the owners of slots that
 * moved since, as group 0's log recorded them (docs/design/sharding.md: slot moves). Groups added to a
 * running cluster later own no slot until slots move to them. Immutable; {@link #version()} counts the
 * moves it includes.
 */
public final class SlotMap {
  /** Slots first..last, both included. */
  public record Range(int first, int last) {}

  private final int groups;
  /** How many groups the static split divides the slots over (the cluster's groups when it was created). */
  private final int splitGroups;
  private final long version;
  private final short[] owners;
  /** Why this map names no owner (owners null), for the requests it refuses. */
  private final String unknownBecause;

  private SlotMap(int groups, int splitGroups, long version, short[] owners, String unknownBecause) {
    this.groups = groups;
    this.splitGroups = splitGroups;
    this.version = version;
    this.owners = owners;
    this.unknownBecause = unknownBecause;
  }

  /**
   * The map of a node that does not know how many groups the static split is over (it joined a sharded
   * cluster and has not read group 0's record of it, or its own record disagrees with that one): it names no
   * owner, and asking for one is refused as unavailable, {@code because} saying why.
   */
  public static SlotMap splitUnknown(int groups, String because) {
    if (groups < 2 || groups > KeySlot.SLOTS) {
      throw new IllegalArgumentException("only a sharded cluster's split can be unknown, not one of " + groups);
    }
    return new SlotMap(groups, 0, 0, null, because);
  }

  /** The slots split evenly over groups 0..groups-1. */
  public static SlotMap evenSplit(int groups) {
    return evenSplit(groups, groups);
  }

  /**
   * The slots split evenly over groups 0..splitGroups-1, in a cluster of {@code groups} groups: groups
   * splitGroups..groups-1 were added later and own no slot yet.
   */
  public static SlotMap evenSplit(int splitGroups, int groups) {
    if (groups < 1 || groups > KeySlot.SLOTS) {
      throw new IllegalArgumentException("a slot map needs 1.." + KeySlot.SLOTS + " groups, not " + groups);
    }
    if (splitGroups < 1 || splitGroups > groups) {
      throw new IllegalArgumentException("the slots are split over 1.." + groups + " of the " + groups
          + " groups, not " + splitGroups);
    }
    short[] owners = new short[KeySlot.SLOTS];
    for (int slot = 0; slot < owners.length; slot++) {
      owners[slot] = (short) staticOwner(slot, splitGroups);
    }
    return new SlotMap(groups, splitGroups, 0, owners, null);
  }

  /** The static split's owner of {@code slot} (slot-steps.lua's mapped_owner computes the same). */
  private static int staticOwner(int slot, int groups) {
    return (int) ((long) slot * groups / KeySlot.SLOTS);
  }

  /** This map with the owners of moved slots (slot -> group) as of map version {@code version}. */
  public SlotMap withMoved(Map<Integer, Integer> moved, long version) {
    known();
    short[] next = Arrays.copyOf(owners, owners.length);
    moved.forEach((slot, group) -> {
      checkSlot(slot);
      checkGroup(group);
      next[slot] = (short) (int) group;
    });
    return new SlotMap(groups, splitGroups, version, next, null);
  }

  public int groups() {
    return groups;
  }

  /** Whether this map names owners (see {@link #splitUnknown}). */
  public boolean splitKnown() {
    return owners != null;
  }

  /** How many groups the static split divides the slots over; the groups after those were added later. */
  public int splitGroups() {
    return splitGroups;
  }

  /** How many moves this map includes (0: the static split). */
  public long version() {
    return version;
  }

  /** The group that owns {@code slot}. */
  public int groupOf(int slot) {
    checkSlot(slot);
    return known()[slot];
  }

  /** The group that owns {@code key}'s slot. */
  public int groupOfKey(byte[] key) {
    return known()[KeySlot.of(key)];
  }

  private short[] known() {
    if (owners == null) {
      throw new UnavailableException(unknownBecause);
    }
    return owners;
  }

  /** The slots {@code group} owns, as contiguous ranges in slot order. */
  public List<Range> ranges(int group) {
    checkGroup(group);
    short[] owners = known();
    List<Range> ranges = new ArrayList<>();
    int first = -1;
    for (int slot = 0; slot <= owners.length; slot++) {
      boolean owned = slot < owners.length && owners[slot] == group;
      if (owned && first < 0) {
        first = slot;
      } else if (!owned && first >= 0) {
        ranges.add(new Range(first, slot - 1));
        first = -1;
      }
    }
    return ranges;
  }

  /** The first slot of {@code group}'s range in the static split (a group of the split). */
  public int firstSlot(int group) {
    checkSplitGroup(group);
    return (int) (((long) group * KeySlot.SLOTS + splitGroups - 1) / splitGroups);
  }

  /** The last slot of {@code group}'s range in the static split (a group of the split). */
  public int lastSlot(int group) {
    checkSplitGroup(group);
    return group == splitGroups - 1 ? KeySlot.SLOTS - 1 : firstSlot(group + 1) - 1;
  }

  private void checkSplitGroup(int group) {
    if (group < 0 || group >= splitGroups) {
      throw new IllegalArgumentException("group " + group + " is not one of the static split's groups 0.."
          + (splitGroups - 1));
    }
  }

  private static void checkSlot(int slot) {
    if (slot < 0 || slot >= KeySlot.SLOTS) {
      throw new IllegalArgumentException("slot " + slot + " is not in 0.." + (KeySlot.SLOTS - 1));
    }
  }

  private void checkGroup(int group) {
    if (group < 0 || group >= groups) {
      throw new IllegalArgumentException("group " + group + " is not in 0.." + (groups - 1));
    }
  }
}
