package dev.redraft.coordinator.command;

import java.util.Objects;

/**
 * One supported command.
 *
 * @param name upper-case command name
 * @param kind whether it reads or writes
 * @param minArity the fewest argv elements, the command name included (Redis' arity rules)
 * @param maxArity the most argv elements, or -1 for no limit
 * @param keys where its keys are
 * @param summary its usage line, for help and docs
 * @param group its data type, for docs
 * @param replyVaries true if its reply may differ between replicas holding the same data (hash
 *     table order after a snapshot install, random picks): such a read is never stored as a write's
 *     reply, since every replica stores the replies it gives and replicas are compared byte for byte
 */
public record CommandSpec(String name, CommandKind kind, int minArity, int maxArity, KeySpec keys,
    String summary, CommandGroup group, boolean replyVaries) {

  public CommandSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(summary, "summary");
    if (minArity < 1 || (maxArity != -1 && maxArity < minArity)) {
      throw new IllegalArgumentException(
          "invalid arity for " + name + ": min " + minArity + ", max " + maxArity);
    }
  }

  /** True if an argv of {@code argc} elements (the name included) has an acceptable length. */
  public boolean acceptsArgc(int argc) {
    return argc >= minArity && (maxArity == -1 || argc <= maxArity);
  }

  /** The name as Redis writes it in error messages ('get', 'set'). */
  public String lowerName() {
    return Ascii.toLowerCase(name);
  }
}
