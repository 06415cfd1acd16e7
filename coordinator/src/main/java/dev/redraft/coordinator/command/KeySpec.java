package dev.redraft.coordinator.command;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.IntStream;

/**
 * Where a command's keys are in its argv, as Redis 7's key specs say: a fixed range, a count given
 * in an argument ("keynum": ZUNIONSTORE, LMPOP), the arguments after a keyword (XREAD's STREAMS), or
 * several of these together. Positions are indexes into argv, argv[0] being the command name.
 * A count or keyword that is missing or out of range yields a syntax error: ArgumentSyntax gives
 * Redis' own message first, so this is only a safety net.
 */
public sealed interface KeySpec {

  /** The key positions in this argv, in order. */
  int[] positions(List<byte[]> argv);

  /** No keys (DBSIZE, KEYS, SCAN, FLUSHDB). */
  static KeySpec none() {
    return new Range(1, 0, 1);
  }

  /** The key is argv[1] and there is no other. */
  static KeySpec single() {
    return new Range(1, 1, 1);
  }

  /** Keys from argv[first] to argv[last] inclusive (RENAME is 1..2; OBJECT ENCODING is 2..2). */
  static KeySpec range(int first, int last) {
    return new Range(first, last, 1);
  }

  /** Every argument from argv[first] on is a key. */
  static KeySpec allFrom(int first) {
    return new Range(first, -1, 1);
  }

  /** Every argument is a key. */
  static KeySpec allArguments() {
    return new Range(1, -1, 1);
  }

  /** Key/value pairs: every other argument, starting with argv[1]. */
  static KeySpec keyValuePairs() {
    return new Range(1, -1, 2);
  }

  /** argv[index] counts the keys that follow it (LMPOP numkeys key...). */
  static KeySpec counted(int index) {
    return new KeyNum(index);
  }

  /** A destination at argv[1], then argv[index] counts the source keys (ZUNIONSTORE). */
  static KeySpec destinationThenCounted(int index) {
    return new Union(List.of(single(), new KeyNum(index)));
  }

  /** The first half of the arguments after a keyword (XREAD ... STREAMS key... id...). */
  static KeySpec halfAfterKeyword(String keyword) {
    return new HalfAfterKeyword(keyword);
  }

  /**
   * Every {@code step}-th element from {@code first} to {@code last} inclusive; {@code last = -1}
   * means the last element; {@code last = first - 1} means none. MSET is (1, -1, 2).
   */
  record Range(int first, int last, int step) implements KeySpec {
    public Range {
      if (first < 1 || step < 1 || (last != -1 && last < first - 1)) {
        throw new IllegalArgumentException("invalid key range (" + first + ", " + last + ", " + step
            + "): need first >= 1, step >= 1, and last = -1 or last >= first - 1");
      }
    }

    @Override
    public int[] positions(List<byte[]> argv) {
      int end = last == -1 ? argv.size() - 1 : Math.min(last, argv.size() - 1);
      if (end < first) {
        return new int[0];
      }
      int[] positions = new int[(end - first) / step + 1];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = first + i * step;
      }
      return positions;
    }
  }

  /** argv[index] is a count n >= 1 of the keys at argv[index + 1 .. index + n]. */
  record KeyNum(int index) implements KeySpec {
    public KeyNum {
      if (index < 1) {
        throw new IllegalArgumentException("invalid keynum index " + index + ": need >= 1");
      }
    }

    @Override
    public int[] positions(List<byte[]> argv) {
      OptionalLong count = index < argv.size() ? RedisIntegers.parse(argv.get(index)) : OptionalLong.empty();
      if (count.isEmpty() || count.getAsLong() < 1 || count.getAsLong() > argv.size() - 1 - index) {
        throw CommandErrors.syntax();
      }
      return IntStream.rangeClosed(index + 1, index + (int) count.getAsLong()).toArray();
    }
  }

  /** The first half of the arguments after the first {@code keyword} from argv[1] on. */
  record HalfAfterKeyword(String keyword) implements KeySpec {
    @Override
    public int[] positions(List<byte[]> argv) {
      for (int i = 1; i < argv.size(); i++) {
        if (Ascii.equalsIgnoreCase(argv.get(i), keyword)) {
          int after = argv.size() - 1 - i;
          if (after == 0 || after % 2 != 0) {
            throw CommandErrors.syntax();
          }
          return IntStream.rangeClosed(i + 1, i + after / 2).toArray();
        }
      }
      throw CommandErrors.syntax();
    }
  }

  /** The keys of each part, in order. */
  record Union(List<KeySpec> parts) implements KeySpec {
    public Union {
      parts = List.copyOf(parts);
    }

    @Override
    public int[] positions(List<byte[]> argv) {
      return parts.stream().flatMapToInt(part -> Arrays.stream(part.positions(argv))).toArray();
    }
  }
}
