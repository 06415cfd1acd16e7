package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.errors.NotReadyException;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.redis.ApplyRequest;
import dev.redraft.coordinator.redis.ApplyResult;
import dev.redraft.coordinator.redis.RedisApplier;
import dev.redraft.coordinator.redis.RedisStateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed entries to this node's Redis in log order, many entries per Redis round trip,
 * and completes their futures in log order. Ratis hands entries over from its apply thread without
 * waiting; the applied index moves only once an entry's effects are in Redis, so linearizable reads
 * (which wait for the applied index) see every committed write.
 *
 * <p>Entries that do not touch Redis (Raft configuration and metadata entries) pass through the
 * same queue so the applied index still moves strictly in order.
 */
final class ApplyPipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);
  private static final long RETRY_MIN_MS = 50;
  private static final long RETRY_MAX_MS = 2_000;

  /** Called on the pipeline thread, in log order, once an entry is applied. */
  interface AppliedListener {
    void applied(long term, long index);
  }

  private sealed interface Item permits Data, IndexOnly {
    long term();

    long index();
  }

  private record Data(long term, long index, ApplyRequest request, CompletableFuture<ApplyResult> done)
      implements Item {}

  private record IndexOnly(long term, long index) implements Item {}

  private final String nodeId;
  private final RedisApplier applier;
  private final NodeHealth health;
  private final int batchMax;
  private final AppliedListener listener;
  private final RedraftMetrics metrics;
  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final AppliedIndexWaiter waiter = new AppliedIndexWaiter();
  private final Thread thread;
  private volatile long lastSubmitted;
  private volatile boolean running = true;
  private long expectedMarker;

  ApplyPipeline(String nodeId, RedisApplier applier, NodeHealth health, int batchMax, long redisMarker,
      AppliedListener listener, RedraftMetrics metrics) {
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.applier = applier;
    this.health = health;
    this.batchMax = batchMax;
    this.listener = listener;
    this.expectedMarker = redisMarker;
    this.thread = new Thread(this::run, "redraft-apply-" + nodeId);
    this.thread.setDaemon(true);
  }

  void start(long appliedIndex) {
    lastSubmitted = appliedIndex;
    waiter.advance(appliedIndex);
    thread.start();
  }

  /** Queues an entry for Redis; the future completes once it is applied (in log order). */
  CompletableFuture<ApplyResult> submit(long term, long index, ApplyRequest request) {
    CompletableFuture<ApplyResult> done = new CompletableFuture<>();
    enqueue(new Data(term, index, request, done));
    return done;
  }

  /** Queues an entry that moves the applied index without touching Redis. */
  void submitIndexOnly(long term, long index) {
    enqueue(new IndexOnly(term, index));
  }

  private void enqueue(Item item) {
    lastSubmitted = item.index();
    queue.add(item);
  }

  /** The highest index handed to the pipeline so far. */
  long lastSubmitted() {
    return lastSubmitted;
  }

  long applied() {
    return waiter.applied();
  }

  /** Completes once every entry up to {@code index} is in Redis. */
  CompletableFuture<Void> awaitApplied(long index) {
    return waiter.await(index);
  }

  private void run() {
    List<Item> batch = new ArrayList<>(batchMax);
    while (running) {
      try {
        Item first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.clear();
        batch.add(first);
        queue.drainTo(batch, batchMax - 1);
        process(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void process(List<Item> batch) throws InterruptedException {
    if (health.needsRepair()) {
      failAll(batch, new NotReadyException(nodeId, health.reason()));
      return;
    }
    List<ApplyRequest> requests = new ArrayList<>(batch.size());
    for (Item item : batch) {
      if (item instanceof Data data) {
        requests.add(data.request());
      }
    }
    List<ApplyResult> results;
    try {
      results = requests.isEmpty() ? List.of() : applyWithRetry(requests);
    } catch (RedisStateException e) {
      String reason = "its Redis at applied index " + e.actualMarker() + " is not what the log says it holds (index "
          + e.expectedMarker() + "): " + e.getMessage() + "; it must be repaired from the leader's state";
      LOG.error("node {}: {}", nodeId, reason);
      metrics.driftDetected();
      health.markNeedsRepair(reason);
      complete(batch, e.appliedSoFar());
      failAll(batch.subList(countItemsCovering(batch, e.appliedSoFar().size()), batch.size()),
          new NotReadyException(nodeId, reason));
      waiter.failAll(new NotReadyException(nodeId, reason));
      return;
    }
    complete(batch, results);
  }

  private List<ApplyResult> applyWithRetry(List<ApplyRequest> requests) throws InterruptedException {
    long backoff = RETRY_MIN_MS;
    while (true) {
      try {
        long start = System.nanoTime();
        List<ApplyResult> results = applier.apply(expectedMarker, requests);
        metrics.redisRoundTrip("apply", System.nanoTime() - start);
        metrics.entriesApplied(results.size());
        if (!health.isReady() && !health.needsRepair()) {
          health.markReady();
        }
        return results;
      } catch (RedisStateException e) {
        throw e;
      } catch (RuntimeException e) {
        // Redis unreachable or restarting: the entries must be applied, in order, so wait for it.
        // If it comes back without the data, the marker check reports it (RedisStateException).
        String reason = "cannot apply to its Redis: " + e.getMessage();
        if (health.isReady()) {
          LOG.warn("node {}: {}; retrying", nodeId, reason);
        }
        health.markTransient(reason);
        if (!running) {
          throw new IllegalStateException("apply pipeline stopped", e);
        }
        Thread.sleep(backoff);
        backoff = Math.min(RETRY_MAX_MS, backoff * 2);
      }
    }
  }

  /** Completes the first {@code results.size()} data items (and the index-only items among them) in order. */
  private void complete(List<Item> batch, List<ApplyResult> results) {
    int next = 0;
    for (Item item : batch) {
      if (item instanceof Data data) {
        if (next >= results.size()) {
          return;
        }
        ApplyResult result = results.get(next++);
        expectedMarker = Math.max(expectedMarker, result.index());
        data.done().complete(result);
      }
      listener.applied(item.term(), item.index());
      waiter.advance(item.index());
    }
  }

  /** How many leading items of the batch hold the first {@code dataCount} data items. */
  private static int countItemsCovering(List<Item> batch, int dataCount) {
    int seen = 0;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.get(i) instanceof Data) {
        if (seen == dataCount) {
          return i;
        }
        seen++;
      }
    }
    return batch.size();
  }

  private static void failAll(List<Item> items, RuntimeException cause) {
    for (Item item : items) {
      if (item instanceof Data data) {
        data.done().completeExceptionally(cause);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Item> left = new ArrayList<>();
    queue.drainTo(left);
    failAll(left, new NotReadyException(nodeId, "shutting down"));
  }
}
