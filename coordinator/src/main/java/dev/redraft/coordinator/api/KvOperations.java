package dev.redraft.coordinator.api;

import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Writes and reads as every front door serves them (the gRPC KV service and the RESP port): a write
 * is refused while this node is not ready, and every operation's latency and outcome is recorded.
 */
public final class KvOperations {
  private final WriteHandler writes;
  private final ReadHandler reads;
  private final NodeHealth health;
  private final RedraftMetrics metrics;

  KvOperations(WriteHandler writes, ReadHandler reads, NodeHealth health, RedraftMetrics metrics) {
    this.writes = writes;
    this.reads = reads;
    this.health = health;
    this.metrics = metrics;
  }

  /** One future per write, in order: its response (no header), or why it failed. */
  public List<CompletableFuture<WriteResponse.Builder>> writeAll(List<WriteRequest> requests) {
    long start = System.nanoTime();
    RuntimeException notReady = notReady();
    List<CompletableFuture<WriteResponse.Builder>> responses;
    if (notReady == null) {
      responses = writes.writeAll(requests);
    } else {
      responses = new ArrayList<>(requests.size());
      for (int i = 0; i < requests.size(); i++) {
        responses.add(CompletableFuture.failedFuture(notReady));
      }
    }
    responses.forEach(r -> r.whenComplete((v, error) -> record(RedraftMetrics.Op.WRITE, start, error)));
    return responses;
  }

  /** One future per read, in order: its response (no header), or why it failed. */
  public List<CompletableFuture<ReadResponse.Builder>> readAll(List<ReadRequest> requests) {
    long start = System.nanoTime();
    List<CompletableFuture<ReadResponse.Builder>> responses = reads.readAll(requests);
    for (int i = 0; i < responses.size(); i++) {
      RedraftMetrics.Op op = requests.get(i).getConsistency() == ReadConsistency.STALE
          ? RedraftMetrics.Op.READ_STALE : RedraftMetrics.Op.READ;
      responses.get(i).whenComplete((v, error) -> record(op, start, error));
    }
    return responses;
  }

  /** The status a failed operation maps to: the one error table all front doors share. */
  public static Status statusOf(Throwable error) {
    return ErrorMapper.toStatus(error).getStatus();
  }

  /** Why this node cannot take writes now, or null if it can. */
  RuntimeException notReady() {
    try {
      health.requireReady();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  void record(RedraftMetrics.Op op, long startNanos, Throwable error) {
    String kind = error == null ? null : ErrorMapper.toStatus(error).getStatus().getCode().name();
    metrics.request(op, System.nanoTime() - startNanos, kind);
  }
}
