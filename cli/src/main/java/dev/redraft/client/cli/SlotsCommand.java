package dev.redraft.client.cli;

import dev.redraft.api.v1.SlotRange;
import dev.redraft.client.RedraftClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redraft slots move SLOTS GROUP}: moving key slots between Raft groups. */
@Command(name = "slots", mixinStandardHelpOptions = true,
    description = "Key slots of a sharded cluster ('redraft cluster slots' shows which group owns which).")
final class SlotsCommand implements Callable<Integer> {
  /** The highest slot (Redis Cluster's 16384 slots). */
  private static final int LAST_SLOT = 16383;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: try 'redraft slots move SLOTS GROUP'"
        + " (and 'redraft cluster slots' to see the map)");
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
