package dev.redraft.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Typed helpers for Redis strings. Keys and values are UTF-8; byte[] overloads are binary-safe. */
public interface StringCommands extends CommandRunner {
  /** SET: true when done. */
  default boolean set(String key, String value) {
    return Replies.isOk(write(Commands.of("SET", key, value)).reply());
  }

  /** SET with options: false when the NX/XX condition kept the value from being set. */
  default boolean set(String key, String value, SetOptions options) {
    List<String> args = new ArrayList<>(List.of(key, value));
    args.addAll(options.toArgs());
    return Replies.isOk(write(Commands.of("SET", args)).reply());
  }

  default boolean set(byte[] key, byte[] value) {
    return Replies.isOk(write(Commands.of("SET", key, value)).reply());
  }

  /** GET: null if the key does not exist. */
  default String get(String key) {
    return Replies.asString(read(Commands.of("GET", key)).reply());
  }

  default byte[] get(byte[] key) {
    return Replies.asBytes(read(Commands.of("GET", key)).reply());
  }

  /** MGET: one value per key, null where a key does not exist. */
  default List<String> mget(String... keys) {
    return Replies.asStringList(read(Commands.of("MGET", keys)).reply());
  }

  /** MSET, in the map's iteration order. */
  default void mset(Map<String, String> entries) {
    List<String> args = new ArrayList<>(entries.size() * 2);
    entries.forEach((key, value) -> {
      args.add(key);
      args.add(value);
    });
    Replies.isOk(write(Commands.of("MSET", args)).reply());
  }

  default long incr(String key) {
    return Replies.asLong(write(Commands.of("INCR", key)).reply());
  }

  default long incrBy(String key, long increment) {
    return Replies.asLong(write(Commands.of("INCRBY", key, Long.toString(increment))).reply());
  }

  default long decr(String key) {
    return Replies.asLong(write(Commands.of("DECR", key)).reply());
  }

  default long decrBy(String key, long decrement) {
    return Replies.asLong(write(Commands.of("DECRBY", key, Long.toString(decrement))).reply());
  }

  /** APPEND: the length of the value after the append. */
  default long append(String key, String value) {
    return Replies.asLong(write(Commands.of("APPEND", key, value)).reply());
  }

  default long strlen(String key) {
    return Replies.asLong(read(Commands.of("STRLEN", key)).reply());
  }
}
