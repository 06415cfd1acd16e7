package dev.redraft.coordinator.command;

/**
 * Where a command's keys are in its argv, as in Redis' command table: every {@code step}-th element
 * from {@code first} to {@code last} inclusive, where {@code last = -1} means the last element.
 * MSET is {@code (1, -1, 2)}, DEL is {@code (1, -1, 1)}, GET is {@code (1, 1, 1)}.
 */
public record KeySpec(int first, int last, int step) {

  public KeySpec {
    if (first < 1 || step < 1 || (last != -1 && last < first)) {
      throw new IllegalArgumentException(
          "invalid key spec (" + first + ", " + last + ", " + step + "): need first >= 1, step >= 1,"
              + " and last = -1 or last >= first");
    }
  }

  /** The key is argv[1] and there is no other. */
  public static KeySpec single() {
    return new KeySpec(1, 1, 1);
  }

  /** Every argument is a key. */
  public static KeySpec allArguments() {
    return new KeySpec(1, -1, 1);
  }

  /** Key/value pairs: every other argument, starting with argv[1]. */
  public static KeySpec keyValuePairs() {
    return new KeySpec(1, -1, 2);
  }

  /** The key positions for an argv of {@code argc} elements (argc includes the command name). */
  public int[] positions(int argc) {
    int end = last == -1 ? argc - 1 : Math.min(last, argc - 1);
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
