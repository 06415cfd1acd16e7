package dev.redraft.coordinator.command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A command that passed validation: argv with argv[0] the upper-case name, and the indexes into argv
 * that hold keys. The byte arrays are shared, not copied: nobody may change them.
 */
public record ValidatedCommand(CommandSpec spec, List<byte[]> argv, int[] keyPositions) {

  public ValidatedCommand {
    Objects.requireNonNull(spec, "spec");
    argv = List.copyOf(argv);
    keyPositions = keyPositions.clone();
    if (argv.isEmpty() || !Arrays.equals(argv.get(0), Ascii.bytes(spec.name()))) {
      throw new IllegalArgumentException("argv[0] must be the command name " + spec.name());
    }
    for (int position : keyPositions) {
      if (position < 1 || position >= argv.size()) {
        throw new IllegalArgumentException(
            "key position " + position + " is outside argv of " + argv.size() + " elements");
      }
    }
  }

  /** The upper-case command name. */
  public String name() {
    return spec.name();
  }

  @Override
  public int[] keyPositions() {
    return keyPositions.clone();
  }

  /** The keys, in argv order. */
  public List<byte[]> keys() {
    List<byte[]> keys = new ArrayList<>(keyPositions.length);
    for (int position : keyPositions) {
      keys.add(argv.get(position));
    }
    return keys;
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof ValidatedCommand that)) {
      return false;
    }
    if (!spec.equals(that.spec)
        || argv.size() != that.argv.size()
        || !Arrays.equals(keyPositions, that.keyPositions)) {
      return false;
    }
    for (int i = 0; i < argv.size(); i++) {
      if (!Arrays.equals(argv.get(i), that.argv.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int hash = spec.hashCode() * 31 + Arrays.hashCode(keyPositions);
    for (byte[] arg : argv) {
      hash = hash * 31 + Arrays.hashCode(arg);
    }
    return hash;
  }

  /** Name and argument count only: values can be large or private. */
  @Override
  public String toString() {
    return "ValidatedCommand[" + spec.name() + ", " + (argv.size() - 1) + " args]";
  }
}
