package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.errors.NotReadyException;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.redis.RedisCommand;
import dev.redraft.coordinator.redis.RedisReader;
import dev.redraft.coordinator.redis.RedisStateException;
import dev.redraft.coordinator.tx.LockWait;
import dev.redraft.log.v1.ReadQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Reads of this node's Redis: at a log index (once applied that far) or as it is now (stale, by
 * name only). Many reads share one Redis script call; a key locked by a prepared transaction across
 * groups is waited for, never read. A Redis that holds less than this node applied
 * (it lost data) is never read from: the apply pipeline is asked to check and rebuild it.
 */
public final class LocalReads implements AutoCloseable {
  private final String nodeId;
  private final RedisReader reader;
  private final NodeHealth health;
  private final RedraftMetrics metrics;
  private final Supplier<ApplyPipeline> pipeline;
  private final ExecutorService executor;

  LocalReads(String nodeId, RedisReader reader, NodeHealth health, RedraftMetrics metrics,
      Supplier<ApplyPipeline> pipeline) {
    this.nodeId = nodeId;
    this.reader = reader;
    this.health = health;
    this.metrics = metrics;
    this.pipeline = pipeline;
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "redraft-read-" + nodeId);
      t.setDaemon(true);
      return t;
    });
  }

  /** A read of the local Redis as it is now (no ReadIndex): only when the caller asks for it by name. */
  public CompletableFuture<byte[]> readStale(ReadQuery query) {
    return readStale(List.of(query)).thenApply(replies -> replies.get(0));
  }

  /** Reads of the local Redis as it is now, in one Redis call; replies in order. */
  public CompletableFuture<List<byte[]>> readStale(List<ReadQuery> queries) {
    health.requireReady();
    ApplyPipeline p = pipeline.get();
    return LockWait.retrying(() -> readNow(p, queries));
  }

  private CompletableFuture<List<byte[]>> readNow(ApplyPipeline p, List<ReadQuery> queries) {
    try {
      return CompletableFuture.supplyAsync(() -> read(p, queries), executor);
    } catch (RejectedExecutionException e) {
      throw new NotReadyException(nodeId, "its Raft server for the group stopped");
    }
  }

  /**
   * Reads of the local Redis once it has applied everything up to {@code index} (a read index), in
   * one Redis call; replies in order.
   */
  public CompletableFuture<List<byte[]>> readAt(long index, List<ReadQuery> queries) {
    health.requireReady();
    ApplyPipeline p = pipeline.get();
    // A key locked by a prepared transaction is read again once unlocked (LockWait), at a later position.
    return p.awaitApplied(index).thenCompose(v -> LockWait.retrying(() -> readNow(p, queries)));
  }

  /** Transactions across groups prepared in this replica at or before {@code logicalTimeMs}, oldest first. */
  public List<RedisReader.PreparedTx> preparedBefore(long logicalTimeMs, int limit) {
    return reader.preparedBefore(logicalTimeMs, limit);
  }

  /**
   * This replica's Redis for a slot move and the slot map (Redraft's own records, read as they are now):
   * what {@link RedisReader} offers, at no particular log position.
   */
  public RedisReader redis() {
    return reader;
  }

  /** Reads Redis, refusing if it holds less than this node applied (it lost data since the last check). */
  private List<byte[]> read(ApplyPipeline p, List<ReadQuery> queries) {
    long start = System.nanoTime();
    try {
      List<RedisCommand> commands = new ArrayList<>(queries.size());
      queries.forEach(query -> commands.add(toRedisCommand(query)));
      return reader.readAll(commands, p.expectedMarker());
    } catch (RedisStateException e) {
      p.requestCheck();
      throw new NotReadyException(nodeId, e.getMessage() + "; it is being rebuilt");
    } catch (JedisConnectionException e) {
      p.requestCheck();
      throw new NotReadyException(nodeId, "its Redis did not answer a read (" + e.getMessage() + ")");
    } finally {
      metrics.redisRoundTrip("read", System.nanoTime() - start);
    }
  }

  private static RedisCommand toRedisCommand(ReadQuery query) {
    List<byte[]> argv = new ArrayList<>(query.getArgvCount());
    query.getArgvList().forEach(arg -> argv.add(arg.toByteArray()));
    return new RedisCommand(argv, query.getKeyPositionsList().stream().mapToInt(Integer::intValue).toArray());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
