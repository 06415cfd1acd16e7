package dev.redraft.client;

import dev.redraft.api.FailedChannelReconnects;
import dev.redraft.api.v1.ResponseHeader;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The endpoints a client talks to: one lazily opened channel per address, a current endpoint that
 * moves on when it fails, and the leader hint taken from response headers. Writes go to the
 * leader when it is known (saving the forwarding hop); reads stay on the current endpoint.
 */
final class EndpointPool implements AutoCloseable {
  private final List<String> configured;
  private final ChannelFactory channelFactory;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final FailedChannelReconnects reconnects = new FailedChannelReconnects();
  private final AtomicInteger current = new AtomicInteger();
  private final AtomicReference<String> leaderHint = new AtomicReference<>();
  private volatile boolean closed;

  EndpointPool(List<String> endpoints, ChannelFactory channelFactory) {
    this.configured = List.copyOf(endpoints);
    this.channelFactory = channelFactory;
    // Opening a channel does not connect; doing it now rejects a malformed endpoint at once.
    try {
      configured.forEach(this::channel);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  List<String> configured() {
    return configured;
  }

  /** Where the next write goes: the hinted leader, else the current endpoint. */
  String forWrite() {
    String leader = leaderHint.get();
    return leader != null ? leader : forRead();
  }

  /** Where the next read goes. */
  String forRead() {
    return configured.get(Math.floorMod(current.get(), configured.size()));
  }

  /**
   * Where a second copy of a call goes while {@code busy} does not answer: the current endpoint if it
   * is another one, else the next configured one; null if there is no other.
   */
  String other(String busy) {
    int index = current.get();
    for (int i = 0; i < configured.size(); i++) {
      String candidate = configured.get(Math.floorMod(index + i, configured.size()));
      if (!candidate.equals(busy)) {
        return candidate;
      }
    }
    return null;
  }

  String leaderHint() {
    return leaderHint.get();
  }

  ManagedChannel channel(String endpoint) {
    if (closed) {
      throw new IllegalStateException("the Redraft client is closed; build a new one");
    }
    ManagedChannel channel = channels.computeIfAbsent(endpoint, channelFactory::open);
    if (closed) {
      // close() may have missed a channel opened concurrently.
      channel.shutdownNow();
      throw new IllegalStateException("the Redraft client is closed; build a new one");
    }
    reconnects.reconnectIfFailed(channel); // a node back after a restart is reached by the next attempt
    return channel;
  }

  /** The endpoint did not answer: forget it as leader and move the current endpoint past it. */
  void reportUnavailable(String endpoint) {
    leaderHint.compareAndSet(endpoint, null);
    int index = current.get();
    if (configured.get(Math.floorMod(index, configured.size())).equals(endpoint)) {
      current.compareAndSet(index, index + 1);
    }
  }

  /** Learns the leader's API address from a response, when the node knows it. */
  void observe(ResponseHeader header) {
    String leader = header.getLeaderApiAddress();
    if (!leader.isEmpty()) {
      leaderHint.set(leader);
    }
  }

  @Override
  public void close() {
    closed = true;
    List<ManagedChannel> open = new ArrayList<>(channels.values());
    open.forEach(ManagedChannel::shutdownNow);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ManagedChannel channel : open) {
      try {
        channel.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
