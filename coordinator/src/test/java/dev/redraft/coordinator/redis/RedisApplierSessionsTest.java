package dev.redraft.coordinator.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.redis.ApplyRequest.SessionLimits;
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
 * Client sessions in apply.lua against a real redis-server: a bounded table (idle expiry by logical
 * time, a cap with LRU eviction), a clear refusal for a retry outside the window or with other
 * commands, and exactly-once inside it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisApplierSessionsTest {
  private static final long HOUR = 3_600_000;
  /** Past apply.lua's eviction grace (60 s): a session this much older may be evicted. */
  private static final long STEP = 61_000;
  private static final String INCR = "0000000000000001";
  private static final String OTHER = "0000000000000002";

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
  void theTableStaysAtItsCapAndTheLeastRecentlyUsedSessionGoesFirst() {
    SessionLimits limits = new SessionLimits(HOUR, 3);
    long t = 1_000_000;
    apply(write("c1", 1, t, limits), write("c2", 1, t + STEP, limits), write("c3", 1, t + 2 * STEP, limits),
        write("c1", 2, t + 3 * STEP, limits)); // c1 used again: c2 is now the least recently used
    List<ApplyResult> results = apply(write("c4", 1, t + 4 * STEP, limits), write("c5", 1, t + 5 * STEP, limits));

    assertThat(results).extracting(ApplyResult::outcome).containsOnly(ApplyOutcome.APPLIED);
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hlen(RedisApplier.SESSIONS_KEY)).isEqualTo(3);
      assertThat(jedis.hkeys(RedisApplier.SESSIONS_KEY)).containsExactlyInAnyOrder("c1", "c4", "c5");
      assertThat(jedis.zcard(RedisApplier.SESSION_TIMES_KEY)).isEqualTo(3);
    }
    assertThat(get("counter")).isEqualTo("6");
  }

  @Test
  void sessionsUsedAtTheSameTimeAreEvictedInClientIdOrder() {
    SessionLimits limits = new SessionLimits(HOUR, 2);
    long t = 1_000_000;
    apply(write("b", 1, t, limits), write("a", 1, t, limits), write("c", 1, t + STEP, limits));
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hkeys(RedisApplier.SESSIONS_KEY)).containsExactlyInAnyOrder("b", "c");
    }
  }

  @Test
  void idleSessionsExpireByTheLogsLogicalTime() {
    SessionLimits limits = new SessionLimits(10_000, 100);
    apply(write("a", 1, 1_000, limits), write("b", 1, 5_000, limits));
    apply(write("c", 1, 10_999, limits));
    assertThat(sessions()).containsExactlyInAnyOrder("a", "b", "c");

    apply(write("c", 2, 11_000, limits)); // a was last used 10 s before: it expires now
    assertThat(sessions()).containsExactlyInAnyOrder("b", "c");
    apply(write("c", 3, 15_000, limits));
    assertThat(sessions()).containsExactly("c");
  }

  @Test
  void aRetryOnAnExpiredSessionIsRefusedAsOutcomeUnknownAndNotAppliedAgain() {
    SessionLimits limits = new SessionLimits(10_000, 100);
    apply(set("x", 1, 1_000, limits), write("x", 2, 2_000, limits));
    assertThat(get("counter")).isEqualTo("1");
    apply(write("y", 1, 12_000, limits)); // x idle for 10 s: dropped

    List<ApplyResult> retry = apply(write("x", 2, 12_500, limits));
    assertThat(retry.get(0).outcome()).isEqualTo(ApplyOutcome.SESSION_UNKNOWN);
    assertThat(get("counter")).as("the retry was not applied a second time").isEqualTo("2");
    assertThat(sessions()).as("and opened no session").doesNotContain("x");
  }

  @Test
  void aRetryOnAnEvictedSessionIsRefusedAsOutcomeUnknownAndNotAppliedAgain() {
    SessionLimits limits = new SessionLimits(HOUR, 1);
    long t = 1_000_000;
    apply(set("x", 1, t, limits), write("x", 2, t, limits));
    apply(write("y", 1, t + STEP, limits)); // the cap is 1: x is evicted
    assertThat(sessions()).containsExactly("y");
    assertThat(get("counter")).isEqualTo("2");

    List<ApplyResult> retry = apply(write("x", 2, t + STEP + 1, limits));
    assertThat(retry.get(0).outcome()).isEqualTo(ApplyOutcome.SESSION_UNKNOWN);
    assertThat(get("counter")).as("the retry was not applied a second time").isEqualTo("2");
  }

  @Test
  void aRetryOfAFirstWriteAfterItsSessionExpiredIsRefusedAsOutcomeUnknownAndNotAppliedAgain() {
    SessionLimits limits = new SessionLimits(10_000, 100);
    apply(write("x@1000", 1, 1_000, limits));
    apply(write("y@11900", 1, 12_000, limits)); // x idle for 10 s: dropped
    assertThat(sessions()).containsExactly("y@11900");
    assertThat(get("counter")).isEqualTo("2");

    List<ApplyResult> retry = apply(write("x@1000", 1, 12_500, limits));
    assertThat(retry.get(0).outcome()).as("not taken for a new session").isEqualTo(ApplyOutcome.SESSION_UNKNOWN);
    assertThat(get("counter")).as("the retry was not applied a second time").isEqualTo("2");
    assertThat(sessions()).doesNotContain("x@1000");

    // A session opened after the dropped one still opens, and so does an id without a stamp (older clients).
    List<ApplyResult> fresh = apply(write("z@12400", 1, 12_500, limits), write("unstamped", 1, 12_500, limits));
    assertThat(fresh).extracting(ApplyResult::outcome).containsOnly(ApplyOutcome.APPLIED);
    assertThat(get("counter")).isEqualTo("4");
  }

  @Test
  void aRetryOfAFirstWriteAfterItsSessionWasEvictedIsRefusedAsOutcomeUnknownAndNotAppliedAgain() {
    SessionLimits limits = new SessionLimits(HOUR, 1);
    long t = 1_000_000;
    apply(write("x@" + t, 1, t, limits));
    apply(write("y@" + (t + STEP), 1, t + STEP, limits)); // the cap is 1: x is evicted
    assertThat(sessions()).containsExactly("y@" + (t + STEP));

    List<ApplyResult> retry = apply(write("x@" + t, 1, t + STEP + 1, limits));
    assertThat(retry.get(0).outcome()).as("not taken for a new session").isEqualTo(ApplyOutcome.SESSION_UNKNOWN);
    assertThat(get("counter")).as("the retry was not applied a second time").isEqualTo("2");

    List<ApplyResult> fresh = apply(write("z@" + (t + 2 * STEP), 1, t + 2 * STEP, limits));
    assertThat(fresh.get(0).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(get("counter")).isEqualTo("3");
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.get(RedisApplier.SESSIONS_FORGOTTEN_KEY)).as("the newest dropped stamp: y's")
          .isEqualTo(Long.toString(t + STEP));
    }
  }

  @Test
  void entriesLoggedBeforeTheOpeningStampRulesNeitherRecordNorCheckStamps() {
    // What a node without the rules does with them too, so both end with the same data.
    SessionLimits limits = new SessionLimits(10_000, 100, false);
    apply(write("x@1000", 1, 1_000, limits));
    apply(write("y@11900", 1, 12_000, limits)); // x dropped
    List<ApplyResult> retry = apply(write("x@1000", 1, 12_500, limits));
    assertThat(retry.get(0).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.exists(RedisApplier.SESSIONS_FORGOTTEN_KEY)).isFalse();
    }
  }

  @Test
  void aSessionUsedWithinTheGraceIsNotEvictedAndTheNewSessionIsRefusedInstead() {
    SessionLimits limits = new SessionLimits(HOUR, 1);
    apply(write("x", 1, 1_000_000, limits));
    List<ApplyResult> results = apply(write("y", 1, 1_030_000, limits));
    assertThat(results.get(0).outcome()).isEqualTo(ApplyOutcome.SESSIONS_FULL);
    assertThat(sessions()).containsExactly("x");
    assertThat(get("counter")).isEqualTo("1");
  }

  @Test
  void aRetryWithOtherCommandsIsRefusedAndChangesNothing() {
    SessionLimits limits = new SessionLimits(HOUR, 100);
    apply(write("x", 1, 1_000, limits));
    List<ApplyResult> results = apply(
        new ApplyRequest(++index, "x", 1, 2_000, List.of(cmd("SET", "counter", "100")), false, OTHER, limits));
    assertThat(results.get(0).outcome()).isEqualTo(ApplyOutcome.MISMATCHED);
    assertThat(get("counter")).isEqualTo("1");

    // The real retry still gets the first attempt's reply.
    results = apply(write("x", 1, 3_000, limits));
    assertThat(results.get(0).outcome()).isEqualTo(ApplyOutcome.DUPLICATE);
    assertThat(resp(results.get(0))).isEqualTo("*1\r\n:1\r\n");
  }

  @Test
  void withinTheWindowARetryReturnsTheFirstReplyAndAppliesOnce() {
    SessionLimits limits = new SessionLimits(10_000, 2);
    apply(write("x", 1, 1_000, limits), write("x", 2, 2_000, limits));
    List<ApplyResult> results = apply(write("x", 2, 11_999, limits), write("x", 1, 11_999, limits));
    assertThat(results).extracting(ApplyResult::outcome)
        .containsExactly(ApplyOutcome.DUPLICATE, ApplyOutcome.SUPERSEDED);
    assertThat(resp(results.get(0))).isEqualTo("*1\r\n:2\r\n");
    assertThat(get("counter")).isEqualTo("2");
  }

  @Test
  void aSequenceAboveOneWithoutASessionIsRefused() {
    SessionLimits limits = new SessionLimits(HOUR, 100);
    List<ApplyResult> results = apply(write("never-seen", 7, 1_000, limits));
    assertThat(results.get(0).outcome()).isEqualTo(ApplyOutcome.SESSION_UNKNOWN);
    assertThat(get("counter")).isNull();
  }

  @Test
  void inAShardedClusterAStampedClientsFirstWriteToAGroupOpensItsSessionAtAnySequence() {
    // A client's sequence runs over every group: its first write to this group may carry any number.
    SessionLimits sharded = new SessionLimits(10_000, 100, true, true);
    List<ApplyResult> first = apply(write("x@1000", 7, 1_000, sharded));
    assertThat(first.get(0).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(apply(write("x@1000", 7, 1_100, sharded)).get(0).outcome()).as("its retry")
        .isEqualTo(ApplyOutcome.DUPLICATE);
    assertThat(apply(write("x@1000", 9, 1_200, sharded)).get(0).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(get("counter")).isEqualTo("2");

    // Without a stamp there is no telling a first write from a retry of a dropped session's: refused.
    assertThat(apply(write("unstamped", 4, 1_300, sharded)).get(0).outcome()).isEqualTo(ApplyOutcome.SESSION_UNKNOWN);

    // Once x's session is dropped, its stamp is at or below the watermark: a retry is refused, never re-applied.
    apply(write("y@11900", 3, 12_000, sharded)); // x idle for 10 s: dropped
    assertThat(apply(write("x@1000", 9, 12_500, sharded)).get(0).outcome()).isEqualTo(ApplyOutcome.SESSION_UNKNOWN);
    assertThat(apply(write("x@1000", 10, 12_600, sharded)).get(0).outcome()).isEqualTo(ApplyOutcome.SESSION_UNKNOWN);
    assertThat(get("counter")).as("x's two writes and y's").isEqualTo("3");
  }

  @Test
  void entriesWithoutSessionLimitsKeepTheOldRules() {
    // As logged before session limits existed: no fingerprint, no cap, a first sequence above 1 applies.
    List<ApplyResult> results = apply(new ApplyRequest(++index, "old", 5, 1_000, List.of(cmd("INCR", "counter"))),
        write("new", 1, 2_000, new SessionLimits(HOUR, 100)),
        new ApplyRequest(++index, "old", 6, 3_000, List.of(cmd("INCR", "counter"))));
    assertThat(results).extracting(ApplyResult::outcome).containsOnly(ApplyOutcome.APPLIED);
    assertThat(get("counter")).isEqualTo("3");
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hget(RedisApplier.SESSIONS_KEY, "old")).isEqualTo("6:0:*1\r\n:3\r\n");
      assertThat(jedis.zrange(RedisApplier.SESSION_TIMES_KEY, 0, -1)).containsExactly("new");
    }
  }

  @Test
  void sessionsEndTheSameWhateverTheBatchesTheLogIsAppliedIn() {
    SessionLimits limits = new SessionLimits(200_000, 5);
    List<ApplyRequest> log = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      // Stamped ids (older stamps for higher numbers): which first writes open a session depends on
      // the stamps of the sessions dropped before them, which must not depend on the batching either.
      int client = i * 7 % 13;
      log.add(new ApplyRequest(i, "c" + client + "@" + (2_000_000 - client * 100_000L), 1 + i / 13,
          1_000_000 + i * 20_000L,
          List.of(cmd("INCR", "counter")), false, INCR, limits));
    }
    log.add(ApplyRequest.verify(61));
    String together = applier.apply(0, log).get(60).digest();
    Object sessionsTogether = sessions();
    try (Jedis jedis = redis.jedis()) {
      jedis.flushAll();
    }
    // One entry per call, and calls of 7 (session times touched in a call are written at its end, or
    // before the call reads them to expire or evict: the outcome must not depend on the batching).
    for (int perCall : List.of(1, 7)) {
      try (Jedis jedis = redis.jedis()) {
        jedis.flushAll();
      }
      RedisApplier batched = new RedisApplier(redis.endpoint());
      List<ApplyResult> results = new ArrayList<>();
      for (int from = 0; from < log.size(); from += perCall) {
        List<ApplyRequest> part = log.subList(from, Math.min(log.size(), from + perCall));
        results.addAll(batched.apply(part.get(0).index() - 1, part));
      }
      assertThat(results.get(60).digest()).as("digest with %d entries per call", perCall).isEqualTo(together);
      assertThat(sessions()).as("sessions with %d entries per call", perCall).isEqualTo(sessionsTogether);
    }
  }

  private List<ApplyResult> apply(ApplyRequest... requests) {
    long marker = applier.readAppliedMarker();
    return applier.apply(marker, List.of(requests));
  }

  private ApplyRequest write(String client, long sequence, long time, SessionLimits limits) {
    return new ApplyRequest(++index, client, sequence, time, List.of(cmd("INCR", "counter")), false, INCR, limits);
  }

  private ApplyRequest set(String client, long sequence, long time, SessionLimits limits) {
    return new ApplyRequest(++index, client, sequence, time, List.of(cmd("SET", "counter", "0")), false, OTHER,
        limits);
  }

  private static List<String> sessions() {
    try (Jedis jedis = redis.jedis()) {
      return new ArrayList<>(new java.util.TreeSet<>(jedis.hkeys(RedisApplier.SESSIONS_KEY)));
    }
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
