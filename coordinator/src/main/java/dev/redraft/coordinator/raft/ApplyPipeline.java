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
 *
 * <p>If Redis turns out to hold less than this node applied (it restarted empty, or lost its last
 * writes), the node stops serving and rebuilds Redis from its own snapshot and Raft log
 * ({@link Recovery}) on this thread, then carries on: nothing is applied on top of missing data.
 */
final class ApplyPipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyPipeline.class);
  private static final long RETRY_MIN_MS = 50;
  private static final long RETRY_MAX_MS = 2_000;
  /** How often an idle node checks that its Redis still holds what it applied. */
  private static final long IDLE_CHECK_MS = 1_000;

  /** Called on the pipeline thread, in log order, once an entry is applied. */
  interface AppliedListener {
    void applied(long term, long index);
  }

  /** Rebuilds this node's Redis up to an applied index from local state; returns Redis' new marker. */
  interface Recovery {
    long rebuildUpTo(long appliedIndex) throws Exception;
  }

  /** Work that must run between applies, on this thread (e.g. replacing Redis' content in a repair). */
  interface ExclusiveTask {
    /** Runs with no apply in flight; returns the applied-index marker Redis holds afterwards. */
    long run(long appliedIndex) throws Exception;
  }

  private sealed interface Item permits Data, IndexOnly, Task {
    long term();

    long index();
  }

  private record Task(ExclusiveTask work, CompletableFuture<Void> done) implements Item {
    public long term() {
      return -1;
    }

    public long index() {
      return -1;
    }
  }

  /** One log entry's requests (several for a group entry, all at its index) and their results. */
  private record Data(long term, long index, List<ApplyRequest> requests, CompletableFuture<List<ApplyResult>> done)
      implements Item {}

  private record IndexOnly(long term, long index) implements Item {}

  private final String nodeId;
  private final RedisApplier applier;
  private final NodeHealth health;
  private final int batchMax;
  private final AppliedListener listener;
  private final Recovery recovery;
  private final RedraftMetrics metrics;
  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final AppliedIndexWaiter waiter = new AppliedIndexWaiter();
  private final Thread thread;
  private volatile long lastSubmitted;
  private volatile boolean running = true;
  /** Set when the node stops: an apply or rebuild that fails is then not retried; the pipeline ends. */
  private volatile boolean stopRetrying;
  /** The last rebuild failure logged at ERROR and when, so a Redis that stays broken is not logged every retry. */
  private String lastRebuildError;
  private long lastRebuildErrorNanos;
  private static final long REPEAT_ERROR_LOG_MS = 60_000;
  private volatile boolean checkRequested;
  /** The applied-index marker Redis must hold at least; reads check it too. */
  private volatile long expectedMarker;
  private long lastCheckNanos = System.nanoTime();

  ApplyPipeline(String nodeId, RedisApplier applier, NodeHealth health, int batchMax, long redisMarker,
      AppliedListener listener, Recovery recovery, RedraftMetrics metrics) {
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.applier = applier;
    this.health = health;
    this.batchMax = batchMax;
    this.listener = listener;
    this.recovery = recovery;
    this.expectedMarker = redisMarker;
    this.thread = new Thread(this::run, "redraft-apply-" + nodeId);
    this.thread.setDaemon(true);
  }

  void start(long appliedIndex) {
    lastSubmitted = appliedIndex;
    waiter.advance(appliedIndex);
    thread.start();
  }

  /**
   * Queues an entry's requests for Redis (one, or one per write of a group entry); the future
   * completes with their results, in order, once the entry is applied (in log order).
   */
  CompletableFuture<List<ApplyResult>> submit(long term, long index, List<ApplyRequest> requests) {
    CompletableFuture<List<ApplyResult>> done = new CompletableFuture<>();
    enqueue(new Data(term, index, List.copyOf(requests), done));
    return done;
  }

  /** Queues an entry that moves the applied index without touching Redis. */
  void submitIndexOnly(long term, long index) {
    enqueue(new IndexOnly(term, index));
  }

  private void enqueue(Item item) {
    lastSubmitted = item.index();
    queue.add(item);
    if (!running) {
      failQueued(); // the pipeline ended: nobody else will complete it
    }
  }

  /** Runs {@code work} on the apply thread after everything queued so far, before anything queued later. */
  CompletableFuture<Void> runExclusive(ExclusiveTask work) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Task(work, done));
    if (!running) {
      failQueued();
    }
    return done;
  }

  /**
   * The node is stopping: from now on an apply or a rebuild that fails ends the pipeline (its entries
   * and waiters fail as "shutting down") instead of waiting for Redis, so the Raft server's stop, which
   * waits for outstanding applies, never waits for a Redis that is gone. Entries not applied are
   * applied again from the log at the next start. While Redis answers, nothing changes.
   */
  void stopRetrying() {
    stopRetrying = true;
  }

  /** The highest index handed to the pipeline so far. */
  long lastSubmitted() {
    return lastSubmitted;
  }

  long applied() {
    return waiter.applied();
  }

  /** The applied-index marker this node's Redis must hold at least. */
  long expectedMarker() {
    return expectedMarker;
  }

  /** Asks the pipeline to check its Redis soon (e.g. a read found the marker behind). */
  void requestCheck() {
    checkRequested = true;
  }

  /** Completes once every entry up to {@code index} is in Redis. */
  CompletableFuture<Void> awaitApplied(long index) {
    return waiter.await(index);
  }

  private void run() {
    try {
      runLoop();
    } finally {
      running = false;
      failQueued();
    }
  }

  private void runLoop() {
    List<Item> batch = new ArrayList<>(batchMax);
    while (running) {
      try {
        Item first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          checkWhileIdle();
          continue;
        }
        batch.clear();
        batch.add(first);
        queue.drainTo(batch, batchMax - 1);
        int from = 0;
        for (int i = 0; i < batch.size(); i++) {
          if (batch.get(i) instanceof Task task) {
            if (i > from) {
              process(batch.subList(from, i));
            }
            runTask(task);
            from = i + 1;
          }
        }
        if (from < batch.size()) {
          process(batch.subList(from, batch.size()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void runTask(Task task) {
    if (!running) {
      task.done().completeExceptionally(new NotReadyException(nodeId, "shutting down"));
      return;
    }
    try {
      expectedMarker = task.work().run(waiter.applied());
      task.done().complete(null);
    } catch (Exception e) {
      task.done().completeExceptionally(e);
    }
  }

  /** An idle node would not notice a Redis that came back empty until the next write: look. */
  private void checkWhileIdle() throws InterruptedException {
    boolean due = System.nanoTime() - lastCheckNanos > TimeUnit.MILLISECONDS.toNanos(IDLE_CHECK_MS);
    if (!due && !checkRequested) {
      return;
    }
    lastCheckNanos = System.nanoTime();
    checkRequested = false;
    try {
      long marker = applier.readAppliedMarker();
      if (marker < expectedMarker) {
        recover("its Redis holds applied index " + marker + " but this node applied up to " + expectedMarker
            + " (it restarted without its data?)");
      } else if (!health.isReady() && !health.needsRepair()) {
        health.markReady();
      }
    } catch (RuntimeException e) {
      health.markTransient("its Redis is not reachable: " + e.getMessage());
    }
  }

  private void process(List<Item> batch) throws InterruptedException {
    int done = 0;
    while (done < batch.size() && running) {
      List<Item> rest = batch.subList(done, batch.size());
      List<ApplyRequest> requests = new ArrayList<>(rest.size());
      for (Item item : rest) {
        if (item instanceof Data data) {
          requests.addAll(data.requests());
        }
      }
      try {
        List<ApplyResult> results = requests.isEmpty() ? List.of() : applyWithRetry(requests);
        complete(rest, results);
        return;
      } catch (StoppedException e) {
        break;
      } catch (RedisStateException e) {
        // Complete what did reach Redis, rebuild it, then go on with the rest of the batch.
        done += complete(rest, e.appliedSoFar());
        recover(e.getMessage());
      }
    }
    if (!running) {
      failAll(batch.subList(done, batch.size()), new NotReadyException(nodeId, "shutting down"));
    }
  }

  /** Rebuilds Redis from this node's snapshot and log; retries until it works or the node stops. */
  private void recover(String problem) throws InterruptedException {
    String reason = problem + "; rebuilding it from this node's snapshot and Raft log";
    LOG.error("node {}: {}", nodeId, reason);
    metrics.driftDetected();
    health.markNeedsRepair(reason);
    long backoff = RETRY_MIN_MS;
    while (running) {
      try {
        long upTo = waiter.applied();
        long marker = recovery.rebuildUpTo(upTo);
        expectedMarker = marker;
        health.markRepaired();
        LOG.warn("node {}: its Redis was rebuilt up to applied index {} and it serves again", nodeId, upTo);
        return;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        if (stopRetrying) {
          LOG.warn("node {}: rebuilding its Redis failed ({}); not retrying: the node is stopping", nodeId, e.toString());
          running = false;
          return;
        }
        logRebuildFailure(e.toString(), backoff);
        pause(backoff);
        backoff = Math.min(RETRY_MAX_MS, backoff * 2);
      }
    }
  }

  /** ERROR for a new failure, then at most once a minute while the same failure repeats. */
  private void logRebuildFailure(String error, long backoff) {
    long now = System.nanoTime();
    if (!error.equals(lastRebuildError)
        || now - lastRebuildErrorNanos > TimeUnit.MILLISECONDS.toNanos(REPEAT_ERROR_LOG_MS)) {
      LOG.error("node {}: rebuilding its Redis failed ({}); retrying with backoff up to every {} ms (this error is "
          + "logged again at most once a minute while it repeats)", nodeId, error, RETRY_MAX_MS);
      lastRebuildError = error;
      lastRebuildErrorNanos = now;
    } else {
      LOG.debug("node {}: rebuilding its Redis failed again ({}); retrying in {} ms", nodeId, error, backoff);
    }
  }

  /** Sleeps up to {@code ms}, returning early once the pipeline must stop or stop retrying. */
  private void pause(long ms) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    long left;
    while (running && !stopRetrying && (left = end - System.nanoTime()) > 0) {
      Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 50));
    }
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
        if (stopRetrying) {
          LOG.warn("node {}: {}; not retrying: the node is stopping (the log re-applies these entries at the next "
              + "start)", nodeId, reason);
          running = false;
          throw new StoppedException();
        }
        if (!running) {
          throw new StoppedException();
        }
        pause(backoff);
        backoff = Math.min(RETRY_MAX_MS, backoff * 2);
      }
    }
  }

  /**
   * Completes the leading items of {@code items} covered by {@code results} (a data item takes as
   * many results as it has requests; index-only items among them pass), in order. Returns how many
   * items it completed.
   */
  private int complete(List<Item> items, List<ApplyResult> results) {
    int next = 0;
    int completed = 0;
    for (Item item : items) {
      if (item instanceof Data data) {
        int count = data.requests().size();
        if (next + count > results.size()) {
          return completed;
        }
        List<ApplyResult> own = List.copyOf(results.subList(next, next + count));
        next += count;
        expectedMarker = Math.max(expectedMarker, item.index());
        // The applied index moves first: the reply path runs inside complete() and asks whether this
        // entry is applied; it is, so it answers at once instead of waiting (with a timer) for it.
        waiter.advance(item.index());
        data.done().complete(own);
      } else {
        waiter.advance(item.index());
      }
      listener.applied(item.term(), item.index());
      completed++;
    }
    return completed;
  }

  /** Thrown inside this class only: the pipeline ended while a batch waited for Redis. */
  private static final class StoppedException extends RuntimeException {
    StoppedException() {
      super("apply pipeline stopped", null, false, false);
    }
  }

  /** Fails everything still queued (the pipeline ended) and every waiter. */
  private void failQueued() {
    List<Item> left = new ArrayList<>();
    queue.drainTo(left);
    failAll(left, new NotReadyException(nodeId, "shutting down"));
    waiter.failAll(new NotReadyException(nodeId, "its apply pipeline stopped"));
  }

  private static void failAll(List<Item> items, RuntimeException cause) {
    for (Item item : items) {
      if (item instanceof Data data) {
        data.done().completeExceptionally(cause);
      } else if (item instanceof Task task) {
        task.done().completeExceptionally(cause);
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
    waiter.failAll(new NotReadyException(nodeId, "its apply pipeline stopped"));
  }
}
