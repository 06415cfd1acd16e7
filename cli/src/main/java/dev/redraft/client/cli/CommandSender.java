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
    Command command = Commands.of(name, StdinArgument.resolve(args, root.stdin()).toArray(byte[][]::new));
    try (RedraftClient client = root.openClient()) {
      root.replyPrinter().print(execute(client, command, read, stale), root.out());
    }
    return ExitCodes.OK;
  }

  /** Redis' reply to one command, sent as a read (linearizable, or stale if asked) or a write. */
  static Reply execute(RedraftClient client, Command command, boolean read, boolean stale) {
    return read
        ? client.read(command, stale ? ReadConsistency.STALE : ReadConsistency.LINEARIZABLE).reply()
        : client.write(command).reply();
  }
}
