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
    TRANSACTION("Redraft keeps no transaction state between requests"),
    BLOCKING("it blocks, and the replicated log cannot wait"),
    PUB_SUB("pub/sub messages are not replicated through the log"),
    VARIANT("Redraft supports one form of each operation");

    final String why;

    RefusalClass(String why) {
      this.why = why;
    }
  }

  private static final Map<String, CommandSpec> SUPPORTED = new LinkedHashMap<>();
  private static final Map<String, String> REFUSED = new LinkedHashMap<>();
  private static final Map<String, RefusalClass> REFUSAL_CLASS = new LinkedHashMap<>();

  static {
    // Strings
    write("SET", -3, KeySpec.single(),
        "SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-seconds|PXAT unix-ms|KEEPTTL]");
    read("GET", 2, KeySpec.single(), "GET key");
    read("MGET", -2, KeySpec.allArguments(), "MGET key [key ...]");
    write("MSET", -3, KeySpec.keyValuePairs(), "MSET key value [key value ...]");
    write("INCR", 2, KeySpec.single(), "INCR key");
    write("INCRBY", 3, KeySpec.single(), "INCRBY key increment");
    write("DECR", 2, KeySpec.single(), "DECR key");
    write("DECRBY", 3, KeySpec.single(), "DECRBY key decrement");
    write("APPEND", 3, KeySpec.single(), "APPEND key value");
    write("DEL", -2, KeySpec.allArguments(), "DEL key [key ...]");
    read("EXISTS", -2, KeySpec.allArguments(), "EXISTS key [key ...]");
    read("STRLEN", 2, KeySpec.single(), "STRLEN key");
    // Expiry: relative forms are rewritten to PEXPIREAT by the leader (see Determinizer).
    write("EXPIRE", -3, KeySpec.single(), "EXPIRE key seconds [NX|XX|GT|LT]");
    write("PEXPIRE", -3, KeySpec.single(), "PEXPIRE key milliseconds [NX|XX|GT|LT]");
    write("EXPIREAT", -3, KeySpec.single(), "EXPIREAT key unix-seconds [NX|XX|GT|LT]");
    write("PEXPIREAT", -3, KeySpec.single(), "PEXPIREAT key unix-ms [NX|XX|GT|LT]");
    write("PERSIST", 2, KeySpec.single(), "PERSIST key");
    read("TTL", 2, KeySpec.single(), "TTL key");
    read("PTTL", 2, KeySpec.single(), "PTTL key");
    // Hashes
    write("HSET", -4, KeySpec.single(), "HSET key field value [field value ...]");
    read("HGET", 3, KeySpec.single(), "HGET key field");
    read("HGETALL", 2, KeySpec.single(), "HGETALL key");
    write("HDEL", -3, KeySpec.single(), "HDEL key field [field ...]");
    write("HINCRBY", 4, KeySpec.single(), "HINCRBY key field increment");
    read("HLEN", 2, KeySpec.single(), "HLEN key");
    // Lists
    write("LPUSH", -3, KeySpec.single(), "LPUSH key element [element ...]");
    write("RPUSH", -3, KeySpec.single(), "RPUSH key element [element ...]");
    write("LPOP", 2, 3, KeySpec.single(), "LPOP key [count]");
    write("RPOP", 2, 3, KeySpec.single(), "RPOP key [count]");
    read("LRANGE", 4, KeySpec.single(), "LRANGE key start stop");
    read("LLEN", 2, KeySpec.single(), "LLEN key");
    write("LTRIM", 4, KeySpec.single(), "LTRIM key start stop");
    // Sets
    write("SADD", -3, KeySpec.single(), "SADD key member [member ...]");
    write("SREM", -3, KeySpec.single(), "SREM key member [member ...]");
    read("SMEMBERS", 2, KeySpec.single(), "SMEMBERS key");
    read("SISMEMBER", 3, KeySpec.single(), "SISMEMBER key member");
    read("SCARD", 2, KeySpec.single(), "SCARD key");
    // Sorted sets
    write("ZADD", -4, KeySpec.single(),
        "ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]");
    write("ZREM", -3, KeySpec.single(), "ZREM key member [member ...]");
    write("ZINCRBY", 4, KeySpec.single(), "ZINCRBY key increment member");
    read("ZRANGE", -4, KeySpec.single(),
        "ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]");
    read("ZSCORE", 3, KeySpec.single(), "ZSCORE key member");
    read("ZCARD", 2, KeySpec.single(), "ZCARD key");
    // Transactions: over gRPC, WATCH reads each key's digest for WriteRequest.watches; on the RESP
    // port it is Redis' WATCH (the port keeps the digests for EXEC).
    read("WATCH", -2, KeySpec.allArguments(), "WATCH key [key ...]");

    RefusalClass c = RefusalClass.NONDETERMINISTIC;
    refuse(c, "RANDOMKEY", "keep the keys you need in a set and read it with SMEMBERS");
    refuse(c, "SPOP", "pick a member with SMEMBERS and SREM it");
    refuse(c, "SRANDMEMBER", "read the members with SMEMBERS and choose one in your application");
    refuse(c, "HRANDFIELD", "read the fields with HGETALL and choose one in your application");
    refuse(c, "ZRANDMEMBER", "read the members with ZRANGE and choose one in your application");
    refuse(c, "TIME", "use your application's clock");
    String noScripts = "send the commands as one atomic batch instead";
    for (String name : new String[] {"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO",
        "FUNCTION", "SCRIPT"}) {
      refuse(c, name, noScripts);
    }

    c = RefusalClass.SERVER_ADMIN;
    refuse(c, "FLUSHALL", "delete keys with DEL");
    refuse(c, "FLUSHDB", "delete keys with DEL");
    refuse(c, "CONFIG", "change the coordinator's configuration instead");
    for (String name : new String[] {"DEBUG", "SHUTDOWN", "FAILOVER", "CLUSTER", "INFO", "DBSIZE"}) {
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
    refuse(c, "OBJECT", "its answers (encoding, idle time) differ between replicas");
    for (String name : new String[] {"KEYS", "SCAN"}) {
      refuse(c, name, "keep the keys you need in a set and read it with SMEMBERS");
    }

    c = RefusalClass.TRANSACTION;
    for (String name : new String[] {"MULTI", "EXEC", "DISCARD", "UNWATCH"}) {
      refuse(c, name, "use an atomic batch: several commands in one Write, applied all or nothing");
    }

    c = RefusalClass.BLOCKING;
    refuse(c, "BLPOP", "use LPOP and retry when it returns nil");
    refuse(c, "BRPOP", "use RPOP and retry when it returns nil");
    refuse(c, "BLMPOP", "use LPOP or RPOP and retry when it returns nil");
    refuse(c, "BLMOVE", "use RPOP and LPUSH in one atomic batch");
    refuse(c, "BRPOPLPUSH", "use RPOP and LPUSH in one atomic batch");
    for (String name : new String[] {"BZPOPMIN", "BZPOPMAX", "BZMPOP"}) {
      refuse(c, name, "read members with ZRANGE and remove them with ZREM");
    }
    for (String name : new String[] {"WAIT", "WAITAOF"}) {
      refuse(c, name, "a Redraft write is acknowledged only once a majority has it durably");
    }

    c = RefusalClass.PUB_SUB;
    for (String name : new String[] {"SUBSCRIBE", "PSUBSCRIBE", "PUBLISH", "UNSUBSCRIBE",
        "PUNSUBSCRIBE"}) {
      refuse(c, name, "use a messaging system beside Redraft");
    }

    c = RefusalClass.VARIANT;
    refuse(c, "SETEX", "use SET with EX");
    refuse(c, "PSETEX", "use SET with PX");
    refuse(c, "SETNX", "use SET with NX");
    refuse(c, "GETSET", "use SET with GET");
    refuse(c, "GETEX", "use GET, then EXPIRE or PERSIST");
  }

  private static void read(String name, int arity, KeySpec keys, String summary) {
    add(name, READ, arity, keys, summary);
  }

  private static void write(String name, int arity, KeySpec keys, String summary) {
    add(name, WRITE, arity, keys, summary);
  }

  private static void write(String name, int min, int max, KeySpec keys, String summary) {
    SUPPORTED.put(name, new CommandSpec(name, WRITE, min, max, keys, summary));
  }

  /** Redis' arity convention: N means exactly N argv elements, -N means at least N. */
  private static void add(String name, CommandKind kind, int arity, KeySpec keys, String summary) {
    int min = Math.abs(arity);
    int max = arity < 0 ? -1 : arity;
    SUPPORTED.put(name, new CommandSpec(name, kind, min, max, keys, summary));
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
