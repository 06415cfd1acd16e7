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

/**
 * How the client's coalesced KV operations reach the cluster: one per call, or many per call. A sender
 * of one group of a sharded cluster ({@code group} >= 0) sends each call's first attempt to that
 * group's leader as the client's {@link GroupRouter} knows it; the others take the usual route.
 */
final class KvSenders {
  private KvSenders() {}

  /** Routing of one group's calls: where the first attempt goes, and telling the router who answered. */
  record GroupRoute(GroupRouter router, int group) {
    /** No group: the usual route. */
    static final GroupRoute NONE = new GroupRoute(null, -1);

    GroupRouter.Target target() {
      return router == null ? null : router.targetOfGroup(group);
    }

    static String address(GroupRouter.Target target) {
      return target == null ? null : target.address();
    }

    void answered(GroupRouter.Target target, ResponseHeader header) {
      if (target != null) {
        router.answered(target, header.getNodeId());
      }
    }
  }

  /** Writes go to the leader (any node forwards), alone or many per call. */
  static final class Writes implements CallCoalescer.Sender<WriteRequest, WriteResponse> {
    private final RetryingCaller caller;
    private final GroupRoute route;

    Writes(RetryingCaller caller, GroupRoute route) {
      this.caller = caller;
      this.route = route;
    }

    @Override
    public CompletableFuture<WriteResponse> single(WriteRequest request) {
      GroupRouter.Target target = route.target();
      return caller.call(RetryingCaller.Route.LEADER, GroupRoute.address(target), RetryingCaller.Mode.STANDARD,
          (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
              .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).write(request, observer),
          WriteResponse::getHeader)
          .whenComplete((response, error) -> {
            if (response != null) {
              route.answered(target, response.getHeader());
            }
          });
    }

    @Override
    public CompletableFuture<List<CallCoalescer.Outcome<WriteResponse>>> many(List<WriteRequest> requests) {
      WriteManyRequest request = WriteManyRequest.newBuilder().addAllWrites(requests).build();
      GroupRouter.Target target = route.target();
      return caller.call(RetryingCaller.Route.LEADER, GroupRoute.address(target), RetryingCaller.Mode.STANDARD,
              (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
                  .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).writeMany(request, observer),
              WriteManyResponse::getHeader)
          .thenApply(response -> {
            route.answered(target, response.getHeader());
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

  /** Reads, alone or many per call (a group's sender carries linearizable reads only). */
  static final class Reads implements CallCoalescer.Sender<ReadRequest, ReadResponse> {
    private final RetryingCaller caller;
    private final GroupRoute route;

    Reads(RetryingCaller caller, GroupRoute route) {
      this.caller = caller;
      this.route = route;
    }

    @Override
    public CompletableFuture<ReadResponse> single(ReadRequest request) {
      GroupRouter.Target target = route.target();
      return caller.call(routeOf(List.of(request)), GroupRoute.address(target), RetryingCaller.Mode.STANDARD,
          (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
              .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).read(request, observer),
          ReadResponse::getHeader)
          .whenComplete((response, error) -> {
            if (response != null) {
              route.answered(target, response.getHeader());
            }
          });
    }

    @Override
    public CompletableFuture<List<CallCoalescer.Outcome<ReadResponse>>> many(List<ReadRequest> requests) {
      ReadManyRequest request = ReadManyRequest.newBuilder().addAllReads(requests).build();
      GroupRouter.Target target = route.target();
      return caller.call(routeOf(requests), GroupRoute.address(target), RetryingCaller.Mode.STANDARD,
              (channel, timeoutNanos, observer) -> KVGrpc.newStub(channel)
                  .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS).readMany(request, observer),
              ReadManyResponse::getHeader)
          .thenApply(response -> {
            route.answered(target, response.getHeader());
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
