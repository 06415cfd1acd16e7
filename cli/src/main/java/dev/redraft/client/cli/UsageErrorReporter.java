package dev.redraft.client.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Wrong flags or arguments: one line saying what is wrong, one saying where the help is, exit 2
 * (not picocli's full usage text, which buries the message).
 */
final class UsageErrorReporter implements IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException failure, String[] args) {
    CommandLine command = failure.getCommandLine();
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    err.println("error: " + failure.getMessage() + " (usage: '" + name + " --help')");
    err.flush();
    return ExitCodes.USAGE;
  }
}
