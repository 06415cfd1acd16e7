package dev.redraft.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * redis-cli's {@code -x}: the last argument of a Redis command is read from standard input, byte for
 * byte ({@code redraft -x set k < file}). Before parsing, a placeholder is appended to the arguments,
 * so the subcommand's arity is checked as if the value had been typed; the sender swaps in the bytes.
 */
final class StdinArgument {
  static final String OPTION = "-x";
  /** Stands for standard input among the arguments; no typed argument can contain a NUL. */
  static final String PLACEHOLDER = "\u0000(standard input)";
  private static final Set<String> ROOT_OPTIONS_WITH_VALUE = Set.of("--endpoints", "--timeout", "-o", "--output");
  private static final Set<String> NOT_REDIS_COMMANDS = Set.of(
      "batch", "cluster", "member", "leader", "snapshot", "verify", "bench", "completion", "help");

  private StdinArgument() {}

  /**
   * The arguments, with the placeholder at the end if {@code -x} comes before a Redis command.
   *
   * @throws CliUsageException if {@code -x} comes before a subcommand that takes no Redis arguments
   */
  static String[] expand(String[] args) {
    boolean stdin = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals(OPTION)) {
        stdin = true;
      } else if (ROOT_OPTIONS_WITH_VALUE.contains(arg)) {
        i++;
      } else if (!arg.startsWith("-")) {
        if (!stdin) {
          return args;
        }
        if (NOT_REDIS_COMMANDS.contains(arg.toLowerCase(Locale.ROOT))) {
          throw new CliUsageException("-x reads the last argument of a Redis command from standard input; '"
              + arg + "' takes none (e.g. redraft -x set KEY < FILE)");
        }
        String[] expanded = Arrays.copyOf(args, args.length + 1);
        expanded[args.length] = PLACEHOLDER;
        return expanded;
      }
    }
    return args;
  }

  /** The arguments as bytes (typed ones in UTF-8), the placeholder replaced by all of standard input. */
  static List<byte[]> resolve(List<String> args, InputStream stdin) {
    List<byte[]> bytes = new ArrayList<>(args.size());
    for (String arg : args) {
      bytes.add(arg.equals(PLACEHOLDER) ? readAll(stdin) : arg.getBytes(StandardCharsets.UTF_8));
    }
    return bytes;
  }

  private static byte[] readAll(InputStream stdin) {
    try {
      return stdin.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read standard input for -x: " + e.getMessage(), e);
    }
  }
}
