package dev.redraft.coordinator.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.coordinator.errors.KeyLockedException;
import dev.redraft.coordinator.redis.ApplyRequest.SessionLimits;
import dev.redraft.coordinator.redis.ApplyRequest.TxStep;
import dev.redraft.coordinator.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * One group's side of a transaction across groups in apply.lua, against a real redis-server: a PREPARE
 * applies and locks, COMMIT keeps and unlocks, ABORT undoes (values and deadlines) and unlocks, a write
 * or read of a locked key is refused without effect, a PREPARE after its ABORT is refused, and the home
 * group's DECIDE keeps the first decision.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisApplierTransactionsTest {
  private static final SessionLimits LIMITS = new SessionLimits(3_600_000, 1000, true, true);
  private static final long T = 1_700_000_000_000L;

  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();
  RedisApplier applier;
  long index;

  @BeforeEach
  void emptyRedis() {
    redis.flushAll();
    applier = new RedisApplier(redis.endpoint());
    index = 0;
  }

  @Test
  void aPreparedWriteIsAppliedLockedAndKeptByCommit() {
    apply(write("c", 1, cmd("SET", "a", "1")));
    ApplyResult prepared = apply(prepare("tx#1", "c", 2, cmd("INCR", "a"), cmd("SET", "b", "x"))).get(0);
    assertThat(prepared.outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(prepared.rolledBack()).isFalse();
    assertThat(resp(prepared)).isEqualTo("*2\r\n:2\r\n+OK\r\n");
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hgetAll(RedisApplier.TX_LOCKS_KEY)).containsOnlyKeys("a", "b").containsValue("tx#1");
    }

    ApplyResult blocked = apply(write("d", 1, cmd("SET", "b", "other"))).get(0);
    assertThat(blocked.outcome()).as("a write of a locked key").isEqualTo(ApplyOutcome.TX_REFUSED);
    assertThat(resp(blocked)).isEqualTo("locked");
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hexists(RedisApplier.SESSIONS_KEY, "d")).as("the refused write's session is untouched").isFalse();
    }
    RedisReader reader = new RedisReader(redis.endpoint());
    assertThatThrownBy(() -> reader.read(cmd("GET", "a"), 0)).isInstanceOf(KeyLockedException.class);
    assertThat(new String(reader.read(cmd("GET", "unrelated"), 0), StandardCharsets.UTF_8)).isEqualTo("$-1\r\n");

    apply(step(TxStep(2, "tx#1")));
    assertThat(get("a")).isEqualTo("2");
    assertThat(get("b")).isEqualTo("x");
    assertThat(apply(write("d", 1, cmd("SET", "b", "other"))).get(0).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(new String(reader.read(cmd("GET", "a"), 0), StandardCharsets.UTF_8)).isEqualTo("$1\r\n2\r\n");
    reader.close();
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hlen(RedisApplier.TX_LOCKS_KEY)).isZero();
      assertThat(jedis.hlen(RedisApplier.TX_PREPARED_KEY)).isZero();
      assertThat(jedis.zcard(RedisApplier.TX_PREPARED_TIMES_KEY)).isZero();
      assertThat(jedis.keys("__redraft:tx-undo*")).as("the copies kept to undo it are gone").isEmpty();
    }
  }

  @Test
  void undoCopiesAreRedraftsOwnAndASessionsLaterWritesWaitBehindALockedOne() {
    apply(write("c", 1, cmd("SET", "a", "1")), write("c", 2, cmd("SET", "b", "1")));
    apply(prepare("tx#7", "t", 1, cmd("SET", "a", "2"), cmd("SET", "b", "2")));
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.keys("__redraft:tx-undo:*")).as("the old values, kept as copies").hasSize(2);
    }
    try (RedisReader reader = new RedisReader(redis.endpoint())) {
      assertThat(new String(reader.read(new RedisCommand(List.of("DBSIZE".getBytes(StandardCharsets.UTF_8)),
          new int[0]), 0), StandardCharsets.UTF_8)).as("DBSIZE counts a and b only").isEqualTo(":2\r\n");
    }
    // Session d, two writes in one group entry: write 1 touches a locked key, write 2 does not: both are
    // refused, so they can be sent again together, in order.
    long entry = ++index;
    List<ApplyResult> results = apply(
        new ApplyRequest(entry, "d", 1, T, List.of(cmd("SET", "a", "x")), false, "", LIMITS),
        new ApplyRequest(entry, "d", 2, T, List.of(cmd("SET", "free", "y")), false, "", LIMITS));
    assertThat(results).extracting(ApplyResult::outcome).containsOnly(ApplyOutcome.TX_REFUSED);
    assertThat(get("free")).isNull();
  }

  @Test
  void aSessionsLaterWriteInALaterEntryWaitsBehindItsRefusedOneForABoundedTime() {
    apply(prepare("tx#9", "t", 1, cmd("SET", "a", "1")));
    assertThat(apply(write("d", 1, cmd("SET", "a", "x"))).get(0).outcome()).isEqualTo(ApplyOutcome.TX_REFUSED);
    assertThat(apply(write("d", 2, cmd("SET", "free", "y"))).get(0).outcome())
        .as("the session's next write, in the next entry, waits behind the refused one")
        .isEqualTo(ApplyOutcome.TX_REFUSED);
    apply(step(TxStep(2, "tx#9")));
    assertThat(apply(write("d", 1, cmd("SET", "a", "x")), write("d", 2, cmd("SET", "free", "y"))))
        .extracting(ApplyResult::outcome).containsExactly(ApplyOutcome.APPLIED, ApplyOutcome.APPLIED);
    assertThat(List.of(get("a"), get("free"))).containsExactly("x", "y");

    // A refused write never sent again stops holding the session back after 3 s of log time.
    apply(prepare("tx#10", "t", 2, cmd("SET", "a", "2")));
    assertThat(apply(write("d", 3, cmd("SET", "a", "z"))).get(0).outcome()).isEqualTo(ApplyOutcome.TX_REFUSED);
    assertThat(apply(new ApplyRequest(++index, "d", 4, T + 3_001, List.of(cmd("SET", "free", "later")), false, "",
        LIMITS)).get(0).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.exists("__redraft:tx-waiting")).as("the wait is gone").isFalse();
    }
  }

  @Test
  void abortRestoresValuesAndDeadlinesAndARetryGetsTheStoredVote() {
    apply(write("c", 1, cmd("SET", "a", "1", "PXAT", Long.toString(T + 3_600_000))));
    apply(prepare("tx#2", "c", 2, cmd("SET", "a", "new"), cmd("SET", "fresh", "v")));
    ApplyResult retry = apply(prepare("tx#2", "c", 2, cmd("SET", "a", "new"), cmd("SET", "fresh", "v"))).get(0);
    assertThat(retry.outcome()).as("the same session write: the stored vote").isEqualTo(ApplyOutcome.DUPLICATE);
    assertThat(get("a")).isEqualTo("new");

    apply(step(TxStep(3, "tx#2")));
    assertThat(get("a")).isEqualTo("1");
    assertThat(get("fresh")).as("a key the transaction created is gone again").isNull();
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.zscore("__redraft:deadlines", "a")).as("the deadline is back").isEqualTo((double) (T + 3_600_000));
      assertThat(jedis.hlen(RedisApplier.TX_LOCKS_KEY)).isZero();
    }
  }

  @Test
  void aPrepareAfterItsAbortAndOneOnAKeyLockedByAnotherAreRefused() {
    apply(step(TxStep(3, "tx#late")));
    ApplyResult late = apply(prepare("tx#late", "c", 1, cmd("SET", "a", "1"))).get(0);
    assertThat(late.outcome()).isEqualTo(ApplyOutcome.TX_REFUSED);
    assertThat(resp(late)).isEqualTo("tx-aborted");
    assertThat(get("a")).isNull();

    apply(prepare("tx#one", "c", 1, cmd("SET", "a", "1")));
    ApplyResult conflict = apply(prepare("tx#two", "e@1000", 1, cmd("SET", "a", "2"))).get(0);
    assertThat(conflict.outcome()).isEqualTo(ApplyOutcome.TX_REFUSED);
    assertThat(resp(conflict)).isEqualTo("locked");
    assertThat(get("a")).isEqualTo("1");
    assertThat(apply(write("e@1000", 2, cmd("SET", "other", "v"))).get(0).outcome())
        .as("a PREPARE refused on a lock does not hold its session's next write back").isEqualTo(ApplyOutcome.APPLIED);
  }

  @Test
  void aFailingCommandVotesNoAndLocksNothing() {
    apply(write("c", 1, cmd("LPUSH", "list", "x")));
    ApplyResult vote = apply(prepare("tx#3", "c", 2, cmd("SET", "a", "1"), cmd("INCR", "list"))).get(0);
    assertThat(vote.outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(vote.rolledBack()).isTrue();
    assertThat(get("a")).isNull();
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hlen(RedisApplier.TX_LOCKS_KEY)).isZero();
    }
  }

  @Test
  void anAbortTurnsTheSessionsStoredVoteIntoANo() {
    apply(prepare("c#1", "c", 1, cmd("SET", "a", "1")));
    apply(step(TxStep(3, "c#1")));
    ApplyResult retry = apply(prepare("c#1", "c", 1, cmd("SET", "a", "1"))).get(0);
    assertThat(retry.outcome()).isEqualTo(ApplyOutcome.DUPLICATE);
    assertThat(retry.rolledBack()).as("a retry learns the group's part was undone").isTrue();
    assertThat(get("a")).isNull();
  }

  /**
   * Which entries share a script call differs between replicas (the leader applies what it has, a
   * follower what it received): the outcome of every entry must not depend on it.
   */
  @Test
  void outcomesDoNotDependOnWhichEntriesShareACall() {
    List<ApplyRequest> entries = new ArrayList<>();
    entries.add(prepare("t#1", "t", 1, cmd("SET", "a", "1")));
    entries.add(write("c", 1, cmd("INCR", "a")));                    // refused: a is locked
    entries.add(step(TxStep(2, "t#1")));                              // unlocks a
    entries.add(write("c", 1, cmd("INCR", "a")));                    // the retry: applied
    entries.add(write("c", 2, cmd("INCR", "a")));
    List<ApplyOutcome> together = applyAll(entries, entries.size());
    String digestTogether = digest();
    emptyRedis();
    List<ApplyOutcome> oneByOne = applyAll(entries, 1);
    assertThat(oneByOne).isEqualTo(together);
    assertThat(digest()).isEqualTo(digestTogether);
    assertThat(get("a")).isEqualTo("3");
  }

  private List<ApplyOutcome> applyAll(List<ApplyRequest> entries, int perCall) {
    List<ApplyOutcome> outcomes = new ArrayList<>();
    for (int from = 0; from < entries.size(); from += perCall) {
      List<ApplyRequest> part = entries.subList(from, Math.min(entries.size(), from + perCall));
      applier.apply(applier.readAppliedMarker(), part).forEach(r -> outcomes.add(r.outcome()));
    }
    return outcomes;
  }

  private static String digest() {
    try (Jedis jedis = redis.jedis()) {
      return new String((byte[]) jedis.sendCommand(() -> "DEBUG".getBytes(StandardCharsets.US_ASCII),
          "DIGEST".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void theHomeGroupKeepsTheFirstDecision() {
    assertThat(resp(apply(step(TxStep(5, "tx#4"))).get(0))).isEqualTo("*1\r\n+abort\r\n");
    assertThat(resp(apply(step(TxStep(4, "tx#4"))).get(0))).as("a later commit loses").isEqualTo("*1\r\n+abort\r\n");
    assertThat(resp(apply(step(TxStep(4, "tx#5"))).get(0))).isEqualTo("*1\r\n+commit\r\n");
    assertThat(resp(apply(step(TxStep(5, "tx#5"))).get(0))).isEqualTo("*1\r\n+commit\r\n");
  }

  @Test
  void recoveryFindsPreparedTransactionsWithTheirHome() {
    apply(prepare("tx#6", "c", 1, cmd("SET", "a", "1")));
    try (RedisReader reader = new RedisReader(redis.endpoint())) {
      assertThat(reader.preparedBefore(T + 1, 10)).containsExactly(new RedisReader.PreparedTx("tx#6", 3, T));
      assertThat(reader.preparedBefore(T - 1, 10)).isEmpty();
    }
  }

  private static TxStep TxStep(int phase, String id) {
    return new TxStep(phase, id, 3);
  }

  private List<ApplyResult> apply(ApplyRequest... requests) {
    return applier.apply(applier.readAppliedMarker(), List.of(requests));
  }

  private ApplyRequest write(String client, long sequence, RedisCommand... commands) {
    return new ApplyRequest(++index, client, sequence, T, List.of(commands), false, "", LIMITS);
  }

  private ApplyRequest prepare(String txId, String client, long sequence, RedisCommand... commands) {
    return new ApplyRequest(++index, client, sequence, T, List.of(commands), false, "", LIMITS, new TxStep(1, txId, 3));
  }

  private ApplyRequest step(TxStep step) {
    return new ApplyRequest(++index, "", 0, T, List.of(), false, "", LIMITS, step);
  }

  private static RedisCommand cmd(String... argv) {
    List<byte[]> args = new ArrayList<>();
    for (String a : argv) {
      args.add(a.getBytes(StandardCharsets.UTF_8));
    }
    return new RedisCommand(args, new int[] {1});
  }

  private static String get(String key) {
    try (Jedis jedis = redis.jedis()) {
      return jedis.get(key);
    }
  }

  private static String resp(ApplyResult result) {
    return new String(result.respReplies(), StandardCharsets.UTF_8);
  }
}
