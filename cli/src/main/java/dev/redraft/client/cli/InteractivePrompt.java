package dev.redraft.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.ArgumentCompleter;
import org.jline.reader.impl.completer.NullCompleter;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * {@code redraft} on a terminal with no command: a prompt like redis-cli's ({@code 127.0.0.1:7001> }),
 * with line editing, history in {@code ~/.redraft_history} and tab completion of command names.
 * Ctrl-C clears the line, Ctrl-D, quit or exit leave.
 */
final class InteractivePrompt {
  static final String HISTORY_FILE = ".redraft_history";

  private InteractivePrompt() {}

  /** JLine's own logger: its warnings (e.g. no terminfo for an unset TERM) come with stack traces. */
  private static final Logger JLINE_LOG = Logger.getLogger("org.jline");

  static int run(RedraftCommand root, ShellSession session) throws IOException {
    List<String> endpoints = root.endpoints();
    if (!root.debug) {
      JLINE_LOG.setLevel(Level.OFF);
    }
    String prompt = endpoints.get(0) + "> ";
    try (Terminal terminal = TerminalBuilder.builder().system(true).encoding(StandardCharsets.UTF_8).build()) {
      LineReader reader = LineReaderBuilder.builder()
          .terminal(terminal)
          .appName("redraft")
          .variable(LineReader.HISTORY_FILE, historyFile(root.context().env()))
          .completer(new ArgumentCompleter(new StringsCompleter(commandNames(root)), NullCompleter.INSTANCE))
          // The line exactly as typed: no !-history expansion, which also eats backslashes (\xff).
          .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
          .build();
      root.out().println("Redraft at " + String.join(",", endpoints) + ". Type help for help, quit to leave.");
      root.out().flush();
      while (true) {
        String line;
        try {
          line = reader.readLine(prompt);
        } catch (UserInterruptException e) {
          continue;
        } catch (EndOfFileException e) {
          return ExitCodes.OK;
        }
        if (session.run(line.getBytes(StandardCharsets.UTF_8)) == ShellSession.QUIT) {
          return ExitCodes.OK;
        }
      }
    }
  }

  /** Tab completes the first word: the tool's subcommands (Redis' and its own), help, quit and exit. */
  private static List<String> commandNames(RedraftCommand root) {
    List<String> names = new ArrayList<>(root.spec.subcommands().keySet());
    names.addAll(List.of("quit", "exit"));
    return names;
  }

  private static Path historyFile(Map<String, String> env) {
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, HISTORY_FILE);
  }
}
