package dev.redraft.coordinator.redis;

import java.util.List;

/**
 * One Redis command as the applier or reader runs it: argv (argv[0] the upper-case name) and the
 * indexes into argv that hold keys (expiry is tracked per key).
 */
public record RedisCommand(List<byte[]> argv, int[] keyPositions) {
  public RedisCommand {
    argv = List.copyOf(argv);
    keyPositions = keyPositions.clone();
  }
}
