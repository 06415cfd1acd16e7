package dev.redraft.client.cli;

import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.SlotRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The slot moves that leave every group of a cluster with an equal share of the 16384 key slots (the
 * shares differ by one slot at most), moving as few slots as it can: a group over its share gives its
 * highest slots to groups under theirs, in moves of at most {@code maxSlotsPerMove} slots (a move's slots
 * wait while their keys are copied, so smaller moves make shorter waits). What {@code redraft slots
 * balance} runs, for example after groups were added to a running cluster (they start with no slot).
 */
final class SlotBalance {
  /** Redis Cluster's slot count. */
  static final int SLOTS = 16384;

  /** One move of the plan: {@code slots} (ascending, all owned by {@code source}) to {@code target}. */
  record Move(int source, int target, List<Integer> slots) {
    /** The slots as ranges, for the MoveSlots call. */
    List<SlotRange> ranges() {
      List<SlotRange> ranges = new ArrayList<>();
      for (int i = 0; i < slots.size(); i++) {
        int first = slots.get(i);
        while (i + 1 < slots.size() && slots.get(i + 1) == slots.get(i) + 1) {
          i++;
        }
        ranges.add(SlotRange.newBuilder().setFirst(first).setLast(slots.get(i)).build());
      }
      return ranges;
    }

    /** The slots as "0-99,200". */
    String describe() {
      StringBuilder out = new StringBuilder();
      for (SlotRange range : ranges()) {
        out.append(out.length() == 0 ? "" : ",").append(range.getFirst() == range.getLast()
            ? Integer.toString(range.getFirst()) : range.getFirst() + "-" + range.getLast());
      }
      return out.toString();
    }
  }

  private SlotBalance() {}

  /** The moves that balance the layout {@code layout} (every group of the cluster, in group order). */
  static List<Move> plan(ClusterSlotsResponse layout, int maxSlotsPerMove) {
    if (maxSlotsPerMove < 1) {
      throw new IllegalArgumentException("a move takes at least one slot, not " + maxSlotsPerMove);
    }
    int groups = layout.getGroupsCount();
    List<List<Integer>> owned = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      owned.add(new ArrayList<>());
    }
    for (GroupSlots group : layout.getGroupsList()) {
      if (group.getGroup() >= groups) {
        throw new IllegalStateException("the layout names group " + group.getGroup() + " among " + groups + " groups");
      }
      for (SlotRange range : group.getSlotsList()) {
        for (int slot = range.getFirst(); slot <= range.getLast(); slot++) {
          owned.get(group.getGroup()).add(slot);
        }
      }
    }
    int covered = owned.stream().mapToInt(List::size).sum();
    if (covered != SLOTS) {
      throw new IllegalStateException("the layout gives " + covered + " of the " + SLOTS + " slots an owner");
    }
    int[] share = shares(owned);
    List<Move> moves = new ArrayList<>();
    int receiver = 0;
    for (int giver = 0; giver < groups; giver++) {
      List<Integer> slots = owned.get(giver);
      while (slots.size() > share[giver]) {
        while (owned.get(receiver).size() >= share[receiver]) {
          receiver++;
        }
        int count = Math.min(maxSlotsPerMove, Math.min(slots.size() - share[giver],
            share[receiver] - owned.get(receiver).size()));
        List<Integer> given = new ArrayList<>(slots.subList(slots.size() - count, slots.size()));
        slots.subList(slots.size() - count, slots.size()).clear();
        owned.get(receiver).addAll(given);
        moves.add(new Move(giver, receiver, List.copyOf(given)));
      }
    }
    return moves;
  }

  /**
   * Each group's share: SLOTS / groups, one more for SLOTS % groups of them, given to the groups that own
   * the most now (then the lower numbered), so the fewest slots move.
   */
  private static int[] shares(List<List<Integer>> owned) {
    int groups = owned.size();
    int[] share = new int[groups];
    List<Integer> byOwned = IntStream.range(0, groups).boxed()
        .sorted(Comparator.comparingInt((Integer g) -> -owned.get(g).size()).thenComparingInt(g -> g)).toList();
    for (int i = 0; i < groups; i++) {
      share[byOwned.get(i)] = SLOTS / groups + (i < SLOTS % groups ? 1 : 0);
    }
    return share;
  }
}
