package dev.redraft.coordinator.command;

import java.util.ArrayList;
import java.util.List;

/**
 * The options of SET and GETEX, parsed as Redis 7.0 parses them (t_string.c
 * parseExtendedStringArgumentsOrReply): NX and XX exclude each other, KEEPTTL and the expiry
 * options exclude each other, the four expiry options exclude each other but one may repeat (the
 * last value wins). The expiry value must be a positive integer. GETEX takes only the expiry
 * options and PERSIST (which excludes them).
 */
final class SetArguments {

  /** The expiry option given, if any. */
  enum Expiry {
    NONE(false, false),
    EX(true, true),
    PX(false, true),
    EXAT(true, false),
    PXAT(false, false);

    final boolean seconds;
    final boolean relative;

    Expiry(boolean seconds, boolean relative) {
      this.seconds = seconds;
      this.relative = relative;
    }
  }


  final Expiry expiry;
  /** The expiry value as given (seconds or milliseconds); meaningless when expiry is NONE. */
  final long expiryValue;
  /** The argv indexes of every expiry option word; its value follows each one. */
  final List<Integer> expiryOptionIndexes;

  private SetArguments(Expiry expiry, long expiryValue, List<Integer> expiryOptionIndexes) {
    this.expiry = expiry;
    this.expiryValue = expiryValue;
    this.expiryOptionIndexes = List.copyOf(expiryOptionIndexes);
  }

  /** Parses argv of SET or GETEX, or throws a SYNTAX InvalidCommandException. */
  static SetArguments parse(CommandSpec spec, List<byte[]> argv) {
    boolean getex = spec.name().equals("GETEX");
    boolean persist = false;
    boolean nx = false;
    boolean xx = false;
    boolean keepTtl = false;
    Expiry expiry = Expiry.NONE;
    int valueIndex = -1;
    List<Integer> expiryOptionIndexes = new ArrayList<>();
    for (int j = getex ? 2 : 3; j < argv.size(); j++) {
      byte[] opt = argv.get(j);
      boolean hasNext = j + 1 < argv.size();
      Expiry asExpiry = expiryOption(opt);
      if (!getex && Ascii.equalsIgnoreCase(opt, "NX") && !xx) {
        nx = true;
      } else if (!getex && Ascii.equalsIgnoreCase(opt, "XX") && !nx) {
        xx = true;
      } else if (!getex && Ascii.equalsIgnoreCase(opt, "GET")) {
        // Returns the old value: nothing to check.
      } else if (!getex && Ascii.equalsIgnoreCase(opt, "KEEPTTL") && expiry == Expiry.NONE) {
        keepTtl = true;
      } else if (getex && Ascii.equalsIgnoreCase(opt, "PERSIST") && expiry == Expiry.NONE) {
        persist = true;
      } else if (asExpiry != null && !keepTtl && !persist
          && (expiry == Expiry.NONE || expiry == asExpiry) && hasNext) {
        expiry = asExpiry;
        expiryOptionIndexes.add(j);
        valueIndex = ++j;
      } else {
        throw CommandErrors.syntax();
      }
    }
    if (expiry == Expiry.NONE) {
      return new SetArguments(expiry, 0, expiryOptionIndexes);
    }
    long value = getex ? RedisIntegers.parse(argv.get(valueIndex)).orElse(0)
        : CommandErrors.integer(argv.get(valueIndex));
    if (value <= 0 || (expiry.seconds && value > Long.MAX_VALUE / 1000)) {
      if (getex) {
        // GETEX checks the time only once it found the key: apply.lua hands it to Redis as given.
        return new SetArguments(Expiry.NONE, 0, List.of());
      }
      throw CommandErrors.invalidExpireTime(spec);
    }
    return new SetArguments(expiry, value, expiryOptionIndexes);
  }

  /**
   * The absolute deadline in milliseconds since the epoch, counting EX and PX from {@code nowMs};
   * a SYNTAX error if it overflows, as in Redis. Only for an expiry other than NONE.
   */
  long absoluteMillis(CommandSpec spec, long nowMs) {
    try {
      long millis = expiry.seconds ? Math.multiplyExact(expiryValue, 1000L) : expiryValue;
      return expiry.relative ? Math.addExact(millis, nowMs) : millis;
    } catch (ArithmeticException overflow) {
      throw CommandErrors.invalidExpireTime(spec);
    }
  }

  private static Expiry expiryOption(byte[] opt) {
    for (Expiry expiry : new Expiry[] {Expiry.EX, Expiry.PX, Expiry.EXAT, Expiry.PXAT}) {
      if (Ascii.equalsIgnoreCase(opt, expiry.name())) {
        return expiry;
      }
    }
    return null;
  }
}
