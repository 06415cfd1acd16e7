package dev.redraft.coordinator.command;

import java.util.List;

/**
 * The arguments of EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT, checked as Redis 7.0 checks them
 * (expire.c): options first (NX, XX, GT, LT, with Redis' compatibility rules; repeats are allowed),
 * then the time, which may be negative (the key is deleted) but must fit in milliseconds.
 */
final class ExpireArguments {
  private static final int FIRST_OPTION = 3;

  /** The time as given. */
  final long value;
  /** True for EXPIRE and EXPIREAT: the value is in seconds. */
  final boolean seconds;
  /** True for EXPIRE and PEXPIRE: the value counts from now. */
  final boolean relative;

  private ExpireArguments(long value, boolean seconds, boolean relative) {
    this.value = value;
    this.seconds = seconds;
    this.relative = relative;
  }

  static boolean isExpireCommand(String name) {
    return switch (name) {
      case "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT" -> true;
      default -> false;
    };
  }

  /** Parses argv of an EXPIRE-family command, or throws a SYNTAX InvalidCommandException. */
  static ExpireArguments parse(CommandSpec spec, List<byte[]> argv) {
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    for (int j = FIRST_OPTION; j < argv.size(); j++) {
      byte[] opt = argv.get(j);
      if (Ascii.equalsIgnoreCase(opt, "NX")) {
        nx = true;
      } else if (Ascii.equalsIgnoreCase(opt, "XX")) {
        xx = true;
      } else if (Ascii.equalsIgnoreCase(opt, "GT")) {
        gt = true;
      } else if (Ascii.equalsIgnoreCase(opt, "LT")) {
        lt = true;
      } else {
        throw CommandErrors.syntax("ERR Unsupported option " + Ascii.quote(opt));
      }
    }
    if (nx && (xx || gt || lt)) {
      throw CommandErrors.syntax(
          "ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if (gt && lt) {
      throw CommandErrors.syntax("ERR GT and LT options at the same time are not compatible");
    }
    String name = spec.name();
    boolean seconds = name.equals("EXPIRE") || name.equals("EXPIREAT");
    boolean relative = name.equals("EXPIRE") || name.equals("PEXPIRE");
    long value = CommandErrors.integer(argv.get(2));
    if (seconds && (value > Long.MAX_VALUE / 1000 || value < Long.MIN_VALUE / 1000)) {
      throw CommandErrors.invalidExpireTime(spec);
    }
    return new ExpireArguments(value, seconds, relative);
  }

  /**
   * The absolute deadline in milliseconds since the epoch, counting relative times from
   * {@code nowMs}; a SYNTAX error if it overflows, as in Redis.
   */
  long absoluteMillis(CommandSpec spec, long nowMs) {
    try {
      long millis = seconds ? Math.multiplyExact(value, 1000L) : value;
      return relative ? Math.addExact(millis, nowMs) : millis;
    } catch (ArithmeticException overflow) {
      throw CommandErrors.invalidExpireTime(spec);
    }
  }
}
