package dev.redraft.client.cli;

import picocli.CommandLine;

/** The {@code redraft} command-line tool. See {@code redraft --help}. */
public final class RedraftCli {
  private RedraftCli() {}

  public static void main(String[] args) {
    System.exit(run(CliContext.system(), args));
  }

  /** Runs the tool in this process and returns its exit code. */
  public static int run(CliContext context, String... args) {
    CommandLine commandLine = commandLine(context);
    String[] expanded;
    try {
      expanded = StdinArgument.expand(args);
    } catch (CliUsageException e) {
      context.err().println("error: " + e.getMessage());
      context.err().flush();
      return ExitCodes.USAGE;
    }
    return commandLine.execute(expanded);
  }

  static CommandLine commandLine(CliContext context) {
    CommandLine commandLine = new CommandLine(new RedraftCommand(context));
    commandLine.addSubcommand(new SetCommand());
    TypedSubcommands.addTo(commandLine);
    commandLine.addSubcommand(new GenericCommand());
    commandLine.addSubcommand(new BatchCommand());
    commandLine.addSubcommand(new ClusterCommand());
    commandLine.addSubcommand(new CompletionCommand());
    commandLine.addSubcommand(new MemberCommand());
    commandLine.addSubcommand(new TokenCommand());
    commandLine.addSubcommand(new LeaderCommand());
    commandLine.addSubcommand(new SlotsCommand());
    commandLine.addSubcommand(new SnapshotCommand());
    commandLine.addSubcommand(new VerifyCommand());
    commandLine.addSubcommand(new BenchCommand());
    commandLine.addSubcommand(new CommandLine.HelpCommand());
    // Values such as -1 (LRANGE key 0 -1) are arguments, not unknown options.
    commandLine.setUnmatchedOptionsArePositionalParams(true);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    // Command names as Redis takes them: GET, Get and get are one command.
    commandLine.setSubcommandsCaseInsensitive(true);
    commandLine.setOut(context.out());
    commandLine.setErr(context.err());
    commandLine.setExecutionExceptionHandler(new FailureReporter());
    commandLine.setParameterExceptionHandler(new UsageErrorReporter());
    return commandLine;
  }
}
