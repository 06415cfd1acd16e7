package dev.redraft.coordinator.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The apply and read scripts against a real redis-server: the invariants that live inside Redis. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisApplierTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();
  RedisApplier applier;
  RedisReader reader;

  @BeforeEach
  void emptyRedis() {
    redis.flushAll();
    applier = new RedisApplier(redis.endpoint());
    reader = new RedisReader(redis.endpoint());
  }

  @Test
  void replayedEntriesAreSkippedSoIncrCountsOnce() {
    List<ApplyRequest> first = List.of(incr(1, "c", 1), incr(2, "c", 2), incr(3, "c", 3));
    applier.apply(0, first);
    assertThat(get("counter")).isEqualTo("3");

    // As after a coordinator restart: Ratis replays entries 1..3, then hands over entry 4.
    RedisApplier restarted = new RedisApplier(redis.endpoint());
    long marker = restarted.readAppliedMarker();
    assertThat(marker).isEqualTo(3);
    List<ApplyRequest> replay = new ArrayList<>(first);
    replay.add(incr(4, "c", 4));
    List<ApplyResult> results = restarted.apply(marker, replay);

    assertThat(get("counter")).isEqualTo("4");
    assertThat(results).extracting(ApplyResult::outcome).containsExactly(
        ApplyOutcome.ALREADY_APPLIED, ApplyOutcome.ALREADY_APPLIED, ApplyOutcome.APPLIED, ApplyOutcome.APPLIED);
    // The last replayed entry still has its reply: it is the session's stored one.
    assertThat(resp(results.get(2))).isEqualTo("*1\r\n:3\r\n");
    assertThat(resp(results.get(3))).isEqualTo("*1\r\n:4\r\n");
    assertThat(restarted.readAppliedMarker()).isEqualTo(4);
  }

  @Test
  void theWritesOfAGroupEntryShareItsIndexAndAreEachAppliedOnceEvenWhenReplayed() {
    // Group commit: entry 2 carries the writes of three sessions; one of them is a retry of entry 1.
    List<ApplyRequest> log = List.of(incr(1, "a", 1), incr(2, "a", 1), incr(2, "b", 1), incr(2, "c", 1), incr(3, "b", 2));
    List<ApplyResult> results = applier.apply(0, log);
    assertThat(get("counter")).isEqualTo("4");
    assertThat(results).extracting(ApplyResult::outcome).containsExactly(ApplyOutcome.APPLIED,
        ApplyOutcome.DUPLICATE, ApplyOutcome.APPLIED, ApplyOutcome.APPLIED, ApplyOutcome.APPLIED);
    assertThat(results).extracting(ApplyResult::index).containsExactly(1L, 2L, 2L, 2L, 3L);
    assertThat(resp(results.get(3))).isEqualTo("*1\r\n:3\r\n");
    assertThat(applier.readAppliedMarker()).isEqualTo(3);

    // A restart replays the whole log: nothing counts twice, and a group entry is not mistaken for new.
    results = new RedisApplier(redis.endpoint()).apply(3, log);
    assertThat(get("counter")).isEqualTo("4");
    assertThat(results).extracting(ApplyResult::outcome).doesNotContain(ApplyOutcome.DUPLICATE)
        .allMatch(o -> o == ApplyOutcome.APPLIED || o == ApplyOutcome.ALREADY_APPLIED);
    assertThat(results.get(3).outcome()).as("c's session still holds its reply").isEqualTo(ApplyOutcome.APPLIED);
    assertThat(resp(results.get(3))).isEqualTo("*1\r\n:3\r\n");
  }

  @Test
  void aSessionAppliesEachSequenceOnce() {
    List<ApplyResult> results = applier.apply(0, List.of(
        incr(1, "s", 1),
        incr(2, "s", 1),   // the same write, logged twice (a retry through another node)
        incr(3, "s", 2),
        incr(4, "s", 1),   // a late copy of an older write
        incr(5, "other", 1)));
    assertThat(results).extracting(ApplyResult::outcome).containsExactly(ApplyOutcome.APPLIED,
        ApplyOutcome.DUPLICATE, ApplyOutcome.APPLIED, ApplyOutcome.SUPERSEDED, ApplyOutcome.APPLIED);
    assertThat(resp(results.get(1))).as("a duplicate gets the first attempt's reply").isEqualTo("*1\r\n:1\r\n");
    assertThat(get("counter")).isEqualTo("3");
  }

  @Test
  void aFailingCommandRollsBackEveryKeyTheEntryTouched() {
    applier.apply(0, List.of(entry(1, 0, cmd("SET", "a", "old"), cmd("SET", "t", "v", "PXAT", "9000000000000"))));
    List<ApplyResult> results = applier.apply(1, List.of(entry(2, 0,
        cmd("SET", "a", "new"), cmd("PERSIST", "t"), cmd("INCR", "fresh"), cmd("LPUSH", "a", "x"))));

    assertThat(results.get(0).rolledBack()).isTrue();
    assertThat(resp(results.get(0))).startsWith("*4\r\n+OK\r\n:1\r\n:1\r\n-WRONGTYPE");
    assertThat(get("a")).isEqualTo("old");
    assertThat(get("fresh")).isNull();
    assertThat(read(cmd("PTTL", "t"))).as("the deadline PERSIST removed is back").isNotEqualTo(":-1\r\n");
  }

  @Test
  void keysExpireAtTheEntrysLogicalTimeNotByRedisClock() {
    applier.apply(0, List.of(
        entry(1, 1_000, cmd("SET", "k", "v", "PXAT", "5000")),
        entry(2, 4_999, cmd("APPEND", "k", "+")),     // before the deadline: the key is still there
        entry(3, 5_000, cmd("SET", "j", "v", "PXAT", "6000")),
        entry(4, 6_000, cmd("APPEND", "k", "new")))); // at and after the deadline: it was gone

    assertThat(get("k")).isEqualTo("new");
    assertThat(get("j")).as("swept when due, though no entry named it").isNull();
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.pttl("k")).as("no native TTL: Redis' own clock never expires anything").isEqualTo(-1);
    }
  }

  @Test
  void readsHideKeysPastTheirDeadlineAndAnswerTtlFromIt() {
    long now = System.currentTimeMillis();
    applier.apply(0, List.of(entry(1, now - 60_000,
        cmd("SET", "past", "v", "PXAT", Long.toString(now - 1_000)),
        cmd("SET", "future", "v", "PXAT", Long.toString(now + 100_000)),
        cmd("SET", "forever", "v"))));
    // "past" was not expired by the log yet (its entry's time is older), but reads never show it.
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.exists("past")).isTrue();
    }
    assertThat(read(cmd("GET", "past"))).isEqualTo("$-1\r\n");
    assertThat(read(cmd("EXISTS", "past", "future", "forever"))).isEqualTo(":2\r\n");
    assertThat(read(cmd("MGET", "past", "forever"))).isEqualTo("*2\r\n$-1\r\n$1\r\nv\r\n");
    assertThat(read(cmd("TTL", "past"))).isEqualTo(":-2\r\n");
    assertThat(read(cmd("TTL", "forever"))).isEqualTo(":-1\r\n");
    long ttl = Long.parseLong(read(cmd("TTL", "future")).substring(1).trim());
    assertThat(ttl).isBetween(90L, 100L);
  }

  @Test
  void expireOptionsFollowRedis() {
    applier.apply(0, List.of(entry(1, 1_000, cmd("SET", "k", "v"))));
    List<ApplyResult> results = applier.apply(1, List.of(
        entry(2, 1_000, cmd("PEXPIREAT", "k", "90000000000000", "XX")),  // no deadline yet: refused
        entry(3, 1_000, cmd("PEXPIREAT", "k", "90000000000000", "GT")),  // none counts as infinite: refused
        entry(4, 1_000, cmd("PEXPIREAT", "k", "90000000000000", "NX")),  // set
        entry(5, 1_000, cmd("PEXPIREAT", "k", "80000000000000", "GT")),  // lower: refused
        entry(6, 1_000, cmd("PEXPIREAT", "k", "80000000000000", "LT")),  // lower: set
        entry(7, 1_000, cmd("PERSIST", "k")),
        entry(8, 1_000, cmd("PERSIST", "k")),
        entry(9, 1_000, cmd("PEXPIREAT", "missing", "90000000000000")),
        entry(10, 1_000, cmd("PEXPIREAT", "k", "500"))));                // in the past: deleted
    assertThat(results).extracting(RedisApplierTest::resp).containsExactly("*1\r\n:0\r\n", "*1\r\n:0\r\n",
        "*1\r\n:1\r\n", "*1\r\n:0\r\n", "*1\r\n:1\r\n", "*1\r\n:1\r\n", "*1\r\n:0\r\n", "*1\r\n:0\r\n", "*1\r\n:1\r\n");
    assertThat(get("k")).isNull();
  }

  @Test
  void integerRepliesBeyondDoublePrecisionStayExact() {
    List<ApplyResult> results = applier.apply(0, List.of(
        entry(1, 0, cmd("SET", "n", "9007199254740993")),
        entry(2, 0, cmd("INCR", "n"))));
    assertThat(resp(results.get(1))).isEqualTo("*1\r\n:9007199254740994\r\n");
  }

  @Test
  void aRedisThatLostItsDataIsReportedNotBuiltUpon() {
    applier.apply(0, List.of(incr(1, "c", 1), incr(2, "c", 2)));
    try (Jedis jedis = redis.jedis()) {
      jedis.flushAll(); // as a Redis restarted without persistence
    }
    assertThatThrownBy(() -> applier.apply(2, List.of(incr(3, "c", 3))))
        .isInstanceOfSatisfying(RedisStateException.class, e -> {
          assertThat(e.expectedMarker()).isEqualTo(2);
          assertThat(e.actualMarker()).isZero();
        })
        .hasMessageContaining("restart without its data");
    assertThat(get("counter")).as("nothing applied on top of the loss").isNull();
  }

  @Test
  void aBigBatchIsSplitAcrossCallsAndKeepsOrder() {
    List<ApplyRequest> requests = new ArrayList<>();
    byte[] big = new byte[1024 * 1024];
    Arrays.fill(big, (byte) 'x');
    for (int i = 1; i <= 40; i++) { // 40 MB: more than one script call
      requests.add(new ApplyRequest(i, "", 0, 0, List.of(new RedisCommand(
          List.of(bytes("RPUSH"), bytes("list"), bytes(Integer.toString(i))), new int[] {1}))));
      requests.add(new ApplyRequest(100 + i, "", 0, 0, List.of(new RedisCommand(
          List.of(bytes("SET"), bytes("big"), big), new int[] {1}))));
    }
    requests.sort((a, b) -> Long.compare(a.index(), b.index()));
    applier.apply(0, requests);
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.lrange("list", 0, -1)).hasSize(40).startsWith("1", "2").endsWith("40");
    }
    assertThat(applier.readAppliedMarker()).isEqualTo(140);
  }

  @Test
  void aVerifyEntryIsDigestedOnlyWhenAppliedNotWhenReplayed() {
    List<ApplyResult> first = applier.apply(0, List.of(incr(1, "c", 1), ApplyRequest.verify(2), incr(3, "c", 2)));
    assertThat(first.get(1).digest()).isNotBlank();
    // After a restart Ratis replays the VERIFY entry, but Redis already holds entry 3: a digest now
    // would be of a later position and look like drift.
    List<ApplyResult> replay = new RedisApplier(redis.endpoint()).apply(3, List.of(ApplyRequest.verify(2)));
    assertThat(replay.get(0).outcome()).isEqualTo(ApplyOutcome.ALREADY_APPLIED);
    assertThat(replay.get(0).digest()).isNull();
  }

  private static ApplyRequest incr(long index, String client, long sequence) {
    return new ApplyRequest(index, client, sequence, 0, List.of(cmd("INCR", "counter")));
  }

  private static ApplyRequest entry(long index, long time, RedisCommand... commands) {
    return new ApplyRequest(index, "", 0, time, List.of(commands));
  }

  /** A command with Redraft's key positions for the commands used here. */
  private static RedisCommand cmd(String... argv) {
    List<byte[]> args = new ArrayList<>();
    for (String a : argv) {
      args.add(bytes(a));
    }
    int[] keys = switch (argv[0]) {
      case "EXISTS", "MGET", "DEL" -> java.util.stream.IntStream.range(1, argv.length).toArray();
      default -> new int[] {1};
    };
    return new RedisCommand(args, keys);
  }

  private String read(RedisCommand command) {
    return new String(reader.read(command, 0), StandardCharsets.UTF_8);
  }

  private static String get(String key) {
    try (Jedis jedis = redis.jedis()) {
      return jedis.get(key);
    }
  }

  private static String resp(ApplyResult result) {
    return new String(result.respReplies(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
