package dev.redraft.client;

import dev.redraft.api.v1.CallError;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Lets concurrent calls of one client share RPCs: at most {@code maxInFlight} calls are on their
 * way at once; operations that arrive meanwhile wait and leave together, in one many-call, as soon
 * as one returns. A lone operation leaves at once on its own call, so a single caller pays no wait.
 * Each operation keeps its own request (a write its own session and sequence) and gets its own
 * outcome; an operation whose outcome says it may be sent again goes again alone, through the
 * single call with its full retry policy. A server without the many-call (an older version) gets
 * every operation on its own call.
 *
 * @param <Q> one operation's request
 * @param <R> one operation's response
 */
final class CallCoalescer<Q, R> {
  /** One operation's outcome within a many-call: a response, or the error the single call would end with. */
  record Outcome<R>(R response, CallError error, String node) {}

  /** Sends one operation on its own call, or several on one many-call. */
  interface Sender<Q, R> {
    CompletableFuture<R> single(Q request);

    /** Completes with one outcome per request, in order; fails as a whole if the call fails. */
    CompletableFuture<List<Outcome<R>>> many(List<Q> requests);
  }

  private record Pending<Q, R>(Q request, CompletableFuture<R> response) {}

  private final Sender<Q, R> sender;
  private final int maxInFlight;
  private final int maxBatch;
  private final long maxBatchBytes;
  private final ToIntFunction<Q> sizeOf;
  /** Which call of a round an operation goes in (e.g. the node leading its key's group); null: one call. */
  private final Function<Q, Object> partitionOf;
  private static final Object NO_PARTITION = new Object();
  private final ArrayDeque<Pending<Q, R>> waiting = new ArrayDeque<>();
  private int inFlight;
  private volatile boolean manyUnsupported;

  /**
   * @param maxBatch the most operations one many-call carries
   * @param maxBatchBytes the most request bytes one many-call carries (it always carries at least one)
   */
  CallCoalescer(Sender<Q, R> sender, int maxInFlight, int maxBatch, long maxBatchBytes, ToIntFunction<Q> sizeOf) {
    this(sender, maxInFlight, maxBatch, maxBatchBytes, sizeOf, null);
  }

  /**
   * @param partitionOf splits each round of waiting operations into calls, one per distinct value, sent at
   *     once; the round ends when all have returned (so a sharded cluster's groups each get a share of
   *     every round, rather than small calls of their own whenever one returns)
   */
  CallCoalescer(Sender<Q, R> sender, int maxInFlight, int maxBatch, long maxBatchBytes, ToIntFunction<Q> sizeOf,
      Function<Q, Object> partitionOf) {
    this.partitionOf = partitionOf;
    this.sender = sender;
    this.maxInFlight = maxInFlight;
    this.maxBatch = maxBatch;
    this.maxBatchBytes = maxBatchBytes;
    this.sizeOf = sizeOf;
  }

  CompletableFuture<R> submit(Q request) {
    Pending<Q, R> pending = new Pending<>(request, new CompletableFuture<>());
    if (manyUnsupported) {
      sendAlone(pending); // a server without the many-call: every operation on its own call, as before
      return pending.response();
    }
    synchronized (this) {
      waiting.add(pending);
    }
    sendWhileRoom();
    return pending.response();
  }

  private void sendWhileRoom() {
    while (true) {
      List<Pending<Q, R>> batch = new ArrayList<>();
      synchronized (this) {
        if (inFlight >= maxInFlight || waiting.isEmpty()) {
          return;
        }
        long bytes = 0;
        while (!waiting.isEmpty() && batch.size() < maxBatch) {
          int size = sizeOf.applyAsInt(waiting.peek().request());
          if (!batch.isEmpty() && bytes + size > maxBatchBytes) {
            break;
          }
          bytes += size;
          batch.add(waiting.poll());
        }
        inFlight++;
      }
      CompletableFuture<Void> round;
      try {
        round = sendRound(batch);
      } catch (RuntimeException e) {
        // Nothing was sent (the partition function failed): each operation gets the error, the round ends.
        batch.forEach(p -> p.response().completeExceptionally(e));
        round = CompletableFuture.completedFuture(null);
      }
      round.whenComplete((v, e) -> {
        synchronized (this) {
          inFlight--;
        }
        sendWhileRoom();
      });
    }
  }

  /** Sends a round: one call, or one per partition at once; completes when all have returned. */
  private CompletableFuture<Void> sendRound(List<Pending<Q, R>> batch) {
    if (partitionOf == null || batch.size() == 1) {
      return send(batch);
    }
    Map<Object, List<Pending<Q, R>>> parts = new LinkedHashMap<>();
    for (Pending<Q, R> pending : batch) {
      Object part = partitionOf.apply(pending.request());
      parts.computeIfAbsent(part == null ? NO_PARTITION : part, p -> new ArrayList<>()).add(pending);
    }
    if (parts.size() == 1) {
      return send(batch);
    }
    return CompletableFuture.allOf(parts.values().stream().map(this::send).toArray(CompletableFuture[]::new));
  }

  /** Completes when the call carrying {@code batch} has returned (retries of single operations excepted). */
  private CompletableFuture<Void> send(List<Pending<Q, R>> batch) {
    if (batch.size() == 1) {
      return sendAlone(batch.get(0)).handle((v, e) -> null);
    }
    List<Q> requests = new ArrayList<>(batch.size());
    batch.forEach(p -> requests.add(p.request()));
    long start = System.nanoTime();
    CompletableFuture<List<Outcome<R>>> call;
    try {
      call = sender.many(requests);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    return call.handle((outcomes, error) -> {
      if (error != null) {
        if (unimplemented(error)) {
          manyUnsupported = true;
          batch.forEach(this::sendAlone);
          List<Pending<Q, R>> rest;
          synchronized (this) {
            rest = new ArrayList<>(waiting);
            waiting.clear();
          }
          rest.forEach(this::sendAlone);
        } else {
          batch.forEach(p -> p.response().completeExceptionally(error));
        }
        return null;
      }
      if (outcomes.size() != batch.size()) {
        IllegalStateException broken = new IllegalStateException("the server answered " + outcomes.size()
            + " outcomes for " + batch.size() + " operations");
        batch.forEach(p -> p.response().completeExceptionally(broken));
        return null;
      }
      for (int i = 0; i < batch.size(); i++) {
        deliver(batch.get(i), outcomes.get(i), start);
      }
      return null;
    });
  }

  private void deliver(Pending<Q, R> pending, Outcome<R> outcome, long startNanos) {
    if (outcome.error() == null) {
      pending.response().complete(outcome.response());
    } else if (outcome.error().getRetryable()) {
      sendAlone(pending);
    } else {
      Status status = Status.fromCodeValue(outcome.error().getCode()).withDescription(outcome.error().getMessage());
      pending.response().completeExceptionally(new CallFailedException(status, "node " + outcome.node(), 1,
          System.nanoTime() - startNanos, false, RetryClassifier.leavesWriteOutcomeUnknown(status), false));
    }
  }

  private CompletableFuture<R> sendAlone(Pending<Q, R> pending) {
    CompletableFuture<R> call;
    try {
      call = sender.single(pending.request());
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    return call.whenComplete((response, error) -> {
      if (error != null) {
        pending.response().completeExceptionally(error);
      } else {
        pending.response().complete(response);
      }
    });
  }

  private static boolean unimplemented(Throwable error) {
    Throwable cause = FailureTranslator.unwrap(error);
    return cause instanceof CallFailedException failed && failed.status().getCode() == Status.Code.UNIMPLEMENTED;
  }
}
