package dev.redraft.coordinator.command;

import java.util.OptionalLong;

/**
 * Parses integers exactly as Redis does (util.c string2ll): an optional '-', then digits with no
 * leading zero, no '+', no spaces, within a signed 64-bit range. Validation must accept what Redis
 * accepts, or the leader would refuse commands Redis runs (or pass ones it refuses).
 */
final class RedisIntegers {
  private RedisIntegers() {}

  /** Redis refuses strings this long before parsing (LONG_STR_SIZE is 21). */
  private static final int MAX_LENGTH = 20;

  static OptionalLong parse(byte[] s) {
    int len = s.length;
    if (len == 0 || len > MAX_LENGTH) {
      return OptionalLong.empty();
    }
    if (len == 1 && s[0] == '0') {
      return OptionalLong.of(0);
    }
    int i = 0;
    boolean negative = false;
    if (s[0] == '-') {
      negative = true;
      i++;
      if (i == len) {
        return OptionalLong.empty();
      }
    }
    if (s[i] < '1' || s[i] > '9') {
      return OptionalLong.empty();
    }
    // Accumulate as a negative number: its range is one wider, so Long.MIN_VALUE parses too.
    long value = 0;
    for (; i < len; i++) {
      int digit = s[i] - '0';
      if (digit < 0 || digit > 9) {
        return OptionalLong.empty();
      }
      if (value < (Long.MIN_VALUE + digit) / 10) {
        return OptionalLong.empty();
      }
      value = value * 10 - digit;
    }
    if (!negative) {
      if (value == Long.MIN_VALUE) {
        return OptionalLong.empty();
      }
      value = -value;
    }
    return OptionalLong.of(value);
  }
}
