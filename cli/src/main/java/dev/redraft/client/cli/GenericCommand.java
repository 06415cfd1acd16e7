package dev.redraft.client.cli;

import dev.redraft.client.ReadOnlyCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redraft cmd NAME [ARG...]}: any supported command, sent as a read or a write. */
@Command(name = "cmd", mixinStandardHelpOptions = true,
    description = {"Run any supported Redis command. The catalog's reads (GET, HGETALL, ZRANGE, SCAN, "
        + "XRANGE...) are sent as reads; everything else as a write (through the Raft log).",
        "Put -- before arguments that start with a dash."})
final class GenericCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The command, e.g. SET or HGETALL.")
  String name;

  @Parameters(index = "1..*", paramLabel = "ARG", description = "Its arguments.")
  List<String> args = new ArrayList<>();

  @Option(names = "--read", description = "Send it as a read even if it is not on the read list.")
  boolean read;

  @Option(names = "--stale", description = StaleOption.DESCRIPTION)
  boolean stale;

  @Override
  public Integer call() {
    boolean asRead = read || stale || ReadOnlyCommands.isRead(name);
    return CommandSender.send(spec, name.toUpperCase(Locale.ROOT), args, asRead, stale);
  }
}
