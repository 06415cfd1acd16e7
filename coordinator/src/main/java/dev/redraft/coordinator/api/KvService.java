package dev.redraft.coordinator.api;

import dev.redraft.api.v1.CallError;
import dev.redraft.api.v1.KVGrpc;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadManyRequest;
import dev.redraft.api.v1.ReadManyResponse;
import dev.redraft.api.v1.ReadOutcome;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.ResponseHeader;
import dev.redraft.api.v1.WriteManyRequest;
import dev.redraft.api.v1.WriteManyResponse;
import dev.redraft.api.v1.WriteOutcome;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The public KV service, a thin adapter: {@link WriteHandler} and {@link ReadHandler} do the work;
 * this class answers gRPC calls, one operation or many, and records each operation's metrics.
 */
final class KvService extends KVGrpc.KVImplBase {
  private final WriteHandler writes;
  private final ReadHandler reads;
  private final NodeHealth health;
  private final HeaderFactory headers;
  private final RedraftMetrics metrics;

  KvService(WriteHandler writes, ReadHandler reads, NodeHealth health, HeaderFactory headers, RedraftMetrics metrics) {
    this.writes = writes;
    this.reads = reads;
    this.health = health;
    this.headers = headers;
    this.metrics = metrics;
  }

  @Override
  public void write(WriteRequest request, StreamObserver<WriteResponse> observer) {
    long start = System.nanoTime();
    RuntimeException notReady = notReady();
    CompletableFuture<WriteResponse.Builder> response = notReady == null
        ? writes.writeAll(List.of(request)).get(0) : CompletableFuture.failedFuture(notReady);
    response.whenComplete((builder, error) -> {
      record(RedraftMetrics.Op.WRITE, start, error);
      if (error != null) {
        observer.onError(ErrorMapper.toStatus(error));
      } else {
        observer.onNext(builder.setHeader(headers.header()).build());
        observer.onCompleted();
      }
    });
  }

  @Override
  public void writeMany(WriteManyRequest request, StreamObserver<WriteManyResponse> observer) {
    long start = System.nanoTime();
    RuntimeException notReady = notReady();
    if (notReady != null) {
      observer.onError(ErrorMapper.toStatus(notReady));
      return;
    }
    List<CompletableFuture<WriteResponse.Builder>> responses = writes.writeAll(request.getWritesList());
    responses.forEach(r -> r.whenComplete((v, error) -> record(RedraftMetrics.Op.WRITE, start, error)));
    answerAll(responses, observer, (header, results) -> {
      WriteManyResponse.Builder out = WriteManyResponse.newBuilder().setHeader(header);
      for (Result<WriteResponse.Builder> r : results) {
        out.addOutcomes(r.error() == null ? WriteOutcome.newBuilder().setResponse(r.value().setHeader(header))
            : WriteOutcome.newBuilder().setError(r.error()));
      }
      return out.build();
    });
  }

  @Override
  public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
    long start = System.nanoTime();
    reads.readAll(List.of(request)).get(0).whenComplete((builder, error) -> {
      record(readOp(request), start, error);
      if (error != null) {
        observer.onError(ErrorMapper.toStatus(error));
      } else {
        observer.onNext(builder.setHeader(headers.header()).build());
        observer.onCompleted();
      }
    });
  }

  @Override
  public void readMany(ReadManyRequest request, StreamObserver<ReadManyResponse> observer) {
    long start = System.nanoTime();
    List<CompletableFuture<ReadResponse.Builder>> responses = reads.readAll(request.getReadsList());
    for (int i = 0; i < responses.size(); i++) {
      RedraftMetrics.Op op = readOp(request.getReads(i));
      responses.get(i).whenComplete((v, error) -> record(op, start, error));
    }
    answerAll(responses, observer, (header, results) -> {
      ReadManyResponse.Builder out = ReadManyResponse.newBuilder().setHeader(header);
      for (Result<ReadResponse.Builder> r : results) {
        out.addOutcomes(r.error() == null ? ReadOutcome.newBuilder().setResponse(r.value().setHeader(header))
            : ReadOutcome.newBuilder().setError(r.error()));
      }
      return out.build();
    });
  }

  /** One operation's outcome within a many-call: a value, or the error Write or Read would have ended with. */
  private record Result<T>(T value, CallError error) {}

  private interface ManyResponseBuilder<T, R> {
    R build(ResponseHeader header, List<Result<T>> results);
  }

  /** Answers once every operation has its outcome; one header, built once, serves them all. */
  private <T, R> void answerAll(List<CompletableFuture<T>> operations, StreamObserver<R> observer,
      ManyResponseBuilder<T, R> builder) {
    CompletableFuture.allOf(operations.toArray(CompletableFuture[]::new)).whenComplete((ignored, failed) -> {
      List<Result<T>> results = new ArrayList<>(operations.size());
      for (CompletableFuture<T> operation : operations) {
        Throwable error = operation.isCompletedExceptionally() ? operation.handle((v, e) -> e).join() : null;
        results.add(error == null ? new Result<>(operation.join(), null) : new Result<>(null, toCallError(error)));
      }
      observer.onNext(builder.build(headers.header(), results));
      observer.onCompleted();
    });
  }

  private static CallError toCallError(Throwable error) {
    Status status = ErrorMapper.toStatus(error).getStatus();
    // Only what was certainly not applied is marked retryable; UNAVAILABLE is retried by clients anyway.
    return CallError.newBuilder().setCode(status.getCode().value())
        .setMessage(status.getDescription() == null ? "" : status.getDescription())
        .setRetryable(status.getCode() == Status.Code.UNAVAILABLE)
        .build();
  }

  /** Why this node cannot take writes now, or null if it can. */
  private RuntimeException notReady() {
    try {
      health.requireReady();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  private static RedraftMetrics.Op readOp(ReadRequest request) {
    return request.getConsistency() == ReadConsistency.STALE ? RedraftMetrics.Op.READ_STALE : RedraftMetrics.Op.READ;
  }

  private void record(RedraftMetrics.Op op, long startNanos, Throwable error) {
    String kind = error == null ? null : ErrorMapper.toStatus(error).getStatus().getCode().name();
    metrics.request(op, System.nanoTime() - startNanos, kind);
  }
}
