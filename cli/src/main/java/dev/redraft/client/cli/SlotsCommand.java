package dev.redraft.client.cli;

import dev.redraft.api.v1.SlotRange;
import dev.redraft.client.RedraftClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import dev.redraft.client.cli.output.AdminPrinter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redraft slots move SLOTS GROUP} and {@code redraft slots balance}: moving key slots between Raft groups. */
@Command(name = "slots", mixinStandardHelpOptions = true,
    description = "Key slots of a sharded cluster ('redraft cluster slots' shows which group owns which).")
final class SlotsCommand implements Callable<Integer> {
  /** The highest slot (Redis Cluster's 16384 slots). */
  private static final int LAST_SLOT = 16383;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: try 'redraft slots move SLOTS GROUP' or"
        + " 'redraft slots balance' (and 'redraft cluster slots' to see the map)");
  }

  @Command(name = "balance", mixinStandardHelpOptions = true,
      description = {"Moves slots so that every group owns an equal share of the 16384 (one slot apart at most), "
          + "moving as few as it can: run it after adding groups (they start with no slot). Each move is as "
          + "'redraft slots move' makes it, one after the other, while clients keep reading and writing; run it "
          + "again after an interruption to finish. Prints each move as it finishes."})
  int balance(@Option(names = "--dry-run", description = "print the moves, make none") boolean dryRun,
      @Option(names = "--max-slots-per-move", defaultValue = "1024", paramLabel = "N",
          description = "slots per move at most (a move's slots wait while their keys are copied; default: 1024)")
      int maxSlotsPerMove) {
    if (maxSlotsPerMove < 1) {
      throw new ParameterException(spec.commandLine(), "--max-slots-per-move must be 1 or more, not " + maxSlotsPerMove);
    }
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      List<SlotBalance.Move> plan = SlotBalance.plan(client.admin().clusterSlots(), maxSlotsPerMove);
      root.adminPrinter().balancePlan(plan.stream().map(move -> new AdminPrinter.PlannedMove(move.source(),
          move.target(), move.slots().size(), move.describe())).toList(), dryRun, root.out());
      if (!dryRun) {
        for (SlotBalance.Move move : plan) {
          root.adminPrinter().balanceMoved(client.admin().moveSlots(move.ranges(), move.target()), move.describe(),
              root.out());
        }
      }
    }
    return ExitCodes.OK;
  }

  @Command(name = "move", mixinStandardHelpOptions = true,
      description = {"Moves SLOTS (all owned by one group now) to GROUP while clients keep reading and writing: "
          + "the keys of those slots are copied through both groups' Raft logs, and their writes and reads wait "
          + "during the copy. Returns once the slot map names GROUP for every slot; the move goes on by itself "
          + "if this command is interrupted (run it again with the same SLOTS to wait for it)."})
  int move(@Parameters(index = "0", paramLabel = "SLOTS", description = "slots and ranges, e.g. 0-99,200") String slots,
      @Parameters(index = "1", paramLabel = "GROUP", description = "the group that gets them") int group) {
    List<SlotRange> ranges = parse(slots);
    if (group < 0) {
      throw new ParameterException(spec.commandLine(), "GROUP must be a group number (0 or more), not " + group);
    }
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      root.adminPrinter().moved(client.admin().moveSlots(ranges, group), root.out());
    }
    return ExitCodes.OK;
  }

  private List<SlotRange> parse(String text) {
    List<SlotRange> ranges = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String[] bounds = part.trim().split("-", -1);
      try {
        if (bounds.length > 2) {
          throw new NumberFormatException();
        }
        int first = Integer.parseInt(bounds[0].trim());
        int last = bounds.length == 2 ? Integer.parseInt(bounds[1].trim()) : first;
        if (first < 0 || last > LAST_SLOT || first > last) {
          throw new NumberFormatException();
        }
        ranges.add(SlotRange.newBuilder().setFirst(first).setLast(last).build());
      } catch (NumberFormatException e) {
        throw new ParameterException(spec.commandLine(), "SLOTS must be slots and ranges within 0-" + LAST_SLOT
            + " separated by commas, e.g. 0-99,200; '" + part + "' is not one");
      }
    }
    return ranges;
  }
}
