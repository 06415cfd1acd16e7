package dev.redraft.client.cli;

import dev.redraft.client.RedraftClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code redraft leader transfer [ID]}: leadership. */
@Command(name = "leader", mixinStandardHelpOptions = true, description = "Raft leadership.")
final class LeaderCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: try 'redraft leader transfer [ID]'");
  }

  @Command(name = "transfer", mixinStandardHelpOptions = true,
      description = "Hands leadership to the voter ID; without ID the leader steps down and another voter "
          + "is elected. Prints the leader afterwards.")
  int transfer(@Parameters(arity = "0..1", paramLabel = "ID", description = "the new leader") String id) {
    if (id != null) {
      AdminArguments.nodeId(id);
    }
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      root.adminPrinter().leader(client.admin().transferLeadership(id), root.out());
    }
    return ExitCodes.OK;
  }
}
