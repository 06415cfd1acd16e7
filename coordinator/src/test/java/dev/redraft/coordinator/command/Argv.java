package dev.redraft.coordinator.command;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helpers: command lines written as text, split on spaces. */
final class Argv {
  private Argv() {}

  static final CommandValidator VALIDATOR = new CommandValidator(new Limits(1024, 100));

  /** The arguments after the name in a line such as "SET k v EX 10". */
  static List<byte[]> args(String line) {
    List<byte[]> args = new ArrayList<>();
    String[] words = line.trim().split(" +");
    for (int i = 1; i < words.length; i++) {
      args.add(words[i].getBytes(StandardCharsets.UTF_8));
    }
    return args;
  }

  static String name(String line) {
    return line.trim().split(" +")[0];
  }

  /** Validates a line as the kind its command has in the catalog. */
  static ValidatedCommand validate(String line) {
    CommandKind kind = CommandCatalog.find(name(line)).map(CommandSpec::kind)
        .orElse(CommandKind.WRITE);
    return VALIDATOR.validate(name(line), args(line), kind);
  }

  /** argv as one space-separated line, for readable assertions. */
  static String text(ValidatedCommand cmd) {
    List<String> words = new ArrayList<>();
    for (byte[] arg : cmd.argv()) {
      words.add(new String(arg, StandardCharsets.UTF_8));
    }
    return String.join(" ", words);
  }

  static List<String> keys(ValidatedCommand cmd) {
    return cmd.keys().stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList();
  }

  static String positions(ValidatedCommand cmd) {
    return Arrays.toString(cmd.keyPositions());
  }
}
