package dev.redraft.client.cli;

import dev.redraft.api.v1.Command;
import dev.redraft.client.Commands;
import dev.redraft.client.ReadOnlyCommands;
import dev.redraft.client.RedraftClient;
import dev.redraft.client.cli.input.RedisLineSplitter;
import dev.redraft.client.cli.output.DisplayText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs command lines, typed at the prompt or read from standard input, with one client for all of
 * them (the JVM and the connections start once). A Redis command is typed as redis-cli takes it (and
 * sent as is, binary-safe); the tool's own commands (cluster status, member list, batch, ...), and a
 * Redis command with an argument that starts with a dash (get k --stale, set k v --ex 10), run as they
 * do on the command line, with the options the tool was started with.
 */
final class ShellSession implements AutoCloseable {
  /** What {@link #run} returns for quit and exit. */
  static final int QUIT = -1;
  static final String HELP = String.join("\n",
      "Type Redis commands as redis-cli takes them: SET k v EX 100 NX, GET k, HGETALL h, SET k \"a\\xffb\".",
      "The tool's own commands work as on the command line: cluster status, member list, leader transfer ID,",
      "snapshot, verify, batch 'SET a 1' 'INCR a', cmd NAME ARGS --read.",
      "help COMMAND describes one (help set, help cluster status); quit or exit (or Ctrl-D) leaves.");
  private static final Set<String> TOOL_COMMANDS = Set.of(
      "batch", "cluster", "member", "leader", "snapshot", "verify", "bench", "completion", "cmd");

  private final RedraftCommand root;
  private RedraftClient client;

  ShellSession(RedraftCommand root) {
    this.root = root;
  }

  /**
   * Runs every line of the stream in turn, as redis-cli does with {@code redis-cli < FILE}; returns
   * the exit code of the first command that failed, or 0.
   */
  int runAll(InputStream input) throws IOException {
    int exitCode = ExitCodes.OK;
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while (true) {
      b = input.read();
      if (b == '\n' || (b < 0 && line.size() > 0)) {
        int code = run(stripCr(line.toByteArray()));
        line.reset();
        if (code == QUIT) {
          return exitCode;
        }
        if (exitCode == ExitCodes.OK) {
          exitCode = code;
        }
      } else if (b >= 0) {
        line.write(b);
      }
      if (b < 0) {
        return exitCode;
      }
    }
  }

  /** Runs one line; returns its exit code, or {@link #QUIT}. */
  int run(byte[] line) {
    List<byte[]> words;
    try {
      words = RedisLineSplitter.split(line);
    } catch (RedisLineSplitter.MalformedLineException e) {
      return report(new CliUsageException(e.getMessage()));
    }
    if (words.isEmpty()) {
      return ExitCodes.OK;
    }
    String first = new String(words.get(0), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    if (first.equals("quit") || first.equals("exit")) {
      return QUIT;
    }
    if (first.equals("help")) {
      if (words.size() == 1) {
        root.out().println(HELP);
        root.out().flush();
        return ExitCodes.OK;
      }
      List<String> args = strings(words.subList(1, words.size()));
      args.add("--help");
      return RedraftCli.run(root.context(), args.toArray(String[]::new));
    }
    if (TOOL_COMMANDS.contains(first) || (hasDashArgument(words) && allText(words))) {
      // The tool's own commands, and typed ones with flags (get k --stale, set k v --ex 10, lrange l 0
      // -1): exactly as on the command line.
      List<String> args = rootOptions();
      args.addAll(strings(words));
      return RedraftCli.run(root.context(), args.toArray(String[]::new));
    }
    return redis(first.toUpperCase(Locale.ROOT), words.subList(1, words.size()));
  }

  private int redis(String name, List<byte[]> args) {
    Command command = Commands.of(name, args.toArray(byte[][]::new));
    try {
      if (client == null) {
        client = root.openClient();
      }
      root.replyPrinter().print(CommandSender.execute(client, command, ReadOnlyCommands.isRead(name), false),
          root.out());
      return ExitCodes.OK;
    } catch (RuntimeException e) {
      return report(e);
    }
  }

  private int report(RuntimeException failure) {
    FailureReporter.Failure described = FailureReporter.describe(failure, false);
    PrintWriter err = root.err();
    err.println(described.message());
    if (root.debug) {
      failure.printStackTrace(err);
    }
    err.flush();
    return described.exitCode();
  }

  /** The options the tool was started with, for the tool's own commands run from here. */
  private List<String> rootOptions() {
    List<String> options = new ArrayList<>();
    if (root.endpoints != null) {
      options.addAll(List.of("--endpoints", root.endpoints));
    }
    if (root.timeout != null) {
      options.addAll(List.of("--timeout", root.timeout.toMillis() + "ms"));
    }
    if (root.output != null) {
      options.addAll(List.of("-o", root.output.name().toLowerCase(Locale.ROOT)));
    }
    if (root.debug) {
      options.add("--debug");
    }
    return options;
  }

  private static boolean hasDashArgument(List<byte[]> words) {
    return words.stream().skip(1).anyMatch(w -> w.length > 1 && w[0] == '-');
  }

  /** Every word is UTF-8 text, so it survives the trip through a String argument list. */
  private static boolean allText(List<byte[]> words) {
    return words.stream().allMatch(w -> DisplayText.utf8(w).isPresent() && new String(w, StandardCharsets.UTF_8)
        .indexOf('\0') < 0);
  }

  private static List<String> strings(List<byte[]> words) {
    List<String> strings = new ArrayList<>();
    words.forEach(w -> strings.add(new String(w, StandardCharsets.UTF_8)));
    return strings;
  }

  private static byte[] stripCr(byte[] line) {
    return line.length > 0 && line[line.length - 1] == '\r'
        ? java.util.Arrays.copyOf(line, line.length - 1) : line;
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
