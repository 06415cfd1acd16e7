package dev.redraft.client;

import java.util.ArrayList;
import java.util.List;

/** Typed helpers for Redis lists. */
public interface ListCommands extends CommandRunner {
  /** LPUSH: the length of the list after the push. */
  default long lpush(String key, String... values) {
    return Replies.asLong(write(Commands.of("LPUSH", prepend(key, values))).reply());
  }

  /** RPUSH: the length of the list after the push. */
  default long rpush(String key, String... values) {
    return Replies.asLong(write(Commands.of("RPUSH", prepend(key, values))).reply());
  }

  /** LPOP: null if the list is empty or missing. */
  default String lpop(String key) {
    return Replies.asString(write(Commands.of("LPOP", key)).reply());
  }

  /** LPOP with a count: up to count elements, empty if the list is missing. */
  default List<String> lpop(String key, long count) {
    return Replies.asStringList(write(Commands.of("LPOP", key, Long.toString(count))).reply());
  }

  default String rpop(String key) {
    return Replies.asString(write(Commands.of("RPOP", key)).reply());
  }

  default List<String> rpop(String key, long count) {
    return Replies.asStringList(write(Commands.of("RPOP", key, Long.toString(count))).reply());
  }

  /** LRANGE with inclusive, possibly negative indexes (0, -1 is the whole list). */
  default List<String> lrange(String key, long start, long stop) {
    return Replies.asStringList(read(Commands.of("LRANGE", key, Long.toString(start),
        Long.toString(stop))).reply());
  }

  default long llen(String key) {
    return Replies.asLong(read(Commands.of("LLEN", key)).reply());
  }

  /** LTRIM to the inclusive range. */
  default void ltrim(String key, long start, long stop) {
    Replies.isOk(write(Commands.of("LTRIM", key, Long.toString(start), Long.toString(stop))).reply());
  }

  private static List<String> prepend(String key, String... rest) {
    List<String> args = new ArrayList<>(rest.length + 1);
    args.add(key);
    args.addAll(List.of(rest));
    return args;
  }
}
