package dev.redraft.coordinator.command;

import java.util.List;

/**
 * The key count of commands that give it as an argument (Redis' "keynum" key specs), checked with
 * Redis 7.0's own messages before the keys are located: LMPOP and ZMPOP (t_list.c/t_zset.c
 * mpopGenericCommand, with their LEFT|RIGHT or MIN|MAX and COUNT), SINTERCARD, and the ZUNION,
 * ZINTER, ZDIFF families (zunionInterDiffGenericCommand). Their other options are left to Redis,
 * which refuses them before touching data.
 */
final class KeyCountArguments {
  private KeyCountArguments() {}

  private static final String NUMKEYS_POSITIVE = "ERR numkeys should be greater than 0";

  static boolean has(String name) {
    return switch (name) {
      case "LMPOP", "ZMPOP", "SINTERCARD", "ZINTERCARD", "ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE",
          "ZINTERSTORE", "ZDIFFSTORE" -> true;
      default -> false;
    };
  }

  static void check(CommandSpec spec, List<byte[]> argv) {
    switch (spec.name()) {
      case "LMPOP" -> checkMpop(argv, "LEFT", "RIGHT");
      case "ZMPOP" -> checkMpop(argv, "MIN", "MAX");
      case "SINTERCARD" -> {
        long numkeys = positive(argv.get(1), NUMKEYS_POSITIVE);
        if (numkeys > argv.size() - 2) {
          throw CommandErrors.syntax("ERR Number of keys can't be greater than number of args");
        }
      }
      case "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE" -> checkZsetOperation(spec, argv, 2);
      default -> checkZsetOperation(spec, argv, 1);
    }
  }

  /** numkeys key... LEFT|RIGHT [COUNT count]. */
  private static void checkMpop(List<byte[]> argv, String first, String second) {
    long numkeys = positive(argv.get(1), NUMKEYS_POSITIVE);
    if (numkeys >= argv.size() - 2) {
      throw CommandErrors.syntax();
    }
    int where = 2 + (int) numkeys;
    if (!Ascii.equalsIgnoreCase(argv.get(where), first) && !Ascii.equalsIgnoreCase(argv.get(where), second)) {
      throw CommandErrors.syntax();
    }
    boolean count = false;
    for (int j = where + 1; j < argv.size(); j++) {
      if (!count && Ascii.equalsIgnoreCase(argv.get(j), "COUNT") && j + 1 < argv.size()) {
        positive(argv.get(++j), "ERR count should be greater than 0");
        count = true;
      } else {
        throw CommandErrors.syntax();
      }
    }
  }

  /** [destination] numkeys key... [options]. */
  private static void checkZsetOperation(CommandSpec spec, List<byte[]> argv, int index) {
    long numkeys = CommandErrors.integer(argv.get(index));
    if (numkeys < 1) {
      throw CommandErrors.syntax(
          "ERR at least 1 input key is needed for '" + spec.lowerName() + "' command");
    }
    if (numkeys > argv.size() - index - 1) {
      throw CommandErrors.syntax();
    }
  }

  /** An integer from 1 to Long.MAX_VALUE, or {@code message}. */
  private static long positive(byte[] arg, String message) {
    long value = CommandErrors.integer(arg, message);
    if (value < 1) {
      throw CommandErrors.syntax(message);
    }
    return value;
  }
}
