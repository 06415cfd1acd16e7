package dev.redraft.client.cli;

import dev.redraft.client.AdminRefusedException;
import dev.redraft.client.BatchRolledBackException;
import dev.redraft.client.ClusterUnavailableException;
import dev.redraft.client.InvalidRequestException;
import dev.redraft.client.RedisErrorException;
import dev.redraft.client.RedraftRpcException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Turns a failed subcommand into a message on stderr and the matching exit code. */
final class FailureReporter implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception failure, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    int exitCode;
    String message;
    if (failure instanceof AdminRefusedException refused) {
      // The server's own reason; nothing changed. A malformed request is a usage error.
      message = "(error) " + failure.getMessage();
      exitCode = refused.badInput() ? ExitCodes.USAGE : ExitCodes.COMMAND_FAILED;
    } else if (failure instanceof RedisErrorException || failure instanceof BatchRolledBackException
        || failure instanceof InvalidRequestException) {
      // Like redis-cli: the server's own words.
      message = "(error) " + failure.getMessage();
      exitCode = ExitCodes.COMMAND_FAILED;
    } else if (failure instanceof ClusterUnavailableException) {
      // Also OutcomeUnknownException, whose message says the write may have been applied.
      message = "error: " + failure.getMessage();
      exitCode = ExitCodes.UNAVAILABLE;
    } else if (failure instanceof RedraftRpcException) {
      message = "error: " + failure.getMessage();
      exitCode = ExitCodes.COMMAND_FAILED;
    } else if (failure instanceof CliUsageException || failure instanceof IllegalArgumentException) {
      message = "error: " + failure.getMessage();
      exitCode = ExitCodes.USAGE;
    } else {
      message = "error: " + failure;
      exitCode = ExitCodes.COMMAND_FAILED;
    }
    err.println(message);
    err.flush();
    return exitCode;
  }
}
