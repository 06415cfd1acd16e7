package dev.redraft.client.cli;

import dev.redraft.api.v1.MemberStatus;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.cli.output.DisplayText;
import java.util.List;
import java.util.Optional;
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
          + "is elected. Prints the leader afterwards. Refused at once if ID is unreachable or not ready "
          + "(as 'redraft cluster status' shows it): a transfer to it could only time out.")
  int transfer(@Parameters(arity = "0..1", paramLabel = "ID", description = "the new leader") String id) {
    if (id != null) {
      AdminArguments.nodeId(id);
    }
    RedraftCommand root = RedraftCommand.of(spec);
    try (RedraftClient client = root.openAdminClient()) {
      if (id != null) {
        Optional<String> unable = cannotLead(client.admin().clusterStatus().getMembersList(), id);
        if (unable.isPresent()) {
          root.err().println("error: " + DisplayText.message(unable.get()));
          root.err().flush();
          return ExitCodes.COMMAND_FAILED;
        }
      }
      root.adminPrinter().leader(client.admin().transferLeadership(id), root.out());
    }
    return ExitCodes.OK;
  }

  /**
   * Why the member cannot take leadership now (unreachable or not ready), or empty if it can, or if
   * it is not a member (the server names the members then).
   */
  static Optional<String> cannotLead(List<MemberStatus> members, String id) {
    for (MemberStatus member : members) {
      if (!member.getNodeId().equals(id)) {
        continue;
      }
      String state = !member.getReachable() ? "unreachable"
          : !member.getReady() ? "not ready" : null;
      if (state == null) {
        return Optional.empty();
      }
      String detail = member.getDetail().isBlank() ? "" : " (" + firstLine(member.getDetail()) + ")";
      return Optional.of("node " + id + " is " + state + detail + ", so it cannot take leadership; nothing "
          + "changed. Start it or wait until it is ready (redraft cluster status), or transfer to another voter");
    }
    return Optional.empty();
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
