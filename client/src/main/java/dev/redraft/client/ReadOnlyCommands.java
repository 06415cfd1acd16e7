package dev.redraft.client;

import java.util.Locale;
import java.util.Set;

/**
 * The catalog's read commands. The generic {@code command(...)} call and the CLI use this list to
 * send a command as a read; everything else is sent as a write, and the server checks both. The
 * coordinator's tests keep it equal to the catalog's reads.
 */
public final class ReadOnlyCommands {
  private static final Set<String> NAMES = Set.of(
      // Strings
      "GET", "MGET", "STRLEN", "GETRANGE", "SUBSTR", "LCS",
      // Keys and the keyspace
      "EXISTS", "TYPE", "TOUCH", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "OBJECT", "KEYS", "SCAN",
      "RANDOMKEY", "DBSIZE",
      // Hashes
      "HGET", "HMGET", "HGETALL", "HKEYS", "HVALS", "HEXISTS", "HSTRLEN", "HLEN", "HRANDFIELD", "HSCAN",
      // Lists
      "LRANGE", "LINDEX", "LPOS", "LLEN",
      // Sets
      "SMEMBERS", "SISMEMBER", "SMISMEMBER", "SCARD", "SINTER", "SUNION", "SDIFF", "SINTERCARD",
      "SRANDMEMBER", "SSCAN",
      // Sorted sets
      "ZRANGE", "ZRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGE", "ZREVRANGEBYSCORE", "ZREVRANGEBYLEX",
      "ZSCORE", "ZMSCORE", "ZCARD", "ZRANK", "ZREVRANK", "ZCOUNT", "ZLEXCOUNT", "ZUNION", "ZINTER",
      "ZDIFF", "ZINTERCARD", "ZRANDMEMBER", "ZSCAN",
      // Bitmaps
      "GETBIT", "BITCOUNT", "BITPOS", "BITFIELD_RO",
      // Streams
      "XRANGE", "XREVRANGE", "XLEN", "XREAD",
      // Transactions (the digests a batch can be made conditional on)
      "WATCH");

  private ReadOnlyCommands() {}

  /** True if the named command (any case) only reads. */
  public static boolean isRead(String name) {
    return NAMES.contains(name.toUpperCase(Locale.ROOT));
  }

  public static Set<String> names() {
    return NAMES;
  }
}
