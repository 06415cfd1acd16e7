package dev.redraft.client.cli;

import dev.redraft.client.RedraftClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code redraft cluster slots [-o table|json]}. */
@Command(name = "slots", mixinStandardHelpOptions = true,
    description = {"Which Raft group owns which of the 16384 key slots (Redis Cluster's CRC16 slots, hash "
        + "tags included), and each group's leader, term and members, with the API and RESP addresses a "
        + "client reaches the leader by; as the node that answers sees them."})
final class ClusterSlotsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openClient()) {
      root.adminPrinter().slots(client.admin().clusterSlots(), root.out());
      return ExitCodes.OK;
    }
  }
}
