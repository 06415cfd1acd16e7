package dev.redraft.coordinator.api;

import dev.redraft.coordinator.errors.SlotMovedException;
import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.ValidatedCommand;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.log.v1.ReadQuery;
import dev.redraft.coordinator.errors.UnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Client reads: linearizable unless the caller names STALE, which reads this node's Redis as it is,
 * or AT_INDEX (read-your-writes), which reads it once it has applied the caller's log index.
 *
 * <p>On the leader, a linearizable read takes the leader's commit index as its read index, waits for
 * a leadership round that started after the read began (a majority of voters say they still follow
 * it in its term: {@link LeadershipConfirmation}), then reads once its Redis applied that index. The
 * reads of one call share the round and one Redis call. Elsewhere, the reads of one call ask the
 * leader once for its read index, confirmed the same way (ConfirmLeadership), and are served here once
 * this node applied up to it: one round trip, and the leader tells this node of the commit at once.
 */
final class ReadHandler {
  private final RaftNode raft;
  private final LeadershipConfirmation leadership;
  private final CommandValidator validator;
  private final NodeHealth health;
  private final Duration requestTimeout;

  ReadHandler(RaftNode raft, LeadershipConfirmation leadership, CommandValidator validator, NodeHealth health,
      Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    this.raft = raft;
    this.leadership = leadership;
    this.validator = validator;
    this.health = health;
  }

  /** One future per read, in order: the response (no header), or what went wrong. */
  List<CompletableFuture<ReadResponse.Builder>> readAll(List<ReadRequest> requests) {
    List<CompletableFuture<byte[]>> replies = new ArrayList<>(requests.size());
    List<ReadQuery> onLeader = new ArrayList<>();
    List<CompletableFuture<byte[]>> onLeaderReplies = new ArrayList<>();
    List<ReadQuery> viaLeader = new ArrayList<>();
    List<CompletableFuture<byte[]>> viaLeaderReplies = new ArrayList<>();
    List<ReadQuery> stale = new ArrayList<>();
    List<CompletableFuture<byte[]>> staleReplies = new ArrayList<>();
    Optional<RaftNode.LeaderReadIndex> readIndex = Optional.empty();
    boolean readIndexTaken = false;
    for (ReadRequest request : requests) {
      CompletableFuture<byte[]> reply = new CompletableFuture<>();
      replies.add(reply);
      try {
        ReadQuery query = check(request);
        health.requireReady();
        if (request.getConsistency() == ReadConsistency.STALE) {
          stale.add(query);
          staleReplies.add(reply);
          continue;
        }
        if (request.getConsistency() == ReadConsistency.AT_INDEX) {
          forward(readAtIndex(request.getMinLogIndex(), query), reply);
          continue;
        }
        if (!readIndexTaken) {
          readIndex = raft.leaderReadIndex();
          readIndexTaken = true;
        }
        if (readIndex.isPresent()) {
          onLeader.add(query);
          onLeaderReplies.add(reply);
        } else {
          viaLeader.add(query);
          viaLeaderReplies.add(reply);
        }
      } catch (RuntimeException e) {
        reply.completeExceptionally(e);
      }
    }
    if (!onLeader.isEmpty()) {
      RaftNode.LeaderReadIndex at = readIndex.get();
      CompletableFuture<List<byte[]>> read = leadership.confirm(raft.brief().nodeId(), at.term())
          .thenCompose(confirmed -> raft.stateMachine().reads().readAt(at.index(), onLeader));
      split(read, onLeaderReplies);
    }
    if (!viaLeader.isEmpty()) {
      split(startSafely(() -> readThroughLeader(viaLeader)), viaLeaderReplies);
    }
    if (!stale.isEmpty()) {
      split(startSafely(() -> raft.stateMachine().reads().readStale(stale)), staleReplies);
    }
    List<CompletableFuture<ReadResponse.Builder>> responses = new ArrayList<>(replies.size());
    replies.forEach(reply -> responses.add(reply.thenApply(bytes -> {
      SlotMovedException moved = SlotMovedException.ofReadReply(raft.groupIndex(), bytes);
      if (moved != null) {
        throw moved;
      }
      return ReadResponse.newBuilder().setReply(RespReplies.decode(bytes));
    })));
    return responses;
  }

