package dev.redraft.client.cli;

import dev.redraft.client.AdminRefusedException;
import dev.redraft.client.BatchRolledBackException;
import dev.redraft.client.ClusterUnavailableException;
import dev.redraft.client.InvalidRequestException;
import dev.redraft.client.RedisErrorException;
import dev.redraft.client.RedraftRpcException;
import dev.redraft.client.cli.output.DisplayText;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failed subcommand into one line on stderr (what failed, what to do) and the matching exit
 * code. The stack trace only with {@code --debug}.
 */
final class FailureReporter implements IExecutionExceptionHandler {
  static final String STATUS_HINT = " Check the nodes with 'redraft cluster status'.";

  /** What to say about a failure (one line) and the exit code it gives. */
  record Failure(String message, int exitCode) {}

  @Override
  public int handleExecutionException(Exception failure, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    Failure described = describe(failure, isStatusCommand(commandLine));
    err.println(described.message());
    if (debug(commandLine)) {
      failure.printStackTrace(err);
    }
    err.flush();
    return described.exitCode();
  }

  /**
   * The one line and exit code for a failure; {@code statusCommand} leaves out the hint to run
   * 'cluster status' (no help when that was the command).
   */
  static Failure describe(Exception failure, boolean statusCommand) {
    int exitCode;
    String message;
    if (failure instanceof AdminRefusedException refused) {
      // The server's own reason; nothing changed. A malformed request is a usage error.
      message = "(error) " + failure.getMessage();
      exitCode = refused.badInput() ? ExitCodes.USAGE : ExitCodes.COMMAND_FAILED;
    } else if (failure instanceof InvalidRequestException) {
      // Like redis-cli: the server's own words. Wrong arguments are a usage error, as when this tool
      // detects them; an unsupported or refused command is not.
      message = "(error) " + failure.getMessage();
      exitCode = isWrongArguments(failure.getMessage()) ? ExitCodes.USAGE : ExitCodes.COMMAND_FAILED;
    } else if (failure instanceof RedisErrorException || failure instanceof BatchRolledBackException) {
      message = "(error) " + failure.getMessage();
      exitCode = ExitCodes.COMMAND_FAILED;
    } else if (failure instanceof ClusterUnavailableException) {
      // Also OutcomeUnknownException, whose message says the write may have been applied.
      message = "error: " + failure.getMessage() + (statusCommand ? "" : STATUS_HINT);
      exitCode = ExitCodes.UNAVAILABLE;
    } else if (failure instanceof RedraftRpcException) {
      message = "error: " + failure.getMessage();
      exitCode = ExitCodes.COMMAND_FAILED;
    } else if (failure instanceof CliUsageException || failure instanceof IllegalArgumentException) {
      message = "error: " + failure.getMessage();
      exitCode = ExitCodes.USAGE;
    } else {
      message = "error: " + failure + " (run again with --debug for the stack trace)";
      exitCode = ExitCodes.COMMAND_FAILED;
    }
    return new Failure(DisplayText.message(firstLine(message)), exitCode);
  }

  /** Redis' and the catalog's words for wrong arguments: arity, or options it does not take. */
  static boolean isWrongArguments(String message) {
    String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
    return lower.contains("wrong number of arguments") || lower.contains("err syntax error");
  }

  /** The hint to check 'cluster status' would be no help when that (or member list) was the command. */
  private static boolean isStatusCommand(CommandLine commandLine) {
    String name = commandLine.getCommandSpec().qualifiedName(" ");
    return name.endsWith("cluster status") || name.endsWith("member list");
  }

  private static boolean debug(CommandLine commandLine) {
    Object root = commandLine.getCommandSpec().root().userObject();
    return root instanceof RedraftCommand command && command.debug;
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
