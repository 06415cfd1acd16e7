package dev.redraft.coordinator.api;

import dev.redraft.api.v1.CallError;
import dev.redraft.api.v1.KVGrpc;
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
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The public KV service, a thin adapter: {@link KvOperations} does the work (and records metrics);
 * this class answers gRPC calls, one operation or many.
 */
final class KvService extends KVGrpc.KVImplBase {
  private final KvOperations kv;
  private final HeaderFactory headers;

  KvService(KvOperations kv, HeaderFactory headers) {
    this.kv = kv;
    this.headers = headers;
  }

  @Override
  public void write(WriteRequest request, StreamObserver<WriteResponse> observer) {
    kv.writeAll(List.of(request)).get(0).whenComplete((builder, error) -> {
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
    // Not ready fails the whole call (clients retry it elsewhere), not each write on its own.
    RuntimeException notReady = kv.notReady(request.getWritesList());
    if (notReady != null) {
      observer.onError(ErrorMapper.toStatus(notReady));
      return;
    }
    List<CompletableFuture<WriteResponse.Builder>> responses = kv.writeAll(request.getWritesList());
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
    kv.readAll(List.of(request)).get(0).whenComplete((builder, error) -> {
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
    List<CompletableFuture<ReadResponse.Builder>> responses = kv.readAll(request.getReadsList());
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
}
