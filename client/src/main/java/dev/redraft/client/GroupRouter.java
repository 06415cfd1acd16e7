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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * This client's copy of a sharded cluster's slot layout (the admin call ClusterSlots): which Raft group
 * owns a key's slot, and the API address of that group's leader, so a request goes straight to the
 * leader instead of through a node that forwards it. Only a hint: every node routes whatever reaches
 * it, so an old layout (after a leader change) costs a hop, never a wrong answer. Asked for when the
 * client starts, again every {@link #REFRESH_EVERY} while the cluster is sharded, and soon after a
 * routed call was answered by another node than the one it was sent to. A cluster of one group, or a
 * server without ClusterSlots, is asked once and nothing is routed.
 */
final class GroupRouter implements AutoCloseable {
  static final Duration REFRESH_EVERY = Duration.ofSeconds(5);
  private static final long MIN_REFRESH_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

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
  private final AtomicBoolean fetching = new AtomicBoolean();
  /** Null: nothing routed (not known yet, one group, or a server that does not tell). */
  private volatile Layout layout;
  /** Set once the cluster turned out to have one group, or not to answer ClusterSlots: never asked again. */
  private volatile boolean settled;
  private volatile long lastFetchNanos;
  private volatile ScheduledFuture<?> periodic;

  GroupRouter(Supplier<CompletableFuture<ClusterSlotsResponse>> fetch, ScheduledExecutorService scheduler) {
    this.fetch = fetch;
    this.scheduler = scheduler;
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
    return new Target(group, current.leaderAddress()[group], current.leaderId()[group]);
  }

  /** A routed call was answered by {@code answeredBy}: if that is not the leader it was sent to, ask again soon. */
  void answered(Target target, String answeredBy) {
    if (!answeredBy.isEmpty() && !answeredBy.equals(target.nodeId())
        && System.nanoTime() - lastFetchNanos > MIN_REFRESH_GAP_NANOS) {
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
    if (settled || !fetching.compareAndSet(false, true)) {
      return;
    }
    lastFetchNanos = System.nanoTime();
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
        // A server from before ClusterSlots: route nothing. Anything else: the next refresh asks again.
        settled = unimplemented(error);
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

  private static boolean unimplemented(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CallFailedException failed) {
        return failed.status().getCode() == Status.Code.UNIMPLEMENTED;
      }
      if (Status.fromThrowable(t).getCode() == Status.Code.UNIMPLEMENTED) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    ScheduledFuture<?> task = periodic;
    if (task != null) {
      task.cancel(false);
    }
  }
}
