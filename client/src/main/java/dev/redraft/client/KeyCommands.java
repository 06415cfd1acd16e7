package dev.redraft.client;

/** Typed helpers for keys and their time to live. */
public interface KeyCommands extends CommandRunner {
  /** DEL: how many of the keys existed. */
  default long del(String... keys) {
    return Replies.asLong(write(Commands.of("DEL", keys)).reply());
  }

  default long del(byte[]... keys) {
    return Replies.asLong(write(Commands.of("DEL", keys)).reply());
  }

  /** EXISTS: how many of the keys exist (a key named twice counts twice). */
  default long exists(String... keys) {
    return Replies.asLong(read(Commands.of("EXISTS", keys)).reply());
  }

  /** EXPIRE: true if the key exists and the timeout was set. */
  default boolean expire(String key, long seconds) {
    return Replies.asBoolean(write(Commands.of("EXPIRE", key, Long.toString(seconds))).reply());
  }

  default boolean pexpire(String key, long millis) {
    return Replies.asBoolean(write(Commands.of("PEXPIRE", key, Long.toString(millis))).reply());
  }

  /** EXPIREAT: expire at a Unix time in seconds. */
  default boolean expireAt(String key, long unixSeconds) {
    return Replies.asBoolean(write(Commands.of("EXPIREAT", key, Long.toString(unixSeconds))).reply());
  }

  /** PEXPIREAT: expire at a Unix time in milliseconds. */
  default boolean pexpireAt(String key, long unixMillis) {
    return Replies.asBoolean(write(Commands.of("PEXPIREAT", key, Long.toString(unixMillis))).reply());
  }

  /** PERSIST: true if a timeout was removed. */
  default boolean persist(String key) {
    return Replies.asBoolean(write(Commands.of("PERSIST", key)).reply());
  }

  /** TTL in seconds; -1 if the key has no timeout, -2 if it does not exist. */
  default long ttl(String key) {
    return Replies.asLong(read(Commands.of("TTL", key)).reply());
  }

  /** PTTL in milliseconds; -1 if the key has no timeout, -2 if it does not exist. */
  default long pttl(String key) {
    return Replies.asLong(read(Commands.of("PTTL", key)).reply());
  }
}
