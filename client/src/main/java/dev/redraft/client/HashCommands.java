package dev.redraft.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Typed helpers for Redis hashes. */
public interface HashCommands extends CommandRunner {
  /** HSET one field: 1 if the field is new, 0 if it was updated. */
  default long hset(String key, String field, String value) {
    return Replies.asLong(write(Commands.of("HSET", key, field, value)).reply());
  }

  /** HSET several fields: how many were new. */
  default long hset(String key, Map<String, String> fields) {
    List<String> args = new ArrayList<>(1 + fields.size() * 2);
    args.add(key);
    fields.forEach((field, value) -> {
      args.add(field);
      args.add(value);
    });
    return Replies.asLong(write(Commands.of("HSET", args)).reply());
  }

  /** HGET: null if the key or field does not exist. */
  default String hget(String key, String field) {
    return Replies.asString(read(Commands.of("HGET", key, field)).reply());
  }

  /** HGETALL: every field and value (empty if the key does not exist). */
  default Map<String, String> hgetAll(String key) {
    return Replies.asStringMap(read(Commands.of("HGETALL", key)).reply());
  }

  /** HDEL: how many fields were removed. */
  default long hdel(String key, String... fields) {
    List<String> args = new ArrayList<>(List.of(fields));
    args.add(0, key);
    return Replies.asLong(write(Commands.of("HDEL", args)).reply());
  }

  default long hincrBy(String key, String field, long increment) {
    return Replies.asLong(write(Commands.of("HINCRBY", key, field, Long.toString(increment))).reply());
  }

  default long hlen(String key) {
    return Replies.asLong(read(Commands.of("HLEN", key)).reply());
  }
}
