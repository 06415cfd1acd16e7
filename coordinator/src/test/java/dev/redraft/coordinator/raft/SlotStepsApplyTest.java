package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.redraft.api.KeySlot;
import dev.redraft.coordinator.redis.ApplyOutcome;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.ApplyRequest.SessionLimits;
import dev.redraft.coordinator.redis.ApplyResult;
import dev.redraft.coordinator.redis.RedisApplier;
import dev.redraft.coordinator.redis.RedisCommand;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.coordinator.testing.RedisServerExtension;
import dev.redraft.log.v1.LogEntry;
import dev.redraft.log.v1.MovedKey;
import dev.redraft.log.v1.SlotStep;
import dev.redraft.log.v1.WriteEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * A slot move's steps as log entries (EntryTranslator) applied by apply.lua and seen by read.lua, against a
 * real redis-server: the script's slot of a key is Redis Cluster's (KeySlot), a write of a released slot is
 * refused for good (its session keeps the answer), a write of an expected slot waits (session untouched)
 * until the slot is taken, imports land only while expected, late steps of an older move change nothing,
 * a drop never deletes a key of an owned slot, and group 0 records moves and the map.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SlotStepsApplyTest {
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
  void theScriptsSlotOfAKeyIsRedisClusters() {
    Random random = new Random(16);
    List<String> keys = new ArrayList<>(List.of("", "{}", "{}a", "a{}b", "{user1000}.following", "x{a}{b}", "{{a}}",
        "a{b", "b}c{", "ключ", "😀{x}"));
    for (int i = 0; i < 300; i++) {
      StringBuilder key = new StringBuilder();
      for (int c = random.nextInt(12); c > 0; c--) {
        key.append("ab{}c:xyz0é".charAt(random.nextInt(11)));
      }
      keys.add(key.toString());
    }
    Set<Integer> released = new HashSet<>();
    for (int i = 0; i < keys.size(); i += 2) {
      released.add(KeySlot.of(keys.get(i).getBytes(StandardCharsets.UTF_8)));
    }
    apply(step(SlotStep.Phase.RELEASE, 5, released, 1));
    long seq = 0;
    for (String key : keys) {
      ApplyResult result = apply(write("c", ++seq, cmd("SET", key, "v")));
      boolean away = released.contains(KeySlot.of(key.getBytes(StandardCharsets.UTF_8)));
      assertThat(result.outcome()).as("key '%s'", key).isEqualTo(away ? ApplyOutcome.MOVED : ApplyOutcome.APPLIED);
    }
  }

  @Test
  void aWriteOfAReleasedSlotIsRefusedForGoodAndReadsAreSentOn() {
    apply(write("c", 1, cmd("SET", "k", "1")));
    apply(step(SlotStep.Phase.RELEASE, 5, Set.of(slot("k")), 2));

    ApplyResult moved = apply(write("c", 2, cmd("INCR", "k")));
    assertThat(moved.outcome()).isEqualTo(ApplyOutcome.MOVED);
    assertThat(resp(moved)).as("the group it moved to").isEqualTo("2");
    ApplyResult retry = apply(write("c", 2, cmd("INCR", "k")));
    assertThat(retry.outcome()).as("a retry gets the same answer").isEqualTo(ApplyOutcome.MOVED);
    assertThat(resp(retry)).isEqualTo("2");
    assertThat(get("k")).isEqualTo("1");
    assertThat(apply(write("c", 3, cmd("SET", "other", "x"))).outcome()).isEqualTo(ApplyOutcome.APPLIED);

    try (RedisReader reader = new RedisReader(redis.endpoint())) {
      List<byte[]> replies = reader.readAll(List.of(cmd("GET", "k"), cmd("GET", "other")), 0);
      assertThat(new String(replies.get(0), StandardCharsets.UTF_8)).isEqualTo("-REDRAFT-MOVED 2\r\n");
      assertThat(new String(replies.get(1), StandardCharsets.UTF_8)).isEqualTo("$1\r\nx\r\n");
    }
  }

  @Test
  void anExpectedSlotTakesImportsThenWritesOnceTaken() {
    byte[] value = dumpOf("42");
    apply(step(SlotStep.Phase.EXPECT, 7, Set.of(slot("k")), 0));
    ApplyResult waiting = apply(write("c", 1, cmd("INCR", "k")));
    assertThat(waiting.outcome()).isEqualTo(ApplyOutcome.MOVED);
    assertThat(resp(waiting)).as("not owned yet: no group to go to").isEmpty();
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hexists(RedisApplier.SESSIONS_KEY, "c")).as("the session is untouched").isFalse();
    }
    apply(importing(7, "k", value, T + 60_000));
    apply(step(SlotStep.Phase.TAKE, 7, Set.of(slot("k")), 0));

    ApplyResult applied = apply(write("c", 1, cmd("INCR", "k")));
    assertThat(applied.outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(resp(applied)).isEqualTo("*1\r\n:43\r\n");
    apply(importing(7, "k", value, 0));
    assertThat(get("k")).as("an import once the slot is taken changes nothing").isEqualTo("43");
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.zscore("__redraft:deadlines", "k")).as("the imported deadline").isEqualTo(T + 60_000.0);
    }
  }

  @Test
  void lateStepsOfAnOlderMoveChangeNothing() {
    apply(step(SlotStep.Phase.EXPECT, 7, Set.of(slot("k")), 0));
    apply(step(SlotStep.Phase.TAKE, 7, Set.of(slot("k")), 0));
    apply(step(SlotStep.Phase.EXPECT, 7, Set.of(slot("k")), 0));
    apply(step(SlotStep.Phase.RELEASE, 5, Set.of(slot("k")), 1));
    assertThat(apply(write("c", 1, cmd("SET", "k", "v"))).outcome()).isEqualTo(ApplyOutcome.APPLIED);
  }

  @Test
  void aDropDeletesOnlyKeysOfSlotsNotOwnedHere() {
    apply(write("c", 1, cmd("SET", "gone", "1")), write("c", 2, cmd("SET", "kept", "2")));
    apply(step(SlotStep.Phase.RELEASE, 5, Set.of(slot("gone")), 1));
    apply(entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.DROP).setMoveId(5).setTargetGroup(1)
        .addKeys(MovedKey.newBuilder().setKey(ByteString.copyFromUtf8("gone"))).addKeys(MovedKey.newBuilder().setKey(ByteString.copyFromUtf8("kept")))));
    assertThat(get("gone")).isNull();
    assertThat(get("kept")).isEqualTo("2");
  }

  @Test
  void onceASlotStepCameASlotWithoutAStateIsOwnedOnlyIfTheStaticSplitSaysSo() {
    String ofGroup0 = keyWithSlotBelow(8192, "a");
    String ofGroup1 = keyWithSlotAbove(8191, "b");
    String coming = keyWithSlotBelow(8192, "c");
    // This Redis is group 1 of 2, expecting one of group 0's slots: other slots of group 0 are not its own.
    expectOneSlot(1, coming);
    assertMovedTo(apply(write("c", 1, cmd("SET", ofGroup0, "x"))), "0");
    assertThat(apply(write("c", 2, cmd("SET", ofGroup1, "x"))).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(get(ofGroup0)).isNull();
  }

  @Test
  void aGroupAddedAfterTheSplitOwnsOnlyTheSlotsItTook() {
    String ofGroup0 = keyWithSlotBelow(8192, "a");
    String ofGroup1 = keyWithSlotAbove(8191, "b");
    String coming = keyWithSlotBelow(8192, "c");
    // This Redis is group 2, added to a cluster whose slots are split over groups 0 and 1.
    expectOneSlot(2, coming);
    assertMovedTo(apply(write("c", 1, cmd("SET", ofGroup0, "x"))), "0");
    assertMovedTo(apply(write("d", 1, cmd("SET", ofGroup1, "x"))), "1");
    apply(step(SlotStep.Phase.TAKE, 7, Set.of(slot(coming)), 2));
    assertThat(apply(write("e", 1, cmd("SET", coming, "x"))).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    assertThat(get(ofGroup0)).isNull();
    assertThat(get(ofGroup1)).isNull();
  }

  @Test
  void theFirstMoveRecordsTheSplitAndLaterMovesCheckOwnershipByIt() {
    apply(entry(begin(Set.of(1), 0, 2)));
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.get("__redraft:slot-split")).isEqualTo("2");
    }
    // A driver that thinks the split is over 3 groups: group 1 would own slot 6000, but by the recorded split
    // of 2 it is group 0's.
    assertThat(resp(apply(entry(begin(Set.of(6000), 1, 2).setGroups(3))))).isEqualTo("*1\r\n+not-owner\r\n");
    assertThat(resp(apply(entry(begin(Set.of(6000), 0, 2).setGroups(3))))).isEqualTo("*1\r\n+" + index + "\r\n");
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.get("__redraft:slot-split")).isEqualTo("2");
      assertThat(jedis.hget("__redraft:slot-moves", Long.toString(index))).as("the move keeps the split it was checked by")
          .startsWith("0 2 2 ");
    }
  }

  @Test
  void sessionsComeWithTheSlotsWhereNewerAndOnlyWhileExpected() {
    apply(write("a", 1, cmd("SET", "x", "1")), write("a", 2, cmd("SET", "x", "2")), write("b", 1, cmd("SET", "y", "1")));
    for (int seq = 2; seq <= 9; seq++) {
      apply(write("b", seq, cmd("INCR", "y")));
    }
    apply(step(SlotStep.Phase.EXPECT, 7, Set.of(100), 0));
    apply(entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.IMPORT_SESSIONS).setMoveId(7).addSlots(100)
        .addKeys(session("a", "5:0:ab12:*1\r\n:42\r\n", T + 5))  // newer than this group's 2
        .addKeys(session("b", "4:0:ab12:*1\r\n:1\r\n", T + 5))   // older than this group's 9
        .addKeys(session("m", "3:m:ab12:2", T + 5))                 // a refusal as moved: not copied
        .addKeys(MovedKey.newBuilder().setValue(ByteString.copyFromUtf8("1700000000123")))));
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hget(RedisApplier.SESSIONS_KEY, "a")).startsWith("5:0:ab12:");
      assertThat(jedis.hget(RedisApplier.SESSIONS_KEY, "b")).startsWith("9:");
      assertThat(jedis.hexists(RedisApplier.SESSIONS_KEY, "m")).isFalse();
      assertThat(jedis.get(RedisApplier.SESSIONS_FORGOTTEN_KEY)).isEqualTo("1700000000123");
    }
    ApplyResult retry = apply(new ApplyRequest(++index, "a", 5, T, List.of(cmd("INCR", "x")), false, "ab12", LIMITS));
    assertThat(retry.outcome()).as("a retry of a write the source applied").isEqualTo(ApplyOutcome.DUPLICATE);
    assertThat(resp(retry)).isEqualTo("*1\r\n:42\r\n");

    apply(step(SlotStep.Phase.TAKE, 7, Set.of(100), 0));
    apply(entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.IMPORT_SESSIONS).setMoveId(7).addSlots(100)
        .addKeys(session("a", "8:0:ab12:*1\r\n:1\r\n", T + 6))));
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hget(RedisApplier.SESSIONS_KEY, "a")).as("once taken, nothing more is imported").startsWith("5:");
    }
  }

  @Test
  void anImportedSessionsLastUseIsTheSameWhetherEntriesShareAScriptCallOrNot() {
    // How many entries share one call of the apply script differs between replicas: the outcome must not.
    Double[] lastUse = new Double[2];
    for (int together = 0; together < 2; together++) {
      redis.flushAll();
      index = 0;
      apply(step(SlotStep.Phase.EXPECT, 7, Set.of(100), 0));
      ApplyRequest write = write("c", 1, cmd("SET", "x", "1"));
      ApplyRequest imported = entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.IMPORT_SESSIONS).setMoveId(7)
          .addSlots(100).addKeys(session("c", "2:0:ab12:*1\r\n:7\r\n", T + 5)));
      if (together == 1) {
        apply(write, imported);
      } else {
        apply(write);
        apply(imported);
      }
      try (Jedis jedis = redis.jedis()) {
        assertThat(jedis.hget(RedisApplier.SESSIONS_KEY, "c")).startsWith("2:");
        lastUse[together] = jedis.zscore("__redraft:session-times", "c");
      }
    }
    assertThat(lastUse[1]).as("in one call").isEqualTo(lastUse[0]).isEqualTo((double) (T + 5));
  }

  @Test
  void aDropOfAnotherMoveDeletesNothing() {
    apply(write("c", 1, cmd("SET", "k", "1")));
    apply(step(SlotStep.Phase.RELEASE, 9, Set.of(slot("k")), 1));
    apply(entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.DROP).setMoveId(5).setTargetGroup(1)
        .addKeys(MovedKey.newBuilder().setKey(ByteString.copyFromUtf8("k")))));
    apply(entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.DROP).setMoveId(9).setTargetGroup(2)
        .addKeys(MovedKey.newBuilder().setKey(ByteString.copyFromUtf8("k")))));
    assertThat(get("k")).as("a late drop of an older move, or one to another group").isEqualTo("1");
  }

  /** Move 7 expects {@code key}'s slot from group 0 into this Redis, group {@code group} of a split over 2. */
  private void expectOneSlot(int group, String key) {
    apply(entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.EXPECT).setMoveId(7).setSourceGroup(0)
        .setTargetGroup(group).setGroups(2).addSlots(slot(key))));
  }

  /** Refused as not owned here, naming the group that owns the key's slot (the static split's). */
  private static void assertMovedTo(ApplyResult result, String owner) {
    assertThat(result.outcome()).isEqualTo(ApplyOutcome.MOVED);
    assertThat(resp(result)).as("the owner by the static split").isEqualTo(owner);
  }

  private static MovedKey session(String client, String record, long lastUse) {
    return MovedKey.newBuilder().setKey(ByteString.copyFromUtf8(client)).setValue(ByteString.copyFromUtf8(record))
        .setDeadlineMs(lastUse).build();
  }

  private static String keyWithSlotBelow(int bound, String prefix) {
    for (int i = 0; ; i++) {
      if (slot(prefix + i) < bound) {
        return prefix + i;
      }
    }
  }

  private static String keyWithSlotAbove(int bound, String prefix) {
    for (int i = 0; ; i++) {
      if (slot(prefix + i) > bound) {
        return prefix + i;
      }
    }
  }

  @Test
  void groupZeroRecordsMovesAndTheMap() {
    ApplyResult begun = apply(entry(begin(Set.of(1, 2), 0, 1)));
    assertThat(resp(begun)).as("the move's id is its index").isEqualTo("*1\r\n+" + index + "\r\n");
    long move = index;
    assertThat(resp(apply(entry(begin(Set.of(2, 3), 0, 1))))).as("a slot in a move").isEqualTo("*1\r\n+busy\r\n");
    assertThat(resp(apply(entry(begin(Set.of(9000), 0, 1))))).as("not the source's").isEqualTo("*1\r\n+not-owner\r\n");
    apply(entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.FINISH_MOVE).setMoveId(move).setSourceGroup(0)
        .setTargetGroup(1).addAllSlots(List.of(1, 2))));
    try (Jedis jedis = redis.jedis()) {
      assertThat(jedis.hgetAll("__redraft:slot-map")).containsEntry("1", "1").containsEntry("2", "1").hasSize(2);
      assertThat(jedis.get("__redraft:slot-map-version")).isEqualTo("1");
      assertThat(jedis.exists("__redraft:slot-moves")).isFalse();
    }
    assertThat(resp(apply(entry(begin(Set.of(1), 0, 1))))).isEqualTo("*1\r\n+not-owner\r\n");
    assertThat(resp(apply(entry(begin(Set.of(1, 3), 0, 1))))).isEqualTo("*1\r\n+not-owner\r\n");
    assertThat(resp(apply(entry(begin(Set.of(1), 1, 0))))).isEqualTo("*1\r\n+" + index + "\r\n");
  }

  private static SlotStep.Builder begin(Set<Integer> slots, int source, int target) {
    return SlotStep.newBuilder().setPhase(SlotStep.Phase.BEGIN_MOVE).setSourceGroup(source).setTargetGroup(target)
        .setGroups(2).addAllSlots(slots);
  }

  private ApplyRequest step(SlotStep.Phase phase, long move, Set<Integer> slots, int target) {
    return entry(SlotStep.newBuilder().setPhase(phase).setMoveId(move).setTargetGroup(target).addAllSlots(slots));
  }

  private ApplyRequest importing(long move, String key, byte[] value, long deadline) {
    return entry(SlotStep.newBuilder().setPhase(SlotStep.Phase.IMPORT).setMoveId(move).addKeys(MovedKey.newBuilder()
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFrom(value)).setDeadlineMs(deadline)));
  }

  private ApplyRequest entry(SlotStep.Builder step) {
    LogEntry entry = LogEntry.newBuilder().setVersion(EntryTranslator.SLOT_ENTRY_VERSION)
        .setWrite(WriteEntry.newBuilder().setLogicalTimeMs(T).setSlotStep(step)).build();
    return EntryTranslator.toApplyRequests(++index, entry).get(0);
  }

  private static byte[] dumpOf(String value) {
    try (Jedis jedis = redis.jedis()) {
      jedis.set("scratch", value);
      byte[] dump = jedis.dump("scratch");
      jedis.del("scratch");
      return dump;
    }
  }

  private static int slot(String key) {
    return KeySlot.of(key.getBytes(StandardCharsets.UTF_8));
  }

  private ApplyResult apply(ApplyRequest... requests) {
    List<ApplyResult> results = applier.apply(applier.readAppliedMarker(), List.of(requests));
    return results.get(results.size() - 1);
  }

  private ApplyRequest write(String client, long sequence, RedisCommand... commands) {
    return new ApplyRequest(++index, client, sequence, T, List.of(commands), false, "", LIMITS);
  }

  private static RedisCommand cmd(String... argv) {
    List<byte[]> args = new ArrayList<>();
    for (String a : argv) {
      args.add(bytes(a));
    }
    return new RedisCommand(args, new int[] {1});
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
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
