package dev.redraft.coordinator.command;

import java.util.List;

/**
 * SETEX key seconds value and PSETEX key milliseconds value, checked as Redis 7.0 checks them
 * (t_string.c setexCommand, getExpireMillisecondsOrReply): a positive integer that fits in
 * milliseconds. The Determinizer turns them into SET key value PXAT deadline.
 */
final class TimedSet {
  private final long value;
  private final boolean seconds;

  private TimedSet(long value, boolean seconds) {
    this.value = value;
    this.seconds = seconds;
  }

  static TimedSet parse(CommandSpec spec, List<byte[]> argv) {
    boolean seconds = spec.name().equals("SETEX");
    long value = CommandErrors.integer(argv.get(2));
    if (value <= 0 || (seconds && value > Long.MAX_VALUE / 1000)) {
      throw CommandErrors.invalidExpireTime(spec);
    }
    return new TimedSet(value, seconds);
  }

  /** The absolute deadline counted from {@code nowMs}; a SYNTAX error if it overflows, as in Redis. */
  long absoluteMillis(CommandSpec spec, long nowMs) {
    try {
      return Math.addExact(seconds ? value * 1000 : value, nowMs);
    } catch (ArithmeticException overflow) {
      throw CommandErrors.invalidExpireTime(spec);
    }
  }
}
