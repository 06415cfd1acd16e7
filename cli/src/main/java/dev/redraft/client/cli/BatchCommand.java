package dev.redraft.client.cli;

import dev.redraft.client.BatchRolledBackException;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.cli.input.CommandLines;
import dev.redraft.client.cli.output.DisplayText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redraft batch}: several Redis commands applied as one atomic batch, all or nothing. */
@Command(name = "batch", mixinStandardHelpOptions = true,
    description = {"Apply several commands as one atomic batch: all of them, in order, or none (reads such as "
        + "GET are answered at the batch's log position; a read whose reply differs between replicas, such as "
        + "SMEMBERS, and a lone read are refused). "
        + "Commands come from the arguments (one command each, e.g. 'SET a 1' 'INCR a'), else from "
        + "--file, else from standard input, one per line, quoted as redis-cli takes them (\"a b\", "
        + "'a b', \"\\xff\\n\"); blank lines and # comments are skipped. Prints each reply in order (-o "
        + "json: one JSON array). If one command fails, the batch is rolled back: nothing changed, the "
        + "failing command is named and the exit code is 1."})
final class BatchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "One command with its arguments, e.g. 'SET a 1'.")
  List<String> commands = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the commands from FILE (- for stdin).")
  Path file;

  @Override
  public Integer call() throws IOException {
    RedraftCommand root = RedraftCommand.of(spec);
    List<CommandLines.Line> lines = lines(root);
    if (lines.isEmpty()) {
      throw new CliUsageException("no commands in the batch: give them as arguments ('SET a 1' 'INCR a'), "
          + "with --file FILE, or on standard input, one per line");
    }
    List<dev.redraft.api.v1.Command> batch = lines.stream().map(CommandLines.Line::command).toList();
    try (RedraftClient client = root.openClient()) {
      root.replyPrinter().printAll(client.batch(batch).replies(), root.out());
    } catch (BatchRolledBackException rolledBack) {
      int failed = rolledBack.failedIndex();
      String which = failed < 0 ? "" : ": command " + (failed + 1) + " of " + lines.size() + " ("
          + DisplayText.message(lines.get(failed).text()) + ") failed: "
          + DisplayText.message(rolledBack.replies().get(failed).getError());
      root.err().println("(error) batch rolled back, nothing changed" + which);
      root.err().flush();
      return ExitCodes.COMMAND_FAILED;
    }
    return ExitCodes.OK;
  }

  private List<CommandLines.Line> lines(RedraftCommand root) throws IOException {
    if (!commands.isEmpty()) {
      if (file != null) {
        throw new CliUsageException("give the commands as arguments or with --file, not both");
      }
      return parse(() -> CommandLines.of(commands));
    }
    if (file == null || file.toString().equals("-")) {
      return parse(() -> CommandLines.read(root.stdin()));
    }
    Path path = root.context().workingDir().resolve(file);
    try (InputStream input = Files.newInputStream(path)) {
      return parse(() -> CommandLines.read(input));
    } catch (NoSuchFileException e) {
      throw new CliUsageException("no such file: " + path);
    }
  }

  private interface LineSource {
    List<CommandLines.Line> read() throws IOException;
  }

  /** A malformed line is a usage error that names the line. */
  private static List<CommandLines.Line> parse(LineSource source) throws IOException {
    try {
      return source.read();
    } catch (CommandLines.BadLineException e) {
      throw new CliUsageException(e.getMessage());
    }
  }
}
