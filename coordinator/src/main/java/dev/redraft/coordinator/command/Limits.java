package dev.redraft.coordinator.command;

/**
 * Size limits on one command.
 *
 * @param maxArgBytes the largest single argument, in bytes
 * @param maxArgs the most arguments after the command name
 */
public record Limits(int maxArgBytes, int maxArgs) {

  public Limits {
    if (maxArgBytes < 1) {
      throw new IllegalArgumentException("maxArgBytes must be at least 1, got " + maxArgBytes);
    }
    if (maxArgs < 1) {
      throw new IllegalArgumentException("maxArgs must be at least 1, got " + maxArgs);
    }
  }
}
