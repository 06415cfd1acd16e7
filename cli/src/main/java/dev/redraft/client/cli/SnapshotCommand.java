package dev.redraft.client.cli;

import dev.redraft.client.RedraftClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redraft snapshot [--node ID] [--group G]}. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = "Takes a snapshot of a node's Redis state now (the log before it can then be purged). "
        + "Prints the node and the log index of the snapshot.")
final class SnapshotCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--node", paramLabel = "ID",
      description = "the node to snapshot (default: the node that answers, the first reachable endpoint)")
  String node;

  @Option(names = "--group", paramLabel = "G", defaultValue = "0",
      description = "the Raft group whose replica is snapshotted, in a sharded cluster (default: ${DEFAULT-VALUE})")
  int group;

  @Override
  public Integer call() {
    if (node != null) {
      AdminArguments.nodeId(node);
    }
    if (group < 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--group must be a group number (0 or"
          + " more), not " + group);
    }
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      root.adminPrinter().snapshot(client.admin().takeSnapshot(node, group), root.out());
    }
    return ExitCodes.OK;
  }
}
