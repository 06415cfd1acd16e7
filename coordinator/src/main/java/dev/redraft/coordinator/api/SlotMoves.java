package dev.redraft.coordinator.api;

import com.google.protobuf.ByteString;
import dev.redraft.api.KeySlot;
import dev.redraft.coordinator.errors.Causes;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.logging.LogThrottle;
import dev.redraft.coordinator.node.SlotSplitFile;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.coordinator.redis.RedisReader.KeyDump;
import dev.redraft.coordinator.redis.RedisReader.SlotMove;
import dev.redraft.coordinator.shard.SlotMap;
import dev.redraft.log.v1.MovedKey;
import dev.redraft.log.v1.SlotStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves slots between groups online (docs/design/sharding.md, "Online slot moves"). {@link #begin} records a
 * move in group 0's log; the leader of group 0 then drives every move recorded there, each step a log entry
 * of the group it concerns: EXPECT (target: the slots are coming; their writes wait), RELEASE (source: its
 * writes and reads of the slots are sent to the target from here, its keys of them frozen), a wait until
 * no transaction across groups holds a key of them, IMPORT (the source's keys, read from this node's
 * replica of the source once it applied the release, logged in the target), TAKE (target: owned there),
 * DROP (source: its copies deleted), FINISH (group 0: the map names the target). Every step is idempotent
 * and fenced by the move's id in the groups' logs, so a new leader of group 0 simply runs a move again from
 * its first step; a key is never writable in two groups, and between RELEASE and TAKE in none.
 */
final class SlotMoves implements AutoCloseable {
  private static final long PERIOD_MS = 500;
  /**
   * A step's entry, committed and applied on this node, within this bound, or the move is run again from
   * its first step (idempotent) in a later round: a step sent to a group whose leader was just cut off
   * waits for this bound, then finds the new leader (one entry commits in milliseconds otherwise).
   */
  static final long STEP_TIMEOUT_MS = 4_000;
  /** How long a move waits for transactions holding its keys (they finish or are recovered within seconds). */
  private static final long LOCK_WAIT_MS = 10_000;
  /** Keys and bytes per IMPORT or DROP entry. */
  private static final int BATCH_KEYS = 256;
  private static final long BATCH_BYTES = 512 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(SlotMoves.class);

  private final String nodeId;
  private final List<RaftNode> groups;
  private final IntFunction<WriteHandler> groupWrites;
  private final SlotMapWatch map;
  private final ScheduledExecutorService timer;
  /** Runs the waits of MoveSlots calls (short Redis reads), apart from the moves themselves. */
  private final java.util.concurrent.ExecutorService polls;
  private final LogThrottle failures = new LogThrottle(10, TimeUnit.SECONDS);
  /** Per move that failed a round: how many rounds in a row, and the round before which it is not run again. */
  private final java.util.Map<Long, long[]> backoff = new java.util.HashMap<>();
  private long rounds;
  /** Group 0's log names the split (seen or recorded by this node). */
  private boolean splitRecorded;

  SlotMoves(String nodeId, List<RaftNode> groups, IntFunction<WriteHandler> groupWrites, SlotMapWatch map) {
    this.nodeId = nodeId;
    this.groups = List.copyOf(groups);
    this.groupWrites = groupWrites;
    this.map = map;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "redraft-slot-moves-" + nodeId);
      t.setDaemon(true);
      return t;
    });
    this.polls = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "redraft-slot-move-waits-" + nodeId);
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    if (groups.size() > 1) {
      timer.scheduleWithFixedDelay(this::round, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** A move recorded in group 0: its id, and what it moves where. */
  record Begun(long moveId, int source, int target, int slotCount) {}

  /**
   * Records the move of {@code slots} to {@code target} in group 0's log, after checking it against this
   * node's map (group 0's apply checks it again against the log's: every slot owned by one source, none
   * in another move). The same move asked again while it runs is found and answered, not refused.
   */
  CompletableFuture<Begun> begin(Collection<Integer> slots, int target) {
    if (groups.size() == 1) {
      throw new InvalidRequestException("this cluster has one Raft group, which owns every slot: there is no group to"
          + " move slots to (add groups first: cluster.sh add-group, or start a cluster with cluster.sh start --groups G)");
    }
    if (target < 0 || target >= groups.size()) {
      throw new InvalidRequestException("group " + target + " does not exist: this cluster has groups 0.."
          + (groups.size() - 1));
    }
    if (slots.isEmpty()) {
      throw new InvalidRequestException("name at least one slot to move (0.." + (KeySlot.SLOTS - 1) + ")");
    }
    SlotMap now = map.refresh();
    if (!now.splitKnown()) {
      throw new UnavailableException("this node has not read from group 0's log yet how the key slots are split (it"
          + " joined the cluster): ask another node, or this one again once it caught up");
    }
    List<Integer> sorted = slots.stream().distinct().sorted().toList();
    for (int slot : sorted) {
      if (slot < 0 || slot >= KeySlot.SLOTS) {
        throw new InvalidRequestException("slot " + slot + " is not in 0.." + (KeySlot.SLOTS - 1));
      }
    }
    int source = now.groupOf(sorted.get(0));
    for (int slot : sorted) {
      if (now.groupOf(slot) != source) {
        throw new InvalidRequestException("slots " + sorted.get(0) + " and " + slot + " belong to groups " + source
            + " and " + now.groupOf(slot) + ": a move takes slots of one group; move them in one call per group");
      }
    }
    if (source == target) {
      // Moved already (by this request's first attempt, or another): asking again answers it.
      return CompletableFuture.completedFuture(new Begun(0, target, target, sorted.size()));
    }
    for (SlotMove running : groupZeroRedis().slotMoves()) {
      if (running.target() == target && running.source() == source && running.slots().equals(sorted)) {
        return CompletableFuture.completedFuture(new Begun(running.id(), source, target, sorted.size()));
      }
    }
    SlotStep begin = SlotStep.newBuilder().setPhase(SlotStep.Phase.BEGIN_MOVE).setSourceGroup(source)
        .setTargetGroup(target).setGroups(now.splitGroups()).addAllSlots(sorted).build();
    return groupWrites.apply(0).step(begin).thenApply(reply -> switch (reply) {
      case "busy" -> throw new RefusedException("a slot of " + describe(sorted) + " is in another move still running;"
          + " wait for it to finish (redraft cluster slots shows the map), then move again");
      case "not-owner" -> throw new RefusedException("group " + source + " no longer owns every slot of "
          + describe(sorted) + " (the map changed meanwhile): look at redraft cluster slots and move again");
      default -> new Begun(Long.parseLong(reply), source, target, sorted.size());
    });
  }

  /** Slots as ranges ("0-99,200"), for messages. */
  static String describe(List<Integer> sorted) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < sorted.size(); i++) {
      int first = sorted.get(i);
      while (i + 1 < sorted.size() && sorted.get(i + 1) == sorted.get(i) + 1) {
        i++;
      }
      out.append(out.length() == 0 ? "" : ",").append(first == sorted.get(i) ? first : first + "-" + sorted.get(i));
    }
    return out.toString();
  }

  /** Waits (polling this node's map) until it names {@code target} for every slot, or the time is up. */
  CompletableFuture<SlotMap> finished(Collection<Integer> slots, int target, Duration within) {
    java.util.concurrent.Executor later = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS, polls);
    CompletableFuture<SlotMap> done = new CompletableFuture<>();
    long giveUpAt = System.nanoTime() + within.toNanos();
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      try {
        SlotMap now = map.refresh();
        if (slots.stream().allMatch(slot -> now.groupOf(slot) == target)) {
          done.complete(now);
        } else if (System.nanoTime() > giveUpAt) {
          done.completeExceptionally(new UnavailableException("the move of slots " + describe(slots.stream().sorted()
              .toList()) + " to group " + target + " has not finished yet (it goes on by itself, led by group 0's"
              + " leader); watch redraft cluster slots, or ask again with the same slots and target to wait more"));
        } else {
          later.execute(check[0]);
        }
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    };
    check[0].run();
    return done;
  }

  /**
   * Runs every recorded move, oldest first, while this node leads group 0. Moves never share a slot (BEGIN
   * refuses that), so one that fails does not hold up the others; it is run again after a pause that
   * doubles with each failure in a row (up to 64 rounds, about half a minute).
   */
  void round() {
    rounds++;
    if (!leadsGroupZero()) {
      backoff.clear();
      return;
    }
    List<SlotMove> moves;
    try {
      moves = groupZeroRedis().slotMoves();
    } catch (RuntimeException e) {
      logFailure("group 0's Redis did not list the slot moves: " + e.getMessage());
      return;
    }
    recordSplitIfMissing();
    backoff.keySet().retainAll(moves.stream().map(SlotMove::id).toList());
    for (SlotMove move : moves) {
      long[] failed = backoff.get(move.id());
      if (failed != null && rounds < failed[1]) {
        continue;
      }
      try {
        run(move);
        backoff.remove(move.id());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | ExecutionException | TimeoutException e) {
        long inARow = failed == null ? 1 : failed[0] + 1;
        backoff.put(move.id(), new long[] {inARow, rounds + Math.min(64, 1L << Math.min(inARow - 1, 6))});
        logFailure("slot move " + move.id() + " (" + move.slots().size() + " slots, group " + move.source()
            + " to group " + move.target() + ") stopped at a step (" + Causes.unwrap(e).getMessage()
            + "); it goes on from its first step later (failure " + inARow + " in a row)");
      }
    }
  }

  /**
   * Group 0's log names the groups the static split is over, for nodes that join later (they learn it
   * there, and route no key before): recorded by the first leader of group 0 that knows it. Idempotent: the
   * first record stays. An older node refuses the entry (format 12) and stops applying group 0 until it is
   * upgraded: upgrade every node of a sharded cluster.
   */
  private void recordSplitIfMissing() {
    int split = map.split();
    if (split == SlotSplitFile.UNKNOWN || splitRecorded) {
      return;
    }
    try {
      if (groupZeroRedis().slotMapHead().splitGroups() == SlotSplitFile.UNKNOWN) {
        groupWrites.apply(0).step(SlotStep.newBuilder().setPhase(SlotStep.Phase.RECORD_SPLIT).setGroups(split).build())
            .get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      }
      splitRecorded = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | ExecutionException | TimeoutException e) {
      logFailure("could not record the slot split in group 0's log (" + Causes.unwrap(e).getMessage()
          + "); trying again");
    }
  }

  private boolean leadsGroupZero() {
    RaftNode.Brief brief = groups.get(0).brief();
    return brief.nodeId().equals(brief.leaderId());
  }

  private void run(SlotMove move) throws InterruptedException, ExecutionException, TimeoutException {
    long started = System.nanoTime();
    step(move.target(), move, SlotStep.Phase.EXPECT, List.of());
    step(move.source(), move, SlotStep.Phase.RELEASE, List.of());
    BitSet slots = new BitSet(KeySlot.SLOTS);
    move.slots().forEach(slots::set);
    RaftNode sourceReplica = groups.get(move.source());
    long released = sourceReplica.stateMachine().appliedIndex();
    RedisReader source = sourceReplica.stateMachine().reads().redis();
    awaitUnlocked(source, slots, move);
    // This node's replica of the source applied the release (a step completes once applied here) and no
    // transaction across groups holds a key of the slots: their keys here are final, and so are the sessions
    // of the writes that touched them. Unless this Redis is not the one that applied them (restarted empty,
    // reloaded by a repair): the copy is read between two looks at its identity and applied-index marker.
    RedisReader.Incarnation before = source.incarnation();
    if (before.appliedMarker() < released) {
      throw new UnavailableException("this node's Redis of group " + move.source() + " holds applied index "
          + before.appliedMarker() + ", below the release at " + released + " (it is being rebuilt)");
    }
    copySessions(move, source);
    List<ByteString> copied = new ArrayList<>();
    List<MovedKey> batch = new ArrayList<>();
    long[] batchBytes = {0};
    Exception[] failed = {null};
    source.dumpKeysOfSlots(slots, BATCH_KEYS, dumps -> {
      for (KeyDump dump : dumps) {
        if (failed[0] != null) {
          return;
        }
        MovedKey key = MovedKey.newBuilder().setKey(ByteString.copyFrom(dump.key()))
            .setValue(ByteString.copyFrom(dump.value())).setDeadlineMs(dump.deadlineMs()).build();
        batch.add(key);
        copied.add(key.getKey());
        batchBytes[0] += dump.key().length + dump.value().length;
        if (batch.size() >= BATCH_KEYS || batchBytes[0] >= BATCH_BYTES) {
          failed[0] = importBatch(move, batch, batchBytes);
        }
      }
    });
    if (failed[0] == null && !batch.isEmpty()) {
      failed[0] = importBatch(move, batch, batchBytes);
    }
    if (failed[0] != null) {
      throw new ExecutionException(failed[0]);
    }
    if (!source.incarnation().runId().equals(before.runId())) {
      throw new UnavailableException("this node's Redis of group " + move.source() + " restarted during the copy");
    }
    step(move.target(), move, SlotStep.Phase.TAKE, List.of());
    for (int from = 0; from < copied.size(); from += BATCH_KEYS) {
      List<MovedKey> drop = copied.subList(from, Math.min(copied.size(), from + BATCH_KEYS)).stream()
          .map(key -> MovedKey.newBuilder().setKey(key).build()).toList();
      step(move.source(), move, SlotStep.Phase.DROP, drop);
    }
    step(0, move, SlotStep.Phase.FINISH_MOVE, List.of());
    LOG.info("node {}: slot move {} finished: {} slots ({}) from group {} to group {}, {} keys copied, in {} ms",
        nodeId, move.id(), move.slots().size(), describe(move.slots()), move.source(), move.target(), copied.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /**
   * The source's client sessions (and its dropped-sessions watermark) into the target, before it takes the
   * slots: a client's retry of a write the source applied then finds its answer in the target.
   */
  private void copySessions(SlotMove move, RedisReader source)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<List<MovedKey>> batches = new ArrayList<>();
    batches.add(new ArrayList<>(List.of(MovedKey.newBuilder()
        .setValue(ByteString.copyFromUtf8(Long.toString(source.sessionsForgotten()))).build())));
    source.dumpSessions(BATCH_KEYS, sessions -> batches.add(sessions.stream()
        .map(s -> MovedKey.newBuilder().setKey(ByteString.copyFrom(s.clientId())).setValue(ByteString.copyFrom(s.record()))
            .setDeadlineMs(s.lastUseMs()).build())
        .toList()));
    for (List<MovedKey> batch : batches) {
      step(move.target(), move, SlotStep.Phase.IMPORT_SESSIONS, batch);
    }
  }

  private Exception importBatch(SlotMove move, List<MovedKey> batch, long[] batchBytes) {
    try {
      step(move.target(), move, SlotStep.Phase.IMPORT, batch);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return e;
    } finally {
      batch.clear();
      batchBytes[0] = 0;
    }
  }

  private void awaitUnlocked(RedisReader source, BitSet slots, SlotMove move) throws InterruptedException {
    long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCK_WAIT_MS);
    while (source.lockedKeys().stream().anyMatch(key -> slots.get(KeySlot.of(key)))) {
      if (System.nanoTime() > giveUpAt) {
        throw new UnavailableException("transactions across groups still hold keys of its slots after "
            + LOCK_WAIT_MS + " ms");
      }
      Thread.sleep(50);
    }
  }

  private void step(int group, SlotMove move, SlotStep.Phase phase, List<MovedKey> keys)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (!leadsGroupZero()) {
      // A deposed driver stops: group 0's new leader runs the move (late steps of this one change nothing).
      throw new UnavailableException("this node no longer leads group 0");
    }
    SlotStep.Builder step = SlotStep.newBuilder().setPhase(phase).setMoveId(move.id()).setSourceGroup(move.source())
        .setTargetGroup(move.target()).setGroups(move.splitGroups()).addAllKeys(keys);
    if (phase == SlotStep.Phase.IMPORT_SESSIONS) {
      step.addSlots(move.slots().get(0)); // the fence: imported only while the move's slots are expected
    } else if (phase != SlotStep.Phase.IMPORT && phase != SlotStep.Phase.DROP) {
      step.addAllSlots(move.slots());
    }
    groupWrites.apply(group).step(step.build()).get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private RedisReader groupZeroRedis() {
    return groups.get(0).stateMachine().reads().redis();
  }

  private void logFailure(String what) {
    long skipped = failures.admit();
    if (skipped != LogThrottle.NOT_NOW) {
      LOG.warn("node {}: {} ({} more such lines skipped)", nodeId, what, skipped);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    polls.shutdownNow();
  }
}
