package dev.redraft.client;

import dev.redraft.api.v1.KVGrpc;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadManyRequest;
import dev.redraft.api.v1.ReadManyResponse;
import dev.redraft.api.v1.ReadOutcome;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.WriteManyRequest;
import dev.redraft.api.v1.WriteManyResponse;
import dev.redraft.api.v1.WriteOutcome;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** How the client's coalesced KV operations reach the cluster: one per call, or many per call. */
final class KvSenders {
  private KvSenders() {}

  /** Writes go to the leader (any node forwards), alone or many per call. */
  static final class Writes implements CallCoalescer.Sender<WriteRequest, WriteResponse> {
    private final RetryingCaller caller;

    Writes(RetryingCaller caller) {
      this.caller = caller;
    }

    @Override
    public CompletableFuture<WriteResponse> single(WriteRequest request) {
      return caller.call(RetryingCaller.Route.LEADER,
          (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
              .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).write(request, observer),
          WriteResponse::getHeader);
    }

    @Override
    public CompletableFuture<List<CallCoalescer.Outcome<WriteResponse>>> many(List<WriteRequest> requests) {
      WriteManyRequest request = WriteManyRequest.newBuilder().addAllWrites(requests).build();
      return caller.call(RetryingCaller.Route.LEADER,
              (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
                  .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).writeMany(request, observer),
              WriteManyResponse::getHeader)
          .thenApply(response -> {
            List<CallCoalescer.Outcome<WriteResponse>> outcomes = new ArrayList<>(response.getOutcomesCount());
            for (WriteOutcome o : response.getOutcomesList()) {
              outcomes.add(new CallCoalescer.Outcome<>(o.hasResponse() ? o.getResponse() : null,
                  o.hasError() ? o.getError() : null, response.getHeader().getNodeId()));
            }
            return outcomes;
          });
    }
  }

  /**
   * Linearizable reads go to the leader, which serves them without asking another node for a read
   * index (any node would do, but a follower asks the leader anyway); stale and at-index reads go to
   * any node.
   */
  private static RetryingCaller.Route routeOf(List<ReadRequest> requests) {
    for (ReadRequest request : requests) {
      if (request.getConsistency() == ReadConsistency.LINEARIZABLE) {
        return RetryingCaller.Route.LEADER;
      }
    }
    return RetryingCaller.Route.ANY;
  }

  /** Reads, alone or many per call. */
  static final class Reads implements CallCoalescer.Sender<ReadRequest, ReadResponse> {
    private final RetryingCaller caller;

    Reads(RetryingCaller caller) {
      this.caller = caller;
    }

    @Override
    public CompletableFuture<ReadResponse> single(ReadRequest request) {
      return caller.call(routeOf(List.of(request)),
          (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
              .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).read(request, observer),
          ReadResponse::getHeader);
    }

    @Override
    public CompletableFuture<List<CallCoalescer.Outcome<ReadResponse>>> many(List<ReadRequest> requests) {
      ReadManyRequest request = ReadManyRequest.newBuilder().addAllReads(requests).build();
      return caller.call(routeOf(requests),
              (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
                  .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).readMany(request, observer),
              ReadManyResponse::getHeader)
          .thenApply(response -> {
            List<CallCoalescer.Outcome<ReadResponse>> outcomes = new ArrayList<>(response.getOutcomesCount());
            for (ReadOutcome o : response.getOutcomesList()) {
              outcomes.add(new CallCoalescer.Outcome<>(o.hasResponse() ? o.getResponse() : null,
                  o.hasError() ? o.getError() : null, response.getHeader().getNodeId()));
            }
            return outcomes;
          });
    }
  }

}
