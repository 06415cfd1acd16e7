package dev.redraft.coordinator.api;

import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.ReplyArray;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.errors.Causes;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.SlotMovedException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.errors.TransactionAbortedException;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Writes and reads as every front door serves them (the gRPC KV service and the RESP port): each
 * goes to the Raft group that owns its keys ({@link SlotRouter}), a write is refused while this
 * node's replica of that group is not ready, and every operation's latency and outcome is recorded.
 */
public final class KvOperations {
  /** One group's write and read paths on this node, and its replica's health. */
  record Group(WriteHandler writes, ReadHandler reads, NodeHealth health) {}

  /** How long a request waits for a slot on its way to another group (the copy of its keys) at most. */
  static final long MOVE_WAIT_MS = 10_000;

  private final List<Group> groups;
  private final SlotRouter router;
  private final RedraftMetrics metrics;
  private final CrossGroupWrites crossGroup;

  KvOperations(List<Group> groups, SlotRouter router, RedraftMetrics metrics) {
    this.groups = List.copyOf(groups);
    this.router = router;
    this.metrics = metrics;
    this.crossGroup = new CrossGroupWrites(group -> this.groups.get(group).writes());
  }

  /** One future per write, in order: its response (no header), or why it failed. */
  public List<CompletableFuture<WriteResponse.Builder>> writeAll(List<WriteRequest> requests) {
    long start = System.nanoTime();
    List<CompletableFuture<WriteResponse.Builder>> responses = routed(requests, router::groupOf, (group, batch) -> {
      RuntimeException notReady = notReady(group.health());
      return notReady == null ? group.writes().writeAll(batch) : failedAll(batch.size(), notReady);
    }, this::writeAcrossGroups);
    followMoves(requests, responses, (group, batch) -> {
      RuntimeException notReady = notReady(groups.get(group).health());
      return notReady == null ? groups.get(group).writes().writeAll(batch) : failedAll(batch.size(), notReady);
    });
    // Callers are handed the futures that complete once the metric is recorded: one who saw the answer sees it.
    return responses.stream()
        .map(r -> r.whenComplete((v, error) -> record(RedraftMetrics.Op.WRITE, start, error)))
        .toList();
  }

  /** One future per read, in order: its response (no header), or why it failed. */
  public List<CompletableFuture<ReadResponse.Builder>> readAll(List<ReadRequest> requests) {
    long start = System.nanoTime();
    List<CompletableFuture<ReadResponse.Builder>> responses =
        routed(requests, router::groupOf, (group, batch) -> group.reads().readAll(batch), this::watchAcrossGroups);
    followMoves(requests, responses, (group, batch) -> groups.get(group).reads().readAll(batch));
    List<CompletableFuture<ReadResponse.Builder>> recorded = new ArrayList<>(responses.size());
    for (int i = 0; i < responses.size(); i++) {
      RedraftMetrics.Op op = requests.get(i).getConsistency() == ReadConsistency.STALE
          ? RedraftMetrics.Op.READ_STALE : RedraftMetrics.Op.READ;
      recorded.add(responses.get(i).whenComplete((v, error) -> record(op, start, error)));
    }
    return recorded;
  }

  /**
   * The group {@code request} (its commands and watches; session not needed) goes to, or 0 if it cannot
   * be routed (it then fails on its own when written): for front doors that keep a session per group.
   */
  public int groupOrZero(WriteRequest.Builder request) {
    if (groups.size() == 1) {
      return 0;
    }
    try {
      return Math.max(0, router.groupOf(request.buildPartial())); // across groups: the session of group 0
    } catch (RuntimeException unroutable) {
      return 0;
    }
  }

