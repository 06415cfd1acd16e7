package dev.redraft.api;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Cuts gRPC's reconnect backoff short for a channel whose node was down. Such a channel fails every call
 * at once until its backoff ends (1 s, then 1.6 times longer after each failed connect, up to 2 minutes),
 * so a node back after a restart of half a minute stayed out of reach for 10-20 s more. Asked before a
 * call, a channel in TRANSIENT_FAILURE connects now: that call still fails, and the caller's next attempt
 * finds the node. Not waitForReady: a call to a node that is down must fail at once, not wait for its
 * deadline. Asked again while the failure lasts, it reconnects after {@value #FIRST_MS} ms, then twice as
 * long each time up to {@value #MOST_MS} ms (so a node that stays unreachable, or refuses the handshake,
 * gets a connection a second per caller, not a stream of them); a channel seen working again starts over.
 * The client's endpoints and the coordinator's channels to its peers both use it (kept here, beside the
 * wire contract both build on).
 */
public final class FailedChannelReconnects {
  static final long FIRST_MS = 250;
  static final long MOST_MS = 1_000;

  /** When a failed channel was last asked to reconnect (nanoClock) and the wait before the next. */
  private record Asked(long atNanos, long waitMs) {}

  /** A channel whose state cannot be read (a caller's own ManagedChannel may not implement getState). */
  private static final Asked STATELESS = new Asked(0, Long.MAX_VALUE);

  private final LongSupplier nanoClock;
  private final Map<ManagedChannel, Asked> asked = new ConcurrentHashMap<>();

  public FailedChannelReconnects() {
    this(System::nanoTime);
  }

  /** {@code nanoClock}: a monotonic clock in nanoseconds (tests move their own). */
  FailedChannelReconnects(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** Makes {@code channel} connect now if it is in TRANSIENT_FAILURE and its wait since the last ask is over. */
  public void reconnectIfFailed(ManagedChannel channel) {
    if (asked.get(channel) == STATELESS) {
      return;
    }
    ConnectivityState state;
    try {
      state = channel.getState(false);
    } catch (UnsupportedOperationException notImplemented) {
      asked.put(channel, STATELESS);
      return;
    }
    if (state != ConnectivityState.TRANSIENT_FAILURE) {
      if (state == ConnectivityState.READY) {
        asked.remove(channel);
      }
      return;
    }
    long now = nanoClock.getAsLong();
    Asked last = asked.get(channel);
    if (last != null && now - last.atNanos() < TimeUnit.MILLISECONDS.toNanos(last.waitMs())) {
      return;
    }
    Asked next = new Asked(now, last == null ? FIRST_MS : Math.min(last.waitMs() * 2, MOST_MS));
    boolean mine = last == null ? asked.putIfAbsent(channel, next) == null : asked.replace(channel, last, next);
    if (mine) {
      channel.resetConnectBackoff();
    }
  }
}
