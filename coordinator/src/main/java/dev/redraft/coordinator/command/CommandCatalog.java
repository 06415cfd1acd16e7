package dev.redraft.coordinator.command;

import static dev.redraft.coordinator.command.CommandKind.READ;
import static dev.redraft.coordinator.command.CommandKind.WRITE;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one table of what Redraft runs (like RedisRaft's commands.c): the supported commands with
 * their arity, keys and kind, and the Redis commands refused on purpose, each with the reason and
 * what to use instead. Anything in neither table is unknown. Arities are Redis 7.0's.
 */
public final class CommandCatalog {
  private CommandCatalog() {}

  /** Why a group of commands is refused; the first half of every refusal message. */
  enum RefusalClass {
    NONDETERMINISTIC("it is nondeterministic, so replicas would diverge"),
    SERVER_ADMIN("it acts on the whole server or administers it, which only Redraft itself does"),
    TRANSACTION("the gRPC API keeps no transaction state between requests (the RESP port takes it as Redis does)"),
    BLOCKING("it blocks, and the replicated log cannot wait"),
    PUB_SUB("pub/sub messages are not replicated through the log");

    final String why;

    RefusalClass(String why) {
      this.why = why;
    }
  }

  /** The group of the commands being added (the static block sets it per section). */
  private static CommandGroup group;

  private static final Map<String, CommandSpec> SUPPORTED = new LinkedHashMap<>();
  private static final Map<String, String> REFUSED = new LinkedHashMap<>();
  private static final Map<String, RefusalClass> REFUSAL_CLASS = new LinkedHashMap<>();

  static {
    group = CommandGroup.STRINGS;
    write("SET", -3, KeySpec.single(),
        "SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-seconds|PXAT unix-ms|KEEPTTL]");
    read("GET", 2, KeySpec.single(), "GET key");
    read("MGET", -2, KeySpec.allArguments(), "MGET key [key ...]");
    write("MSET", -3, KeySpec.keyValuePairs(), "MSET key value [key value ...]");
    write("MSETNX", -3, KeySpec.keyValuePairs(), "MSETNX key value [key value ...]");
    write("SETNX", 3, KeySpec.single(), "SETNX key value");
    // SETEX, PSETEX and GETEX's relative times are rewritten to absolute deadlines (Determinizer).
    write("SETEX", 4, KeySpec.single(), "SETEX key seconds value");
    write("PSETEX", 4, KeySpec.single(), "PSETEX key milliseconds value");
    write("GETEX", -2, KeySpec.single(),
        "GETEX key [EX seconds|PX milliseconds|EXAT unix-seconds|PXAT unix-ms|PERSIST]");
    write("GETSET", 3, KeySpec.single(), "GETSET key value");
    write("GETDEL", 2, KeySpec.single(), "GETDEL key");
    write("INCR", 2, KeySpec.single(), "INCR key");
    write("INCRBY", 3, KeySpec.single(), "INCRBY key increment");
    write("INCRBYFLOAT", 3, KeySpec.single(), "INCRBYFLOAT key increment");
    write("DECR", 2, KeySpec.single(), "DECR key");
    write("DECRBY", 3, KeySpec.single(), "DECRBY key decrement");
    write("APPEND", 3, KeySpec.single(), "APPEND key value");
    write("SETRANGE", 4, KeySpec.single(), "SETRANGE key offset value");
    read("GETRANGE", 4, KeySpec.single(), "GETRANGE key start end");
    read("SUBSTR", 4, KeySpec.single(), "SUBSTR key start end");
    read("STRLEN", 2, KeySpec.single(), "STRLEN key");
    read("LCS", -3, KeySpec.range(1, 2), "LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]");

    group = CommandGroup.KEYS;
    write("DEL", -2, KeySpec.allArguments(), "DEL key [key ...]");
    write("UNLINK", -2, KeySpec.allArguments(), "UNLINK key [key ...]");
    read("EXISTS", -2, KeySpec.allArguments(), "EXISTS key [key ...]");
    read("TYPE", 2, KeySpec.single(), "TYPE key");
    // TOUCH only updates Redis' access times, which Redraft neither replicates nor compares.
    read("TOUCH", -2, KeySpec.allArguments(), "TOUCH key [key ...]");
    write("RENAME", 3, KeySpec.range(1, 2), "RENAME key newkey");
    write("RENAMENX", 3, KeySpec.range(1, 2), "RENAMENX key newkey");
    write("COPY", -3, KeySpec.range(1, 2), "COPY source destination [REPLACE]");
    // Expiry: relative forms are rewritten to PEXPIREAT by the leader (see Determinizer).
    write("EXPIRE", -3, KeySpec.single(), "EXPIRE key seconds [NX|XX|GT|LT]");
    write("PEXPIRE", -3, KeySpec.single(), "PEXPIRE key milliseconds [NX|XX|GT|LT]");
    write("EXPIREAT", -3, KeySpec.single(), "EXPIREAT key unix-seconds [NX|XX|GT|LT]");
    write("PEXPIREAT", -3, KeySpec.single(), "PEXPIREAT key unix-ms [NX|XX|GT|LT]");
    write("PERSIST", 2, KeySpec.single(), "PERSIST key");
    read("TTL", 2, KeySpec.single(), "TTL key");
    read("PTTL", 2, KeySpec.single(), "PTTL key");
    read("EXPIRETIME", 2, KeySpec.single(), "EXPIRETIME key");
    read("PEXPIRETIME", 2, KeySpec.single(), "PEXPIRETIME key");
    // Encodings follow from the same commands and settings on every replica, but a key restored
    // from a snapshot may be encoded otherwise: a read, never a stored reply.
    varyingRead("OBJECT", -2, KeySpec.range(2, 2), "OBJECT ENCODING key");

    group = CommandGroup.KEYSPACE;
    varyingRead("KEYS", 2, KeySpec.none(), "KEYS pattern");
    varyingRead("SCAN", -2, KeySpec.none(), "SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]");
    varyingRead("RANDOMKEY", 1, KeySpec.none(), "RANDOMKEY");
    read("DBSIZE", 1, KeySpec.none(), "DBSIZE");
    write("FLUSHDB", -1, KeySpec.none(), "FLUSHDB [ASYNC|SYNC]");
    write("FLUSHALL", -1, KeySpec.none(), "FLUSHALL [ASYNC|SYNC]");

    group = CommandGroup.HASHES;
    write("HSET", -4, KeySpec.single(), "HSET key field value [field value ...]");
    write("HMSET", -4, KeySpec.single(), "HMSET key field value [field value ...]");
    write("HSETNX", 4, KeySpec.single(), "HSETNX key field value");
    read("HGET", 3, KeySpec.single(), "HGET key field");
    read("HMGET", -3, KeySpec.single(), "HMGET key field [field ...]");
    varyingRead("HGETALL", 2, KeySpec.single(), "HGETALL key");
    varyingRead("HKEYS", 2, KeySpec.single(), "HKEYS key");
    varyingRead("HVALS", 2, KeySpec.single(), "HVALS key");
    read("HEXISTS", 3, KeySpec.single(), "HEXISTS key field");
    read("HSTRLEN", 3, KeySpec.single(), "HSTRLEN key field");
    write("HDEL", -3, KeySpec.single(), "HDEL key field [field ...]");
    write("HINCRBY", 4, KeySpec.single(), "HINCRBY key field increment");
    write("HINCRBYFLOAT", 4, KeySpec.single(), "HINCRBYFLOAT key field increment");
    read("HLEN", 2, KeySpec.single(), "HLEN key");
    varyingRead("HRANDFIELD", -2, KeySpec.single(), "HRANDFIELD key [count [WITHVALUES]]");
    varyingRead("HSCAN", -3, KeySpec.single(), "HSCAN key cursor [MATCH pattern] [COUNT count]");

    group = CommandGroup.LISTS;
    write("LPUSH", -3, KeySpec.single(), "LPUSH key element [element ...]");
    write("RPUSH", -3, KeySpec.single(), "RPUSH key element [element ...]");
    write("LPUSHX", -3, KeySpec.single(), "LPUSHX key element [element ...]");
    write("RPUSHX", -3, KeySpec.single(), "RPUSHX key element [element ...]");
    write("LPOP", -2, KeySpec.single(), "LPOP key [count]");
    write("RPOP", -2, KeySpec.single(), "RPOP key [count]");
    write("LMPOP", -4, KeySpec.counted(1), "LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]");
    write("LMOVE", 5, KeySpec.range(1, 2), "LMOVE source destination LEFT|RIGHT LEFT|RIGHT");
    write("RPOPLPUSH", 3, KeySpec.range(1, 2), "RPOPLPUSH source destination");
    read("LRANGE", 4, KeySpec.single(), "LRANGE key start stop");
    read("LINDEX", 3, KeySpec.single(), "LINDEX key index");
    read("LPOS", -3, KeySpec.single(), "LPOS key element [RANK rank] [COUNT count] [MAXLEN len]");
    read("LLEN", 2, KeySpec.single(), "LLEN key");
    write("LSET", 4, KeySpec.single(), "LSET key index element");
    write("LINSERT", 5, KeySpec.single(), "LINSERT key BEFORE|AFTER pivot element");
    write("LREM", 4, KeySpec.single(), "LREM key count element");
    write("LTRIM", 4, KeySpec.single(), "LTRIM key start stop");

    group = CommandGroup.SETS;
    write("SADD", -3, KeySpec.single(), "SADD key member [member ...]");
    write("SREM", -3, KeySpec.single(), "SREM key member [member ...]");
    write("SMOVE", 4, KeySpec.range(1, 2), "SMOVE source destination member");
    varyingRead("SMEMBERS", 2, KeySpec.single(), "SMEMBERS key");
    read("SISMEMBER", 3, KeySpec.single(), "SISMEMBER key member");
    read("SMISMEMBER", -3, KeySpec.single(), "SMISMEMBER key member [member ...]");
    read("SCARD", 2, KeySpec.single(), "SCARD key");
    varyingRead("SINTER", -2, KeySpec.allArguments(), "SINTER key [key ...]");
    varyingRead("SUNION", -2, KeySpec.allArguments(), "SUNION key [key ...]");
    varyingRead("SDIFF", -2, KeySpec.allArguments(), "SDIFF key [key ...]");
    write("SINTERSTORE", -3, KeySpec.allArguments(), "SINTERSTORE destination key [key ...]");
    write("SUNIONSTORE", -3, KeySpec.allArguments(), "SUNIONSTORE destination key [key ...]");
    write("SDIFFSTORE", -3, KeySpec.allArguments(), "SDIFFSTORE destination key [key ...]");
    read("SINTERCARD", -3, KeySpec.counted(1), "SINTERCARD numkeys key [key ...] [LIMIT limit]");
    varyingRead("SRANDMEMBER", -2, KeySpec.single(), "SRANDMEMBER key [count]");
    varyingRead("SSCAN", -3, KeySpec.single(), "SSCAN key cursor [MATCH pattern] [COUNT count]");

    group = CommandGroup.SORTED_SETS;
    write("ZADD", -4, KeySpec.single(),
        "ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]");
    write("ZREM", -3, KeySpec.single(), "ZREM key member [member ...]");
    write("ZINCRBY", 4, KeySpec.single(), "ZINCRBY key increment member");
    read("ZRANGE", -4, KeySpec.single(),
        "ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]");
    read("ZRANGEBYSCORE", -4, KeySpec.single(),
        "ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]");
    read("ZRANGEBYLEX", -4, KeySpec.single(), "ZRANGEBYLEX key min max [LIMIT offset count]");
    read("ZREVRANGE", -4, KeySpec.single(), "ZREVRANGE key start stop [WITHSCORES]");
    read("ZREVRANGEBYSCORE", -4, KeySpec.single(),
        "ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]");
    read("ZREVRANGEBYLEX", -4, KeySpec.single(), "ZREVRANGEBYLEX key max min [LIMIT offset count]");
    read("ZSCORE", 3, KeySpec.single(), "ZSCORE key member");
    read("ZMSCORE", -3, KeySpec.single(), "ZMSCORE key member [member ...]");
    read("ZCARD", 2, KeySpec.single(), "ZCARD key");
    read("ZRANK", 3, KeySpec.single(), "ZRANK key member");
    read("ZREVRANK", 3, KeySpec.single(), "ZREVRANK key member");
    read("ZCOUNT", 4, KeySpec.single(), "ZCOUNT key min max");
    read("ZLEXCOUNT", 4, KeySpec.single(), "ZLEXCOUNT key min max");
    write("ZPOPMIN", -2, KeySpec.single(), "ZPOPMIN key [count]");
    write("ZPOPMAX", -2, KeySpec.single(), "ZPOPMAX key [count]");
    write("ZMPOP", -4, KeySpec.counted(1), "ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]");
    write("ZREMRANGEBYRANK", 4, KeySpec.single(), "ZREMRANGEBYRANK key start stop");
    write("ZREMRANGEBYSCORE", 4, KeySpec.single(), "ZREMRANGEBYSCORE key min max");
    write("ZREMRANGEBYLEX", 4, KeySpec.single(), "ZREMRANGEBYLEX key min max");
    write("ZUNIONSTORE", -4, KeySpec.destinationThenCounted(2),
        "ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]");
    write("ZINTERSTORE", -4, KeySpec.destinationThenCounted(2),
        "ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]");
    write("ZDIFFSTORE", -4, KeySpec.destinationThenCounted(2), "ZDIFFSTORE destination numkeys key [key ...]");
    write("ZRANGESTORE", -5, KeySpec.range(1, 2),
        "ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]");
    read("ZUNION", -3, KeySpec.counted(1),
        "ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]");
    read("ZINTER", -3, KeySpec.counted(1),
        "ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]");
    read("ZDIFF", -3, KeySpec.counted(1), "ZDIFF numkeys key [key ...] [WITHSCORES]");
    read("ZINTERCARD", -3, KeySpec.counted(1), "ZINTERCARD numkeys key [key ...] [LIMIT limit]");
    varyingRead("ZRANDMEMBER", -2, KeySpec.single(), "ZRANDMEMBER key [count [WITHSCORES]]");
    varyingRead("ZSCAN", -3, KeySpec.single(), "ZSCAN key cursor [MATCH pattern] [COUNT count]");

    group = CommandGroup.BITMAPS;
    write("SETBIT", 4, KeySpec.single(), "SETBIT key offset value");
    read("GETBIT", 3, KeySpec.single(), "GETBIT key offset");
    read("BITCOUNT", -2, KeySpec.single(), "BITCOUNT key [start end [BYTE|BIT]]");
    read("BITPOS", -3, KeySpec.single(), "BITPOS key bit [start [end [BYTE|BIT]]]");
    write("BITOP", -4, KeySpec.allFrom(2), "BITOP AND|OR|XOR|NOT destkey key [key ...]");
    write("BITFIELD", -2, KeySpec.single(),
        "BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]"
            + " [OVERFLOW WRAP|SAT|FAIL] ...");
    read("BITFIELD_RO", -2, KeySpec.single(), "BITFIELD_RO key [GET type offset ...]");

    group = CommandGroup.HYPERLOGLOG;
    write("PFADD", -2, KeySpec.single(), "PFADD key [element ...]");
    // PFCOUNT rewrites the cardinality it caches inside the key's value (Redis flags it
    // may-replicate and refuses it in read-only scripts): through the log, every replica caches alike.
    write("PFCOUNT", -2, KeySpec.allArguments(), "PFCOUNT key [key ...]");
    write("PFMERGE", -2, KeySpec.allArguments(), "PFMERGE destkey [sourcekey ...]");

    group = CommandGroup.STREAMS;
    // XADD's * becomes an explicit ID when applied, from the entry's logical time (apply.lua).
    write("XADD", -5, KeySpec.single(),
        "XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value"
            + " [field value ...]");
    read("XRANGE", -4, KeySpec.single(), "XRANGE key start end [COUNT count]");
    read("XREVRANGE", -4, KeySpec.single(), "XREVRANGE key end start [COUNT count]");
    read("XLEN", 2, KeySpec.single(), "XLEN key");
    write("XDEL", -3, KeySpec.single(), "XDEL key id [id ...]");
    write("XTRIM", -4, KeySpec.single(), "XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]");
    read("XREAD", -4, KeySpec.halfAfterKeyword("STREAMS"),
        "XREAD [COUNT count] STREAMS key [key ...] id [id ...]");

    group = CommandGroup.TRANSACTIONS;
    // Over gRPC, WATCH reads each key's digest for WriteRequest.watches; on the RESP port it is
    // Redis' WATCH (the port keeps the digests for EXEC). In a batch it reads the digests at the
    // batch's log position.
    read("WATCH", -2, KeySpec.allArguments(), "WATCH key [key ...]");

    RefusalClass c = RefusalClass.NONDETERMINISTIC;
    refuse(c, "SPOP", "pick a member with SMEMBERS or SRANDMEMBER and SREM it");
    refuse(c, "TIME", "use your application's clock");
    String noScripts = "send the commands as one atomic batch instead";
    for (String name : new String[] {"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO",
        "FUNCTION", "SCRIPT"}) {
      refuse(c, name, noScripts);
    }
    String groups = "consumer groups record deliveries at each replica's own clock (idle times,"
        + " XCLAIM's min-idle-time); read with XRANGE or XREAD and keep each consumer's last ID in a key";
    for (String name : new String[] {"XGROUP", "XREADGROUP", "XACK", "XCLAIM", "XAUTOCLAIM",
        "XPENDING", "XINFO"}) {
      refuse(c, name, groups);
    }

    c = RefusalClass.SERVER_ADMIN;
    refuse(c, "CONFIG", "change the coordinator's configuration instead");
    for (String name : new String[] {"DEBUG", "SHUTDOWN", "FAILOVER", "CLUSTER", "INFO"}) {
      refuse(c, name, "use Redraft's status and admin commands");
    }
    for (String name : new String[] {"SAVE", "BGSAVE", "BGREWRITEAOF"}) {
      refuse(c, name, "Redraft snapshots each Redis itself at exact log positions");
    }
    for (String name : new String[] {"REPLICAOF", "SLAVEOF"}) {
      refuse(c, name, "Redraft replicates through its log: add nodes with Redraft's admin commands");
    }
    for (String name : new String[] {"CLIENT", "ACL", "MONITOR"}) {
      refuse(c, name, "each Redis is reachable only by its own coordinator");
    }
    for (String name : new String[] {"SELECT", "SWAPDB", "MOVE"}) {
      refuse(c, name, "Redraft uses database 0 only");
    }
    for (String name : new String[] {"MIGRATE", "RESTORE"}) {
      refuse(c, name, "write the data with the supported commands");
    }

    c = RefusalClass.TRANSACTION;
    for (String name : new String[] {"MULTI", "EXEC", "DISCARD", "UNWATCH"}) {
      refuse(c, name, "use an atomic batch: several commands in one Write, applied all or nothing, made"
          + " conditional with WriteRequest.watches (digests from the WATCH read)");
    }

    c = RefusalClass.BLOCKING;
    refuse(c, "BLPOP", "use LPOP and retry when it returns nil");
    refuse(c, "BRPOP", "use RPOP and retry when it returns nil");
    refuse(c, "BLMPOP", "use LMPOP and retry when it returns nil");
    refuse(c, "BLMOVE", "use LMOVE and retry when it returns nil");
    refuse(c, "BRPOPLPUSH", "use RPOPLPUSH and retry when it returns nil");
    for (String name : new String[] {"BZPOPMIN", "BZPOPMAX", "BZMPOP"}) {
      refuse(c, name, "use ZPOPMIN, ZPOPMAX or ZMPOP and retry when they return nothing");
    }
    for (String name : new String[] {"WAIT", "WAITAOF"}) {
      refuse(c, name, "a Redraft write is acknowledged only once a majority has it durably");
    }

    c = RefusalClass.PUB_SUB;
    for (String name : new String[] {"SUBSCRIBE", "PSUBSCRIBE", "PUBLISH", "UNSUBSCRIBE",
        "PUNSUBSCRIBE"}) {
      refuse(c, name, "use a messaging system beside Redraft");
    }
  }

  private static void read(String name, int arity, KeySpec keys, String summary) {
    add(name, READ, arity, keys, summary);
  }

  /** A read whose reply may differ between replicas with the same data (order, random picks). */
  private static void varyingRead(String name, int arity, KeySpec keys, String summary) {
    add(name, READ, arity, keys, summary, true);
  }

  private static void write(String name, int arity, KeySpec keys, String summary) {
    add(name, WRITE, arity, keys, summary);
  }

  private static void add(String name, CommandKind kind, int arity, KeySpec keys, String summary) {
    add(name, kind, arity, keys, summary, false);
  }

  /** Redis' arity convention: N means exactly N argv elements, -N means at least N. */
  private static void add(String name, CommandKind kind, int arity, KeySpec keys, String summary,
      boolean replyVaries) {
    int min = Math.abs(arity);
    int max = arity < 0 ? -1 : arity;
    SUPPORTED.put(name, new CommandSpec(name, kind, min, max, keys, summary, group, replyVaries));
  }

  private static void refuse(RefusalClass refusalClass, String name, String instead) {
    REFUSED.put(name, name + " is not supported by Redraft: " + refusalClass.why + "; " + instead);
    REFUSAL_CLASS.put(name, refusalClass);
  }

  /** The supported command of this name, ignoring ASCII case. */
  public static Optional<CommandSpec> find(String name) {
    return Optional.ofNullable(SUPPORTED.get(Ascii.toUpperCase(name)));
  }

  /** Why a Redis command is refused, and what to use instead; empty if it is not refused. */
  public static Optional<String> refusalReason(String name) {
    return Optional.ofNullable(REFUSED.get(Ascii.toUpperCase(name)));
  }

  /** Every supported command, grouped by data type, for help and docs. */
  public static Collection<CommandSpec> supported() {
    return Collections.unmodifiableCollection(SUPPORTED.values());
  }

  /** The class of a refused command, for tests. */
  static Optional<RefusalClass> refusalClass(String name) {
    return Optional.ofNullable(REFUSAL_CLASS.get(Ascii.toUpperCase(name)));
  }

  /** The names of every refused command, for tests. */
  static Collection<String> refusedNames() {
    return Collections.unmodifiableCollection(REFUSED.keySet());
  }
}
