package dev.redraft.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Typed helpers for Redis sets (SADD, SMEMBERS...). */
public interface SetCommands extends CommandRunner {
  /** SADD: how many members were new. */
  default long sadd(String key, String... members) {
    return Replies.asLong(write(Commands.of("SADD", withKey(key, members))).reply());
  }

  /** SREM: how many members were removed. */
  default long srem(String key, String... members) {
    return Replies.asLong(write(Commands.of("SREM", withKey(key, members))).reply());
  }

  default Set<String> smembers(String key) {
    return Replies.asStringSet(read(Commands.of("SMEMBERS", key)).reply());
  }

  default boolean sismember(String key, String member) {
    return Replies.asBoolean(read(Commands.of("SISMEMBER", key, member)).reply());
  }

  default long scard(String key) {
    return Replies.asLong(read(Commands.of("SCARD", key)).reply());
  }

  private static List<String> withKey(String key, String... members) {
    List<String> args = new ArrayList<>(members.length + 1);
    args.add(key);
    args.addAll(List.of(members));
    return args;
  }
}
