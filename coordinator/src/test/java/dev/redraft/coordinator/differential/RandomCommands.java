package dev.redraft.coordinator.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Random commands over every group of the catalog, on a few keys per data type (and now and then a
 * key of another type, for WRONGTYPE errors). Nothing depends on the clock except TTLs, which are
 * long and compared loosely; stream IDs are explicit and increasing.
 */
final class RandomCommands {
  private static final String[] VALUES = {"a", "b", "c", "d", "1", "2", "10", "-3", "1.5", "x"};
  private static final String[][] POOLS = {
      {"s1", "s2", "s3"}, {"h1", "h2"}, {"l1", "l2"}, {"t1", "t2", "t3"}, {"z1", "z2", "z3"}, {"b1", "b2"},
      {"p1", "p2"}, {"x1"}};
  private static final int STRINGS = 0;
  private static final int HASHES = 1;
  private static final int LISTS = 2;
  private static final int SETS = 3;
  private static final int ZSETS = 4;
  private static final int BITS = 5;
  private static final int HLLS = 6;
  private static final int STREAMS = 7;

  private final Random random;
  private final List<Function<RandomCommands, String>> generators = new ArrayList<>();
  private long streamId = 1;

  RandomCommands(long seed) {
    this.random = new Random(seed);
    // Strings
    add(r -> "SET " + r.key(STRINGS) + " " + r.value() + r.pick("", "", " NX", " XX", " GET", " KEEPTTL"));
    add(r -> "GET " + r.key(STRINGS));
    add(r -> "MGET " + r.key(STRINGS) + " " + r.key(STRINGS));
    add(r -> "MSET " + r.key(STRINGS) + " " + r.value() + " " + r.key(STRINGS) + " " + r.value());
    add(r -> "MSETNX " + r.key(STRINGS) + " " + r.value() + " " + r.key(STRINGS) + " " + r.value());
    add(r -> "SETNX " + r.key(STRINGS) + " " + r.value());
    add(r -> "GETSET " + r.key(STRINGS) + " " + r.value());
    add(r -> "GETDEL " + r.key(STRINGS));
    add(r -> "INCR " + r.key(STRINGS));
    add(r -> "INCRBY " + r.key(STRINGS) + " " + r.integer(-5, 5));
    add(r -> "INCRBYFLOAT " + r.key(STRINGS) + " " + r.pick("1.5", "-0.25", "3"));
    add(r -> "DECRBY " + r.key(STRINGS) + " " + r.integer(-5, 5));
    add(r -> "APPEND " + r.key(STRINGS) + " " + r.value());
    add(r -> "SETRANGE " + r.key(STRINGS) + " " + r.integer(0, 6) + " " + r.value());
    add(r -> "GETRANGE " + r.key(STRINGS) + " " + r.integer(-3, 3) + " " + r.integer(-3, 5));
    add(r -> "STRLEN " + r.key(STRINGS));
    add(r -> "LCS s1 s2" + r.pick("", " LEN", " IDX"));
    add(r -> "SETEX " + r.key(STRINGS) + " 1000 " + r.value());
    add(r -> "GETEX " + r.key(STRINGS) + r.pick("", " PERSIST", " EX 1000", " PX 900000"));
    // Keys
    add(r -> "DEL " + r.anyKey() + " " + r.anyKey());
    add(r -> "UNLINK " + r.anyKey());
    add(r -> "EXISTS " + r.anyKey() + " " + r.anyKey());
    add(r -> "TYPE " + r.anyKey());
    add(r -> "TOUCH " + r.anyKey());
    add(r -> {
      int pool = r.random.nextInt(POOLS.length);
      return r.pick("RENAME ", "RENAMENX ") + r.key(pool) + " " + r.key(pool);
    });
    add(r -> {
      int pool = r.random.nextInt(POOLS.length);
      return "COPY " + r.key(pool) + " " + r.key(pool) + r.pick("", " REPLACE");
    });
    add(r -> "EXPIRE " + r.anyKey() + " 1000" + r.pick("", " NX", " XX", " GT", " LT"));
    add(r -> "PEXPIRE " + r.anyKey() + " 2000000");
    add(r -> "PERSIST " + r.anyKey());
    add(r -> r.pick("TTL ", "PTTL ", "EXPIRETIME ", "PEXPIRETIME ") + r.anyKey());
    add(r -> "OBJECT ENCODING " + r.anyKey());
    add(r -> "KEYS " + r.pick("*", "s*", "?1", "z[12]"));
    add(r -> "DBSIZE");
    add(r -> "RANDOMKEY");
    // Hashes
    add(r -> r.pick("HSET ", "HMSET ") + r.key(HASHES) + " " + r.field() + " " + r.value() + " " + r.field() + " "
        + r.value());
    add(r -> "HSETNX " + r.key(HASHES) + " " + r.field() + " " + r.value());
    add(r -> "HGET " + r.key(HASHES) + " " + r.field());
    add(r -> "HMGET " + r.key(HASHES) + " " + r.field() + " " + r.field());
    add(r -> r.pick("HGETALL ", "HKEYS ", "HVALS ", "HLEN ") + r.key(HASHES));
    add(r -> r.pick("HEXISTS ", "HSTRLEN ", "HDEL ") + r.key(HASHES) + " " + r.field());
    add(r -> "HINCRBY " + r.key(HASHES) + " " + r.field() + " " + r.integer(-3, 3));
    add(r -> "HINCRBYFLOAT " + r.key(HASHES) + " " + r.field() + " 0.5");
    add(r -> "HRANDFIELD " + r.key(HASHES) + r.pick("", " 2", " -3 WITHVALUES"));
    // Lists
    add(r -> r.pick("LPUSH ", "RPUSH ", "LPUSHX ", "RPUSHX ") + r.key(LISTS) + " " + r.value() + " " + r.value());
    add(r -> r.pick("LPOP ", "RPOP ") + r.key(LISTS) + r.pick("", " 2"));
    add(r -> "LMPOP 2 l1 l2 " + r.pick("LEFT", "RIGHT") + r.pick("", " COUNT 2"));
    add(r -> "LMOVE " + r.key(LISTS) + " " + r.key(LISTS) + " " + r.pick("LEFT", "RIGHT") + " "
        + r.pick("LEFT", "RIGHT"));
    add(r -> "RPOPLPUSH " + r.key(LISTS) + " " + r.key(LISTS));
    add(r -> "LRANGE " + r.key(LISTS) + " " + r.integer(-3, 1) + " " + r.integer(-1, 5));
    add(r -> "LINDEX " + r.key(LISTS) + " " + r.integer(-3, 3));
    add(r -> "LPOS " + r.key(LISTS) + " " + r.value() + r.pick("", " RANK -1", " COUNT 0"));
    add(r -> "LLEN " + r.key(LISTS));
    add(r -> "LSET " + r.key(LISTS) + " " + r.integer(-2, 2) + " " + r.value());
    add(r -> "LINSERT " + r.key(LISTS) + " " + r.pick("BEFORE", "AFTER") + " " + r.value() + " " + r.value());
    add(r -> "LREM " + r.key(LISTS) + " " + r.integer(-2, 2) + " " + r.value());
    add(r -> "LTRIM " + r.key(LISTS) + " " + r.integer(0, 1) + " " + r.integer(2, 6));
    // Sets
    add(r -> r.pick("SADD ", "SREM ") + r.key(SETS) + " " + r.value() + " " + r.value());
    add(r -> "SMOVE " + r.key(SETS) + " " + r.key(SETS) + " " + r.value());
    add(r -> r.pick("SMEMBERS ", "SCARD ") + r.key(SETS));
    add(r -> "SISMEMBER " + r.key(SETS) + " " + r.value());
    add(r -> "SMISMEMBER " + r.key(SETS) + " " + r.value() + " " + r.value());
    add(r -> r.pick("SINTER ", "SUNION ", "SDIFF ") + r.key(SETS) + " " + r.key(SETS));
    add(r -> r.pick("SINTERSTORE ", "SUNIONSTORE ", "SDIFFSTORE ") + r.key(SETS) + " " + r.key(SETS) + " "
        + r.key(SETS));
    add(r -> "SINTERCARD 2 " + r.key(SETS) + " " + r.key(SETS) + r.pick("", " LIMIT 1"));
    add(r -> "SRANDMEMBER " + r.key(SETS) + r.pick("", " 2", " -4"));
    // Sorted sets
    add(r -> "ZADD " + r.key(ZSETS) + r.pick("", " NX", " XX", " GT CH") + " " + r.integer(-3, 5) + " " + r.value());
    add(r -> "ZINCRBY " + r.key(ZSETS) + " " + r.integer(-2, 2) + " " + r.value());
    add(r -> "ZREM " + r.key(ZSETS) + " " + r.value());
    add(r -> "ZRANGE " + r.key(ZSETS) + " 0 -1" + r.pick("", " WITHSCORES", " REV"));
    add(r -> "ZRANGEBYSCORE " + r.key(ZSETS) + " " + r.pick("-inf", "(0", "1") + " +inf" + r.pick("", " WITHSCORES",
        " LIMIT 1 2"));
    add(r -> "ZREVRANGEBYSCORE " + r.key(ZSETS) + " +inf " + r.pick("-inf", "(0"));
    add(r -> r.pick("ZRANGEBYLEX ", "ZLEXCOUNT ") + r.key(ZSETS) + " " + r.pick("-", "[b", "(a") + " +");
    add(r -> "ZREVRANGEBYLEX " + r.key(ZSETS) + " + " + r.pick("-", "[b"));
    add(r -> "ZREVRANGE " + r.key(ZSETS) + " 0 " + r.integer(-1, 3) + r.pick("", " WITHSCORES"));
    add(r -> r.pick("ZSCORE ", "ZRANK ", "ZREVRANK ") + r.key(ZSETS) + " " + r.value());
    add(r -> "ZMSCORE " + r.key(ZSETS) + " " + r.value() + " " + r.value());
    add(r -> r.pick("ZCARD ", "ZPOPMIN ", "ZPOPMAX ") + r.key(ZSETS));
    add(r -> "ZCOUNT " + r.key(ZSETS) + " " + r.pick("-inf", "0") + " " + r.pick("+inf", "(3"));
    add(r -> "ZMPOP 2 z1 z2 " + r.pick("MIN", "MAX") + r.pick("", " COUNT 2"));
    add(r -> "ZREMRANGEBYRANK " + r.key(ZSETS) + " 0 " + r.integer(0, 1));
    add(r -> "ZREMRANGEBYSCORE " + r.key(ZSETS) + " " + r.integer(-3, 0) + " " + r.integer(0, 2));
    add(r -> "ZREMRANGEBYLEX " + r.key(ZSETS) + " [a [b");
    add(r -> r.pick("ZUNIONSTORE ", "ZINTERSTORE ", "ZDIFFSTORE ") + r.key(ZSETS) + " 2 " + r.key(ZSETS) + " "
        + r.key(ZSETS));
    add(r -> "ZUNIONSTORE " + r.key(ZSETS) + " 2 z1 z2 WEIGHTS 2 1 AGGREGATE " + r.pick("MIN", "MAX", "SUM"));
    add(r -> "ZRANGESTORE " + r.key(ZSETS) + " " + r.key(ZSETS) + " 0 " + r.integer(-1, 2));
    add(r -> r.pick("ZUNION ", "ZINTER ", "ZDIFF ") + "2 " + r.key(ZSETS) + " " + r.key(ZSETS) + r.pick("",
        " WITHSCORES"));
    add(r -> "ZINTERCARD 2 " + r.key(ZSETS) + " " + r.key(ZSETS));
    add(r -> "ZRANDMEMBER " + r.key(ZSETS) + r.pick("", " 2", " -2 WITHSCORES"));
    // Bitmaps
    add(r -> "SETBIT " + r.key(BITS) + " " + r.integer(0, 40) + " " + r.integer(0, 1));
    add(r -> "GETBIT " + r.key(BITS) + " " + r.integer(0, 40));
    add(r -> "BITCOUNT " + r.key(BITS) + r.pick("", " 0 -1", " 1 30 BIT"));
    add(r -> "BITPOS " + r.key(BITS) + " " + r.integer(0, 1));
    add(r -> "BITOP " + r.pick("AND", "OR", "XOR") + " " + r.key(BITS) + " b1 b2");
    add(r -> "BITFIELD " + r.key(BITS) + " INCRBY u8 " + r.integer(0, 16) + " 7 GET u4 0");
    add(r -> "BITFIELD_RO " + r.key(BITS) + " GET u8 " + r.integer(0, 16));
    // HyperLogLog
    add(r -> "PFADD " + r.key(HLLS) + " " + r.value() + " " + r.value());
    add(r -> "PFCOUNT " + r.key(HLLS) + r.pick("", " " + r.key(HLLS)));
    add(r -> "PFMERGE " + r.key(HLLS) + " " + r.key(HLLS));
    // Streams
    add(r -> "XADD x1 " + r.pick("", "MAXLEN 5 ", "NOMKSTREAM ") + (r.streamId++) + "-1 f " + r.value());
    add(r -> "XRANGE x1 - +" + r.pick("", " COUNT 2"));
    add(r -> "XREVRANGE x1 + -" + r.pick("", " COUNT 2"));
    add(r -> "XLEN x1");
    add(r -> "XDEL x1 " + r.integer(1, (int) r.streamId) + "-1");
    add(r -> "XTRIM x1 " + r.pick("MAXLEN 4", "MINID " + Math.max(1, r.streamId - 5)));
    add(r -> "XREAD COUNT 3 STREAMS x1 " + r.pick("0", (r.streamId - 3) + "-0"));
  }

  private void add(Function<RandomCommands, String> generator) {
    generators.add(generator);
  }

  /** The next command line; FLUSHDB now and then, so every group restarts from empty too. */
  String next() {
    if (random.nextInt(400) == 0) {
      return pick("FLUSHDB", "FLUSHALL ASYNC");
    }
    return generators.get(random.nextInt(generators.size())).apply(this);
  }

  private String key(int pool) {
    if (random.nextInt(12) == 0) {
      return anyKey();
    }
    String[] keys = POOLS[pool];
    return keys[random.nextInt(keys.length)];
  }

  private String anyKey() {
    String[] keys = POOLS[random.nextInt(POOLS.length)];
    return keys[random.nextInt(keys.length)];
  }

  private String value() {
    return VALUES[random.nextInt(VALUES.length)];
  }

  private String field() {
    return "f" + random.nextInt(4);
  }

  private int integer(int min, int max) {
    return min + random.nextInt(max - min + 1);
  }

  private String pick(String... choices) {
    return choices[random.nextInt(choices.length)];
  }
}
