package dev.redraft.client.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code redraft cluster ...}: cluster administration. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Cluster administration.",
    subcommands = {ClusterStatusCommand.class, ClusterSlotsCommand.class})
final class ClusterCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: try 'redraft cluster status'");
  }
}