  /**
   * A WATCH of keys in several groups (before a batch across groups): each group's keys read there, the
   * digests put back in the keys' order. Read at different moments per group, which is enough: the
   * batch's PREPARE in each group compares them under its locks.
   */
  private CompletableFuture<ReadResponse.Builder> watchAcrossGroups(ReadRequest request) {
    Command watch = request.getCommand();
    Map<Integer, List<Integer>> keysOfGroup = new TreeMap<>();
    for (int i = 0; i < watch.getArgsCount(); i++) {
      keysOfGroup.computeIfAbsent(router.groupOfKey(watch.getArgs(i).toByteArray()), g -> new ArrayList<>()).add(i);
    }
    List<ReadRequest> parts = new ArrayList<>();
    for (List<Integer> keys : keysOfGroup.values()) {
      Command.Builder part = Command.newBuilder().setName(watch.getName());
      keys.forEach(i -> part.addArgs(watch.getArgs(i)));
      parts.add(request.toBuilder().setCommand(part).build());
    }
    List<CompletableFuture<ReadResponse.Builder>> read =
        routed(parts, router::groupOf, (group, batch) -> group.reads().readAll(batch), null);
    return CompletableFuture.allOf(read.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Reply[] digests = new Reply[watch.getArgsCount()];
      int part = 0;
      for (List<Integer> keys : keysOfGroup.values()) {
        ReplyArray items = read.get(part++).join().getReply().getArray();
        for (int k = 0; k < keys.size(); k++) {
          digests[keys.get(k)] = items.getItems(k);
        }
      }
      return ReadResponse.newBuilder()
          .setReply(Reply.newBuilder().setArray(ReplyArray.newBuilder().addAllItems(List.of(digests))));
    });
  }

  /** A batch across groups: two-phase commit, once every group it writes is ready here. */
  private CompletableFuture<WriteResponse.Builder> writeAcrossGroups(WriteRequest request) {
    if (SessionStamp.openedAt(request.getClientId()) < 0) {
      // The transaction's id is its (client id, sequence): an id without a stamp may start again at
      // sequence 1 once its sessions are gone, and meet its own old transaction's records.
      return CompletableFuture.failedFuture(new InvalidRequestException("a batch across Raft groups needs a client"
          + " id with an opening stamp (\"name@<ms since the epoch>\", as the Java client and the RESP port make):"
          + " client " + request.getClientId() + " has none"));
    }
    SlotRouter.TxPlan plan = router.planOf(request);
    for (int group : plan.groups()) {
      RuntimeException notReady = notReady(groups.get(group).health());
      if (notReady != null) {
        return CompletableFuture.failedFuture(notReady);
      }
    }
    return crossGroup.write(request, plan);
  }

  private interface GroupCall<Q, R> {
    List<CompletableFuture<R>> call(Group group, List<Q> requests);
  }

  /**
   * Hands each group its requests together (they share log entries there) and returns the futures in
   * the requests' order; a request that cannot be routed fails alone, one across groups goes to
   * {@code severalGroups}.
   */
  private <Q, R> List<CompletableFuture<R>> routed(List<Q> requests, Function<Q, Integer> route,
      GroupCall<Q, R> call, Function<Q, CompletableFuture<R>> severalGroups) {
    if (groups.size() == 1) {
      return call.call(groups.get(0), requests);
    }
    List<CompletableFuture<R>> out = new ArrayList<>(requests.size());
    List<List<Integer>> positions = new ArrayList<>(groups.size());
    List<List<Q>> batches = new ArrayList<>(groups.size());
    for (int g = 0; g < groups.size(); g++) {
      positions.add(new ArrayList<>());
      batches.add(new ArrayList<>());
    }
    for (int i = 0; i < requests.size(); i++) {
      out.add(null);
      try {
        int group = route.apply(requests.get(i));
        if (group == SlotRouter.SEVERAL_GROUPS) {
          out.set(i, severalGroups.apply(requests.get(i)));
          continue;
        }
        positions.get(group).add(i);
        batches.get(group).add(requests.get(i));
      } catch (RuntimeException refused) {
        out.set(i, CompletableFuture.failedFuture(refused));
      }
    }
    for (int g = 0; g < groups.size(); g++) {
      if (!batches.get(g).isEmpty()) {
        List<CompletableFuture<R>> results = call.call(groups.get(g), batches.get(g));
        for (int j = 0; j < results.size(); j++) {
          out.set(positions.get(g).get(j), results.get(j));
        }
      }
    }
    return out;
  }

  /**
   * Requests refused because a key's slot is not their group's (a slot move: {@link SlotMovedException}) are
   * sent on to the group the slot moved to at once, or, while the slot is on its way to the group that
   * refused them, to that group again after a pause, until it takes them or {@link #MOVE_WAIT_MS} passed.
   * The refused requests of one call go on together, in their order (one log entry per group), so a session's
   * writes keep their order. A write keeps its (client id, sequence): a group it left keeps the refusal as
   * that sequence's answer, so the write is applied once, in the group that owns its slot.
   */
  private <Q, R> void followMoves(List<Q> requests, List<CompletableFuture<R>> responses,
      BiFunction<Integer, List<Q>, List<CompletableFuture<R>>> sendTo) {
    if (groups.size() == 1) {
      return;
    }
    List<CompletableFuture<R>> out = new ArrayList<>(responses.size());
    List<Set<Integer>> sentOnBy = new ArrayList<>(responses.size());
    List<Integer> all = new ArrayList<>(responses.size());
    for (int i = 0; i < responses.size(); i++) {
      out.add(new CompletableFuture<>());
      sentOnBy.add(new HashSet<>());
      all.add(i);
    }
    settle(new Redirects<>(requests, out, sendTo, sentOnBy,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOVE_WAIT_MS)), all, List.copyOf(responses), 0);
    for (int i = 0; i < responses.size(); i++) {
      responses.set(i, out.get(i));
    }
  }

  /** One call's requests being sent on: their final answers, and the groups that refused each with a target. */
  private record Redirects<Q, R>(List<Q> requests, List<CompletableFuture<R>> out,
      BiFunction<Integer, List<Q>, List<CompletableFuture<R>>> sendTo, List<Set<Integer>> sentOnBy, long giveUpAt) {}

  /** Settles {@code attempts} (of requests {@code which}); sends the moved ones on, together per group. */
  private <Q, R> void settle(Redirects<Q, R> calls, List<Integer> which, List<CompletableFuture<R>> attempts, int tries) {
    for (int k = 0; k < attempts.size(); k++) {
      CompletableFuture<R> out = calls.out().get(which.get(k));
      attempts.get(k).whenComplete((value, error) -> {
        if (error == null) {
          out.complete(value);
        } else if (!(Causes.unwrap(error) instanceof SlotMovedException)) {
          out.completeExceptionally(error);
        }
      });
    }
    CompletableFuture.allOf(attempts.stream().map(a -> a.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
        .thenRun(() -> {
          Map<Integer, List<Integer>> next = new TreeMap<>();
          long pauseMs = 0;
          for (int k = 0; k < attempts.size(); k++) {
            Throwable error = attempts.get(k).handle((v, e) -> e).join();
            if (error == null || !(Causes.unwrap(error) instanceof SlotMovedException moved)) {
              continue;
            }
            int i = which.get(k);
            if (acrossGroups(calls.requests().get(i))) {
              // A WATCH over several groups was read per group: sent on whole, one group would read keys it
              // does not hold. Retryable: read again, each group's keys where they are now.
              calls.out().get(i).completeExceptionally(moved);
              continue;
            }
            boolean again = moved.target().isPresent() && !calls.sentOnBy().get(i).add(moved.refusedBy());
            if (again && calls.requests().get(i) instanceof WriteRequest write) {
              // Its slot moved away from a group and back while this write was on its way: each group it met
              // keeps "moved" as this sequence's answer, so it can apply nowhere now. It was applied nowhere.
              calls.out().get(i).completeExceptionally(new TransactionAbortedException("TRYAGAIN write "
                  + write.getSequence() + " of client " + write.getClientId() + " was not applied: its slot moved"
                  + " between groups and back while it was on its way; send it again as a new write"));
              continue;
            }
            if (again) {
              // A read met this group before: its keys are in two groups now (a move split them), or a slot
              // went back and forth. Retryable: routed again, by then the map names where its keys are.
              calls.out().get(i).completeExceptionally(moved);
              continue;
            }
            long pause = moved.target().isPresent() ? 0 : Math.min(200, 10L << Math.min(tries, 5));
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) > calls.giveUpAt()) {
              calls.out().get(i).completeExceptionally(moved);
              continue;
            }
            pauseMs = Math.max(pauseMs, pause);
            next.computeIfAbsent(moved.target().orElse(moved.refusedBy()), g -> new ArrayList<>()).add(i);
          }
          if (next.isEmpty()) {
            return;
          }
          Executor after = pauseMs == 0 ? Runnable::run
              : CompletableFuture.delayedExecutor(pauseMs, TimeUnit.MILLISECONDS);
          after.execute(() -> next.forEach((group, indices) -> {
            List<Q> sent = indices.stream().map(calls.requests()::get).toList();
            List<CompletableFuture<R>> answers;
            try {
              if (group >= groups.size()) {
                throw new UnavailableException("the key's slot moved to group " + group + ", which this node does not"
                    + " host (it has " + groups.size() + " groups): ask another node, or restart this one with a Redis"
                    + " for every group (group-redis-addresses)");
              }
              answers = calls.sendTo().apply(group, sent);
            } catch (RuntimeException e) {
              answers = failedAll(sent.size(), e);
            }
            settle(calls, indices, answers, tries + 1);
          }));
        });
  }

  private boolean acrossGroups(Object request) {
    try {
      return request instanceof ReadRequest read && SlotRouter.isWatch(read)
          && router.groupOf(read) == SlotRouter.SEVERAL_GROUPS;
    } catch (RuntimeException unroutable) {
      return false;
    }
  }

  private static <R> List<CompletableFuture<R>> failedAll(int count, RuntimeException error) {
    List<CompletableFuture<R>> failed = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      failed.add(CompletableFuture.failedFuture(error));
    }
    return failed;
  }

  /** The status a failed operation maps to: the one error table all front doors share. */
  public static Status statusOf(Throwable error) {
    return ErrorMapper.toStatus(error).getStatus();
  }

  /**
   * Why this node cannot take {@code requests} now (its replica of a group they go to is not ready),
   * or null if it can. A request that cannot be routed does not count: it fails on its own.
   */
  RuntimeException notReady(List<WriteRequest> requests) {
    if (groups.size() == 1) {
      return notReady(groups.get(0).health());
    }
    for (WriteRequest request : requests) {
      try {
        int group = router.groupOf(request);
        for (int g : group == SlotRouter.SEVERAL_GROUPS ? router.planOf(request).groups() : List.of(group)) {
          RuntimeException notReady = notReady(groups.get(g).health());
          if (notReady != null) {
            return notReady;
          }
        }
      } catch (RuntimeException unroutable) {
        // answered on its own
      }
    }
    return null;
  }

  private static RuntimeException notReady(NodeHealth health) {
    try {
      health.requireReady();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  private void record(RedraftMetrics.Op op, long startNanos, Throwable error) {
    String kind = error == null ? null : ErrorMapper.toStatus(error).getStatus().getCode().name();
    metrics.request(op, System.nanoTime() - startNanos, kind);
  }
}