  /** Read-your-writes: once this node applied the caller's index, bounded by the request timeout. */
  private CompletableFuture<byte[]> readAtIndex(long minLogIndex, ReadQuery query) {
    return readOnceApplied(minLogIndex, List.of(query), Long.toString(minLogIndex),
        "retry on another node, or read linearizably").thenApply(replies -> replies.get(0));
  }

  /**
   * On a follower: the leader's read index (its commit index once the call arrived, confirmed by a
   * round started after that), then these reads once this node applied up to it.
   */
  private CompletableFuture<List<byte[]>> readThroughLeader(List<ReadQuery> queries) {
    if (!leadership.confirmsReads()) {
      return readEachThroughRatis(queries);  // the test-only unsafe switch: Ratis' ReadIndex alone
    }
    RaftStatus before = raft.status();
    return leadership.remoteReadIndex(before.leaderId(), before.term()).thenCompose(index -> index == 0
        ? readEachThroughRatis(queries)  // a leader of an older version confirmed without an index
        : readOnceApplied(index, queries, "the leader's read index " + index, "retry, or read through the leader"));
  }

  /**
   * The reads once this node applied up to {@code index} ({@code what}, for the error), bounded by the
   * request timeout; a timeout says how far this node got and what to do ({@code advice}).
   */
  private CompletableFuture<List<byte[]>> readOnceApplied(long index, List<ReadQuery> queries, String what,
      String advice) {
    long applied = raft.stateMachine().appliedIndex();
    return raft.stateMachine().reads().readAt(index, queries)
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(error -> {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          if (cause instanceof TimeoutException) {
            throw new UnavailableException("node " + raft.status().nodeId() + " had applied up to index " + applied
                + " and did not reach " + what + " within " + requestTimeout.toMillis() + " ms: " + advice);
          }
          throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
        });
  }

  /** Each read through Ratis' ReadIndex on its own. */
  private CompletableFuture<List<byte[]>> readEachThroughRatis(List<ReadQuery> queries) {
    List<CompletableFuture<byte[]>> reads = new ArrayList<>(queries.size());
    queries.forEach(query -> reads.add(raft.readLinearizable(query)));
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
  }

  private static <T> CompletableFuture<T> startSafely(java.util.function.Supplier<CompletableFuture<T>> start) {
    try {
      return start.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static void split(CompletableFuture<List<byte[]>> read, List<CompletableFuture<byte[]>> replies) {
    read.whenComplete((values, error) -> {
      for (int i = 0; i < replies.size(); i++) {
        if (error != null) {
          replies.get(i).completeExceptionally(error);
        } else {
          replies.get(i).complete(values.get(i));
        }
      }
    });
  }

  private static void forward(CompletableFuture<byte[]> from, CompletableFuture<byte[]> to) {
    from.whenComplete((value, error) -> {
      if (error != null) {
        to.completeExceptionally(error);
      } else {
        to.complete(value);
      }
    });
  }

  private ReadQuery check(ReadRequest request) {
    if (!request.hasCommand()) {
      throw new InvalidRequestException("a read needs a command");
    }
    if (request.getConsistency() != ReadConsistency.LINEARIZABLE && request.getConsistency() != ReadConsistency.STALE
        && request.getConsistency() != ReadConsistency.AT_INDEX) {
      throw new InvalidRequestException("unknown read consistency " + request.getConsistencyValue()
          + ": use LINEARIZABLE (default), STALE or AT_INDEX");
    }
    if (request.getConsistency() == ReadConsistency.AT_INDEX && request.getMinLogIndex() == 0) {
      throw new InvalidRequestException("an AT_INDEX read needs min_log_index (1 or more): the log index of the "
          + "write it must see, e.g. the log_index of the caller's last write");
    }
    Command command = request.getCommand();
    ValidatedCommand validated = validator.validate(command.getName(), WriteHandler.toArgs(command), CommandKind.READ);
    ReadQuery.Builder query = ReadQuery.newBuilder();
    validated.argv().forEach(arg -> query.addArgv(ByteString.copyFrom(arg)));
    for (int position : validated.keyPositions()) {
      query.addKeyPositions(position);
    }
    return query.build();
  }
}
