package dev.redraft.api;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Cuts gRPC's reconnect backoff short for a channel whose node was down. Such a channel fails every call
 * at once until its backoff ends (1 s, then 1.6 times longer after each failed connect, up to 2 minutes),
 * so a node back after a restart of half a minute stayed out of reach for up to ~25 s more. Asked before
 * a call, a channel in TRANSIENT_FAILURE connects now (at most every {@value #EVERY_MS} ms per channel):
 * that call still fails, and the caller's next attempt finds the node. Not waitForReady: a call to a
 * node that is down must fail at once, not wait for its deadline. The client's endpoints and the
 * coordinator's channels to its peers both use it (kept here, beside the wire contract both build on).
 */
public final class FailedChannelReconnects {
  static final long EVERY_MS = 250;

  /** When each failed channel was last asked to reconnect (System.nanoTime()). */
  private final Map<ManagedChannel, Long> asked = new ConcurrentHashMap<>();

  /** Makes {@code channel} connect now if it is in TRANSIENT_FAILURE and was not asked in the last 250 ms. */
  public void reconnectIfFailed(ManagedChannel channel) {
    if (channel.getState(false) != ConnectivityState.TRANSIENT_FAILURE) {
      return;
    }
    long now = System.nanoTime();
    Long last = asked.get(channel);
    if (last != null && now - last < TimeUnit.MILLISECONDS.toNanos(EVERY_MS)) {
      return;
    }
    boolean mine = last == null ? asked.putIfAbsent(channel, now) == null : asked.replace(channel, last, now);
    if (mine) {
      channel.resetConnectBackoff();
    }
  }
}
