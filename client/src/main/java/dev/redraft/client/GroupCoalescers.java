package dev.redraft.client;

import com.google.protobuf.ByteString;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The client's coalesced calls of one kind (writes or reads), split by Raft group in a sharded
 * cluster: an operation whose key's group has a known leader joins that group's coalescer, whose calls
 * go to that leader (so each call carries one group's operations, which the leader commits as one
 * entry, with no forwarding hop); any other operation joins the unrouted one, as in a cluster of one
 * group.
 *
 * @param <Q> one operation's request
 * @param <R> one operation's response
 */
final class GroupCoalescers<Q, R> {
  private final GroupRouter router;
  /** The key a request is routed by (its first), or null: not routed. */
  private final Function<Q, ByteString> routingKey;
  private final CallCoalescer<Q, R> unrouted;
  private final IntFunction<CallCoalescer<Q, R>> coalescerOfGroup;
  private final Map<Integer, CallCoalescer<Q, R>> byGroup = new ConcurrentHashMap<>();

  GroupCoalescers(GroupRouter router, Function<Q, ByteString> routingKey, CallCoalescer<Q, R> unrouted,
      IntFunction<CallCoalescer<Q, R>> coalescerOfGroup) {
    this.router = router;
    this.routingKey = routingKey;
    this.unrouted = unrouted;
    this.coalescerOfGroup = coalescerOfGroup;
  }

  CompletableFuture<R> submit(Q request) {
    ByteString key = routingKey.apply(request);
    GroupRouter.Target target = key == null ? null : router.targetOf(key);
    CallCoalescer<Q, R> coalescer = target == null ? unrouted
        : byGroup.computeIfAbsent(target.group(), coalescerOfGroup::apply);
    return coalescer.submit(request);
  }
}
