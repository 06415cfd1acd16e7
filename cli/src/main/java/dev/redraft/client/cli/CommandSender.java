package dev.redraft.client.cli;

import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.Reply;
import dev.redraft.client.Commands;
import dev.redraft.client.RedraftClient;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** Sends one command for a subcommand and prints the reply in the chosen format. */
final class CommandSender {
  private CommandSender() {}

  static int send(CommandSpec spec, String name, List<String> args, boolean read, boolean stale) {
    RedraftCommand root = RedraftCommand.of(spec);
    Command command = Commands.of(name, args);
    try (RedraftClient client = root.openClient()) {
      Reply reply = read
          ? client.read(command, stale ? ReadConsistency.STALE : ReadConsistency.LINEARIZABLE).reply()
          : client.write(command).reply();
      root.replyPrinter().print(reply, root.out());
    }
    return ExitCodes.OK;
  }
}
