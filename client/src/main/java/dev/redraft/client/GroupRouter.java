package dev.redraft.client;

import com.google.protobuf.ByteString;
import dev.redraft.api.KeySlot;
import dev.redraft.api.v1.ClusterSlotsResponse;
import dev.redraft.api.v1.GroupSlots;
import dev.redraft.api.v1.SlotOwner;
import dev.redraft.api.v1.SlotRange;
import io.grpc.Status;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This client's copy of a sharded cluster's slot layout (the admin call ClusterSlots): which Raft group
 * owns a key's slot, and the API address of that group's leader, so a request goes straight to the
 * leader instead of through a node that forwards it. Only a hint: every node routes whatever reaches
 * it, so an old layout (after a leader change) costs a hop, never a wrong answer. Asked for when the
 * client starts and again every {@link #REFRESH_EVERY} while the cluster is sharded; a routed call that
 * had to be answered by another node (the leader it was sent to did not answer, e.g. it died or its
 * address cannot be reached from here) asks again at once, and that address gets no routed call for
 * {@link #AVOID_FOR}. A cluster of one group is asked once and nothing is routed; a server that refuses
 * the call (an older version, or a caller without the right) is asked again after {@link #ASK_AGAIN_AFTER_REFUSAL}.
 */
final class GroupRouter implements AutoCloseable {
  static final Duration REFRESH_EVERY = Duration.ofSeconds(5);
  static final Duration AVOID_FOR = Duration.ofSeconds(30);
  static final Duration ASK_AGAIN_AFTER_REFUSAL = Duration.ofSeconds(60);
  private static final long MIN_REFRESH_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** Answers that say the layout call will not work from this client for now. */
  private static final Set<Status.Code> REFUSALS =
      EnumSet.of(Status.Code.UNIMPLEMENTED, Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED);

  /** Slot -> group, and each group's leader (API address and node id; empty when none is known). */
  record Layout(short[] groupOfSlot, String[] leaderAddress, String[] leaderId) {
    static Layout of(ClusterSlotsResponse response) {
      short[] groupOfSlot = new short[KeySlot.SLOTS];
      Arrays.fill(groupOfSlot, (short) -1);
      int groups = response.getGroupsCount();
      String[] address = new String[groups];
      String[] id = new String[groups];
      for (GroupSlots group : response.getGroupsList()) {
        int g = group.getGroup();
        if (g >= groups) {
          return null; // not a layout this client understands: route nothing
        }
        for (SlotRange range : group.getSlotsList()) {
          for (int slot = range.getFirst(); slot <= range.getLast() && slot < KeySlot.SLOTS; slot++) {
            groupOfSlot[slot] = (short) g;
          }
        }
        SlotOwner leader = group.getMembersList().stream().filter(SlotOwner::getLeader).findFirst()
            .orElse(SlotOwner.getDefaultInstance());
        address[g] = leader.getApiAddress();
        id[g] = leader.getNodeId();
      }
      return new Layout(groupOfSlot, address, id);
    }
  }

  /** Where a request goes: its group's leader, by address and node id. */
  record Target(int group, String address, String nodeId) {}

  private final Supplier<CompletableFuture<ClusterSlotsResponse>> fetch;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier clock;
  private final AtomicBoolean fetching = new AtomicBoolean();
  /** Null: nothing routed (not known yet, one group, or a server that does not tell). */
  private volatile Layout layout;
  /** Set once the cluster turned out to have one group: never asked again. */
  private volatile boolean settled;
  private volatile long lastFetchNanos;
  /** No fetch before this (System.nanoTime) after a refusal. */
  private volatile long refusedUntilNanos;
  /** A leader address a routed call could not reach, and until when (nanos) it gets none; null: none. */
  private volatile Avoided avoided;

  private record Avoided(String address, long untilNanos) {}
  private volatile ScheduledFuture<?> periodic;

  GroupRouter(Supplier<CompletableFuture<ClusterSlotsResponse>> fetch, ScheduledExecutorService scheduler) {
    this(fetch, scheduler, System::nanoTime);
  }

  /** @param clock nanoseconds, as System.nanoTime (a test's own clock) */
  GroupRouter(Supplier<CompletableFuture<ClusterSlotsResponse>> fetch, ScheduledExecutorService scheduler,
      LongSupplier clock) {
    this.fetch = fetch;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  void start() {
    fetchNow();
    try {
      periodic = scheduler.scheduleWithFixedDelay(this::refreshUnlessSettled, REFRESH_EVERY.toMillis(),
          REFRESH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the client is closing
    }
  }

  /**
   * Where a request whose first key is {@code key} goes: its group's leader; null when nothing is
   * routed (one group, no layout yet, no leader known) and the request takes the usual route.
   */
  Target targetOf(ByteString key) {
    Layout current = layout;
    if (current == null || key == null) {
      return null;
    }
    return targetOfGroup(current.groupOfSlot()[KeySlot.of(key.toByteArray())]);
  }

  /** Where group {@code group}'s calls go now: its leader; null when none is known (the usual route). */
  Target targetOfGroup(int group) {
    Layout current = layout;
    if (current == null || group < 0 || group >= current.leaderAddress().length
        || current.leaderAddress()[group].isEmpty()) {
      return null;
    }
    String address = current.leaderAddress()[group];
    Avoided skip = avoided;
    if (skip != null && skip.address().equals(address) && clock.getAsLong() - skip.untilNanos() < 0) {
      return null;
    }
    return new Target(group, address, current.leaderId()[group]);
  }

  /**
   * A routed call was answered by {@code answeredBy}: another node than the leader it was sent to means
   * that leader did not answer; its address gets no routed call for a while, and the layout is asked for.
   */
  void answered(Target target, String answeredBy) {
    if (answeredBy.isEmpty() || answeredBy.equals(target.nodeId())) {
      return;
    }
    avoided = new Avoided(target.address(), clock.getAsLong() + AVOID_FOR.toNanos());
    if (clock.getAsLong() - lastFetchNanos > MIN_REFRESH_GAP_NANOS) {
      fetchNow();
    }
  }

  private void refreshUnlessSettled() {
    if (settled) {
      ScheduledFuture<?> task = periodic;
      if (task != null) {
        task.cancel(false);
      }
      return;
    }
    fetchNow();
  }

  private void fetchNow() {
    if (settled || clock.getAsLong() - refusedUntilNanos < 0 || !fetching.compareAndSet(false, true)) {
      return;
    }
    lastFetchNanos = clock.getAsLong();
    CompletableFuture<ClusterSlotsResponse> answer;
    try {
      answer = fetch.get();
    } catch (RuntimeException closing) {
      fetching.set(false);
      return;
    }
    answer.whenComplete((response, error) -> {
      fetching.set(false);
      if (error != null) {
        // Refused (a server from before ClusterSlots, a caller without the right): route nothing and ask
        // again much later. Anything else (no node answered): the next refresh asks again.
        if (refused(error)) {
          refusedUntilNanos = clock.getAsLong() + ASK_AGAIN_AFTER_REFUSAL.toNanos();
        }
        return;
      }
      if (response.getGroupsCount() <= 1) {
        layout = null;
        settled = true;
        return;
      }
      layout = Layout.of(response);
    });
  }

  private static boolean refused(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CallFailedException failed) {
        return REFUSALS.contains(failed.status().getCode());
      }
    }
    return REFUSALS.contains(Status.fromThrowable(error).getCode());
  }


  @Override
  public void close() {
    ScheduledFuture<?> task = periodic;
    if (task != null) {
      task.cancel(false);
    }
  }
}
