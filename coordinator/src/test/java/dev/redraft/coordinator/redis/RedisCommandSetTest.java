package dev.redraft.coordinator.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.Determinizer;
import dev.redraft.coordinator.command.Limits;
import dev.redraft.coordinator.command.ValidatedCommand;
import dev.redraft.coordinator.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The commands of Redis 7.0's set that need Redraft's bookkeeping, through the apply and read scripts
 * against a real redis-server: deadlines that move, copy or vanish with their key, flushes that keep
 * Redraft's own state, keyspace reads that never show it, reads inside a write batch, XADD's IDs.
 * Commands are validated and made deterministic as the leader does.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisCommandSetTest {
  private static final CommandValidator VALIDATOR = new CommandValidator(new Limits(1 << 20, 1000));
  private static final long FAR = 4_000_000_000_000L; // a deadline in 2096
  private static final ApplyRequest.SessionLimits LIMITS = new ApplyRequest.SessionLimits(3_600_000, 1000);

  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();
  RedisApplier applier;
  RedisReader reader;
  long index;

  @BeforeEach
  void emptyRedis() {
    redis.flushAll();
    applier = new RedisApplier(redis.endpoint());
    reader = new RedisReader(redis.endpoint());
    index = 0;
  }

  @Test
  void renameMovesTheDeadlineAndCopyCopiesIt() {
    write(1_000, "SET a v PXAT " + FAR);
    write(1_000, "SET plain v");
    write(1_000, "SET target v PXAT " + FAR);
    assertThat(write(1_000, "RENAME a b")).isEqualTo("+OK\r\n");
    assertThat(read("PEXPIRETIME b")).isEqualTo(":" + FAR + "\r\n");
    assertThat(read("PEXPIRETIME a")).isEqualTo(":-2\r\n");
    write(1_000, "RENAME plain target");
    assertThat(read("PEXPIRETIME target")).as("the moved key had none").isEqualTo(":-1\r\n");
    assertThat(write(1_000, "RENAMENX b target")).isEqualTo(":0\r\n");
    assertThat(read("PEXPIRETIME b")).isEqualTo(":" + FAR + "\r\n");
    assertThat(write(1_000, "COPY b c")).isEqualTo(":1\r\n");
    assertThat(read("EXPIRETIME c")).isEqualTo(":" + FAR / 1000 + "\r\n");
    assertThat(read("PEXPIRETIME b")).as("the source keeps its own").isEqualTo(":" + FAR + "\r\n");
    write(1_000, "COPY target c REPLACE");
    assertThat(read("PEXPIRETIME c")).isEqualTo(":-1\r\n");
    assertDeadlinesOnlyFor("b");
  }

  @Test
  void commandsThatReplaceAValueDropItsDeadline() {
    for (String key : List.of("g", "d", "bits", "zd")) {
      write(1_000, "SET " + key + " v PXAT " + FAR);
    }
    write(1_000, "SADD s1 a b");
    write(1_000, "ZADD z1 1 a");
    assertThat(write(1_000, "GETSET g w")).isEqualTo("$1\r\nv\r\n");
    assertThat(write(1_000, "SINTERSTORE d s1")).isEqualTo(":2\r\n");
    write(1_000, "BITOP NOT bits bits");
    write(1_000, "ZUNIONSTORE zd 1 z1");
    for (String key : List.of("g", "d", "bits", "zd")) {
      assertThat(read("PTTL " + key)).as(key).isEqualTo(":-1\r\n");
    }
    // In place: the value changes, the deadline stays (as Redis keeps a TTL).
    write(1_000, "SET kept 1 PXAT " + FAR);
    write(1_000, "INCRBYFLOAT kept 1.5");
    write(1_000, "SETRANGE kept 0 9");
    assertThat(read("PEXPIRETIME kept")).isEqualTo(":" + FAR + "\r\n");
    write(1_000, "SET popped v PXAT " + FAR);
    write(1_000, "GETDEL popped");
    assertDeadlinesOnlyFor("kept");
  }

  @Test
  void setexAndGetexBecomeAbsoluteDeadlinesAtTheEntrysTime() {
    long t = System.currentTimeMillis(); // reads hide keys past their deadline by the real clock
    assertThat(write(t, "SETEX k 100 v")).isEqualTo("+OK\r\n");
    assertThat(read("PEXPIRETIME k")).isEqualTo(":" + (t + 100_000) + "\r\n");
    write(t, "PSETEX p 150000 v");
    assertThat(read("PEXPIRETIME p")).isEqualTo(":" + (t + 150_000) + "\r\n");
    write(t, "SET g v");
    assertThat(write(t, "GETEX g EX 1000")).isEqualTo("$1\r\nv\r\n");
    assertThat(read("PEXPIRETIME g")).as("EX counts from the entry's time").isEqualTo(":" + (t + 1_000_000) + "\r\n");
    assertThat(write(t, "GETEX g PERSIST")).isEqualTo("$1\r\nv\r\n");
    assertThat(read("PTTL g")).isEqualTo(":-1\r\n");
    // Redis checks GETEX's time only once it found the key.
    assertThat(write(t, "GETEX g EX 0")).startsWith("-ERR invalid expire time in 'getex' command");
    assertThat(write(t, "GETEX missing EX 0")).isEqualTo("$-1\r\n");
    assertThat(write(t, "GETEX g PXAT " + (t - 1))).as("past: read, then deleted").isEqualTo("$1\r\nv\r\n");
    assertThat(read("EXISTS g")).isEqualTo(":0\r\n");
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.pttl("k")).as("no native TTL").isEqualTo(-1);
      assertThat(jedis.exists("g")).as("deleted by the log, not only hidden").isFalse();
    }
  }

  @Test
  void flushEmptiesTheApplicationsKeysAndKeepsSessions() {
    ApplyResult first = applier.apply(index, List.of(session(++index, "c", 1, "INCR counter"))).get(0);
    write(1_000, "SET t v PXAT " + FAR);
    write(1_000, "HSET h f v");
    assertThat(write(1_000, "FLUSHDB ASYNC")).isEqualTo("+OK\r\n");
    assertThat(read("DBSIZE")).isEqualTo(":0\r\n");
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.keys("*")).as("only Redraft's state").allMatch(k -> k.startsWith("__redraft:"))
          .contains("__redraft:applied", "__redraft:sessions").doesNotContain("__redraft:deadlines");
    }
    // A retry of the session's write is still answered from the session, not applied again.
    ApplyResult retry = applier.apply(index, List.of(session(++index, "c", 1, "INCR counter"))).get(0);
    assertThat(retry.outcome()).isEqualTo(ApplyOutcome.DUPLICATE);
    assertThat(new String(retry.respReplies(), StandardCharsets.UTF_8))
        .isEqualTo(new String(first.respReplies(), StandardCharsets.UTF_8));
    assertThat(read("GET counter")).isEqualTo("$-1\r\n");
    write(1_000, "SET after v");
    write(1_000, "FLUSHALL");
    assertThat(read("EXISTS after")).isEqualTo(":0\r\n");
  }

  @Test
  void keyspaceReadsNeverShowRedraftsKeysOrKeysPastTheirDeadline() {
    long now = System.currentTimeMillis();
    applier.apply(index, List.of(session(++index, "c", 1, "SET a 1"), session(++index, "c", 2, "SET b 2")));
    write(now - 60_000, "SET past v PXAT " + (now - 1_000)); // not swept yet: the log's time is older
    write(now - 60_000, "SET later v PXAT " + FAR);
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.dbSize()).as("Redis holds Redraft's keys and the expired one").isGreaterThan(7);
      Set<String> own = new HashSet<>(jedis.keys("__redraft:*"));
      assertThat(own).as("reads.lua's OWN_KEYS lists every key Redraft keeps")
          .isSubsetOf("__redraft:applied", "__redraft:clock", "__redraft:sessions",
              "__redraft:session-times", "__redraft:deadlines", "__redraft:members");
    }
    assertThat(read("DBSIZE")).isEqualTo(":3\r\n");
    assertThat(read("KEYS *")).startsWith("*3\r\n").contains("\na\r\n", "\nb\r\n", "\nlater\r\n");
    Set<String> scanned = new HashSet<>();
    String cursor = "0";
    do {
      List<String> page = parseScan(read("SCAN " + cursor + " COUNT 2"));
      cursor = page.get(0);
      scanned.addAll(page.subList(1, page.size()));
    } while (!cursor.equals("0"));
    assertThat(scanned).containsExactlyInAnyOrder("a", "b", "later");
    for (int i = 0; i < 30; i++) {
      assertThat(read("RANDOMKEY")).isIn("$1\r\na\r\n", "$1\r\nb\r\n", "$5\r\nlater\r\n");
    }
    write(now, "DEL a b later");
    assertThat(read("RANDOMKEY")).as("only hidden keys left").isEqualTo("$-1\r\n");
  }

  @Test
  void readsInAWriteBatchAnswerAtTheEntrysTimeAsReadsDo() {
    write(10_000, "SET gone v PXAT 15000");
    String replies = writeBatch(20_000, "SET k v PXAT 25000", "PTTL k", "TTL k", "PEXPIRETIME k", "EXPIRETIME k",
        "GET gone", "DBSIZE", "GET k", "SET j 1", "EXISTS j k gone", "TTL j");
    assertThat(replies).isEqualTo("*11\r\n+OK\r\n:5000\r\n:5\r\n:25000\r\n:25\r\n$-1\r\n:1\r\n$1\r\nv\r\n+OK\r\n"
        + ":2\r\n:-1\r\n");
  }

  /** Every read a batch may hold (so not those marked replyVaries) against the same data both ways. */
  @Test
  void everyBatchableReadAnswersInABatchAsThroughRead() {
    for (String line : List.of("SET k hello", "SET a abcde", "SET b abxde", "HSET h f v g w", "RPUSH l a b c a",
        "RPUSH m x", "SADD s a b", "SADD t b c", "ZADD z 1 a 2 b 3 c", "ZADD y 2 b 4 d", "SETBIT bits 7 1",
        "PFADD p a b", "XADD x 1-1 f v", "XADD x 2-1 g w")) {
      write(1_000, line);
    }
    List<String> reads = List.of("GET k", "MGET k a nokey", "STRLEN k", "GETRANGE k 1 -2", "SUBSTR k 0 2",
        "LCS a b IDX WITHMATCHLEN", "EXISTS k a nokey", "TYPE h", "TOUCH k l", "TTL k", "PTTL nokey",
        "EXPIRETIME k", "PEXPIRETIME nokey", "DBSIZE", "HGET h f", "HMGET h f nofield", "HEXISTS h g",
        "HSTRLEN h f", "HLEN h", "LRANGE l 0 -1", "LINDEX l -1", "LPOS l a COUNT 0", "LLEN l", "SISMEMBER s a",
        "SMISMEMBER s a c", "SCARD s", "SINTERCARD 2 s t", "ZRANGE z 0 -1 WITHSCORES", "ZRANGEBYSCORE z 1 2",
        "ZRANGEBYLEX z - +", "ZREVRANGE z 0 1", "ZREVRANGEBYSCORE z +inf 2", "ZREVRANGEBYLEX z + [b", "ZSCORE z b",
        "ZMSCORE z a x", "ZCARD z", "ZRANK z c", "ZREVRANK z c", "ZCOUNT z 2 +inf", "ZLEXCOUNT z - +",
        "ZUNION 2 z y WITHSCORES", "ZINTER 2 z y", "ZDIFF 2 z y", "ZINTERCARD 2 z y", "GETBIT bits 7",
        "BITCOUNT bits", "BITPOS bits 1", "BITFIELD_RO bits GET u8 0", "XRANGE x - +", "XREVRANGE x + - COUNT 1",
        "XLEN x", "XREAD STREAMS x 1-1", "WATCH h nokey k", "GET h");
    Set<String> covered = new HashSet<>();
    for (String line : reads) {
      String batch = writeBatch(1_000, line, "EXISTS k");
      // An error ends the batch (rolled back): then its reply is the last.
      String rest = batch.substring(batch.indexOf("\r\n") + 2);
      String inBatch = batch.startsWith("*1\r\n") ? rest : rest.substring(0, rest.lastIndexOf(":1\r\n"));
      assertThat(inBatch).as(line).isEqualTo(read(line));
      covered.add(line.split(" ")[0]);
    }
    assertThat(covered).as("every read a batch may hold").containsAll(
        dev.redraft.coordinator.command.CommandCatalog.supported().stream()
            .filter(spec -> spec.kind() == CommandKind.READ && !spec.replyVaries())
            .map(dev.redraft.coordinator.command.CommandSpec::name).toList());
  }

  @Test
  void xaddStarTakesTheEntrysTimeOrLaterOnEveryReplica() {
    assertThat(write(1_000, "XADD x * f v")).isEqualTo("$6\r\n1000-0\r\n");
    assertThat(write(1_000, "XADD x * f v")).isEqualTo("$6\r\n1000-1\r\n");
    assertThat(write(1_000, "XADD x MAXLEN = 5 * f v")).isEqualTo("$6\r\n1000-2\r\n");
    write(1_000, "XADD x 5000-7 f v");
    assertThat(write(2_000, "XADD x * f v")).as("the stream's last ID is later").isEqualTo("$6\r\n5000-8\r\n");
    assertThat(write(9_000, "XADD x NOMKSTREAM * f v")).isEqualTo("$6\r\n9000-0\r\n");
    assertThat(write(9_000, "XADD none NOMKSTREAM * f v")).isEqualTo("$-1\r\n");
    assertThat(read("XLEN x")).isEqualTo(":6\r\n");
  }

  @Test
  void pfcountIsAWriteThatCachesAlikeEverywhere() {
    write(1_000, "PFADD p a b c");
    assertThat(write(1_000, "PFCOUNT p")).isEqualTo(":3\r\n");
  }

  private void assertDeadlinesOnlyFor(String... keys) {
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.zrange("__redraft:deadlines", 0, -1)).containsExactlyInAnyOrder(keys);
    }
  }

  private static List<String> parseScan(String resp) {
    String[] lines = resp.split("\r\n");
    List<String> out = new ArrayList<>();
    out.add(lines[2]);
    for (int i = 5; i < lines.length; i += 2) {
      out.add(lines[i]);
    }
    return out;
  }

  /** One write entry of one command; returns its reply as RESP. */
  private String write(long time, String line) {
    String replies = writeBatch(time, line);
    return replies.substring(replies.indexOf("\r\n") + 2);
  }

  private String writeBatch(long time, String... lines) {
    List<RedisCommand> commands = new ArrayList<>();
    for (String line : lines) {
      commands.add(logged(line, time, lines.length));
    }
    ApplyRequest entry = new ApplyRequest(++index, "", 0, time, commands);
    return new String(applier.apply(index - 1, List.of(entry)).get(0).respReplies(), StandardCharsets.UTF_8);
  }

  private ApplyRequest session(long entryIndex, String client, long sequence, String line) {
    return new ApplyRequest(entryIndex, client, sequence, 1_000, List.of(logged(line, 1_000, 1)), false, "f" + line,
        LIMITS);
  }

  private String read(String line) {
    String[] words = line.split(" ");
    ValidatedCommand cmd = VALIDATOR.validate(words[0], args(words), CommandKind.READ);
    return new String(reader.read(new RedisCommand(cmd.argv(), cmd.keyPositions()), index),
        StandardCharsets.UTF_8);
  }

  private static RedisCommand logged(String line, long time, int batchSize) {
    String[] words = line.split(" ");
    ValidatedCommand cmd = Determinizer.toDeterministic(
        VALIDATOR.validateInWrite(words[0], args(words), batchSize), time);
    return new RedisCommand(cmd.argv(), cmd.keyPositions());
  }

  private static List<byte[]> args(String[] words) {
    List<byte[]> args = new ArrayList<>();
    for (int i = 1; i < words.length; i++) {
      args.add(words[i].getBytes(StandardCharsets.UTF_8));
    }
    return args;
  }
}
