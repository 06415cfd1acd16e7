package dev.redraft.client;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * How the client's coalesced KV operations reach the cluster: one per call, or many per call. A sender
 * of one group of a sharded cluster ({@code group} >= 0) sends each call's first attempt to that
 * group's leader as the client's {@link GroupRouter} knows it; the others take the usual route.
 */
final class KvSenders {
  private KvSenders() {}

  /** No routing: every call takes the usual route. */
  static <Q> Function<Q, GroupRouter.Target> unrouted() {
    return request -> null;
  }

  private static String address(GroupRouter.Target target) {
    return target == null ? null : target.address();
  }

  /** Tells the router who answered a routed call; never fails the call, whose outcome is known. */
  private static void answered(GroupRouter router, GroupRouter.Target target, ResponseHeader header) {
    if (target == null) {
      return;
    }
    try {
      router.answered(target, header.getNodeId());
    } catch (RuntimeException closing) {
      // the client is closing: the layout no longer matters
    }
  }

  /** Writes go to the leader (any node forwards), alone or many per call. */
  static final class Writes implements CallCoalescer.Sender<WriteRequest, WriteResponse> {
    private final RetryingCaller caller;
    private final GroupRouter router;
    private final Function<WriteRequest, GroupRouter.Target> targetOf;

    Writes(RetryingCaller caller, GroupRouter router, Function<WriteRequest, GroupRouter.Target> targetOf) {
      this.caller = caller;
      this.router = router;
      this.targetOf = targetOf;
    }

    @Override
    public CompletableFuture<WriteResponse> single(WriteRequest request) {
      GroupRouter.Target target = targetOf.apply(request);
      return caller.call(RetryingCaller.Route.LEADER, address(target), RetryingCaller.Mode.STANDARD,
          (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
              .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).write(request, observer),
          WriteResponse::getHeader)
          .whenComplete((response, error) -> {
            if (response != null) {
              answered(router, target, response.getHeader());
            }
          });
    }

    @Override
    public CompletableFuture<List<CallCoalescer.Outcome<WriteResponse>>> many(List<WriteRequest> requests) {
      WriteManyRequest request = WriteManyRequest.newBuilder().addAllWrites(requests).build();
      GroupRouter.Target target = targetOf.apply(requests.get(0));
      return caller.call(RetryingCaller.Route.LEADER, address(target), RetryingCaller.Mode.STANDARD,
              (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
                  .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).writeMany(request, observer),
              WriteManyResponse::getHeader)
          .thenApply(response -> {
            answered(router, target, response.getHeader());
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
    private final GroupRouter router;
    private final Function<ReadRequest, GroupRouter.Target> targetOf;

    Reads(RetryingCaller caller, GroupRouter router, Function<ReadRequest, GroupRouter.Target> targetOf) {
      this.caller = caller;
      this.router = router;
      this.targetOf = targetOf;
    }

    @Override
    public CompletableFuture<ReadResponse> single(ReadRequest request) {
      GroupRouter.Target target = targetOf.apply(request);
      return caller.call(routeOf(List.of(request)), address(target), RetryingCaller.Mode.STANDARD,
          (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
              .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).read(request, observer),
          ReadResponse::getHeader)
          .whenComplete((response, error) -> {
            if (response != null) {
              answered(router, target, response.getHeader());
            }
          });
    }

    @Override
    public CompletableFuture<List<CallCoalescer.Outcome<ReadResponse>>> many(List<ReadRequest> requests) {
      ReadManyRequest request = ReadManyRequest.newBuilder().addAllReads(requests).build();
      GroupRouter.Target target = targetOf.apply(requests.get(0));
      return caller.call(routeOf(requests), address(target), RetryingCaller.Mode.STANDARD,
              (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
                  .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).readMany(request, observer),
              ReadManyResponse::getHeader)
          .thenApply(response -> {
            answered(router, target, response.getHeader());
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
