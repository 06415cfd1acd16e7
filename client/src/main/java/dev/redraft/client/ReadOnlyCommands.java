package dev.redraft.client;

import java.util.Locale;
import java.util.Set;

/**
 * The catalog's read commands. The generic {@code command(...)} call and the CLI use this list to
 * send a command as a read; everything else is sent as a write, and the server checks both.
 */
public final class ReadOnlyCommands {
  private static final Set<String> NAMES = Set.of(
      "GET", "MGET", "EXISTS", "STRLEN", "TTL", "PTTL", "HGET", "HGETALL", "HLEN", "LRANGE", "LLEN",
      "SMEMBERS", "SISMEMBER", "SCARD", "ZRANGE", "ZSCORE", "ZCARD", "WATCH");

  private ReadOnlyCommands() {}

  /** True if the named command (any case) only reads. */
  public static boolean isRead(String name) {
    return NAMES.contains(name.toUpperCase(Locale.ROOT));
  }

  public static Set<String> names() {
    return NAMES;
  }
}
