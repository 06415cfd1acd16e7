package dev.redraft.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a failed channel is told to reconnect: at once, then 250 ms, 500 ms, then every second while it fails. */
class FailedChannelReconnectsTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final FailedChannelReconnects reconnects = new FailedChannelReconnects(nanos::get);
  private final FakeChannel channel = new FakeChannel();

  @Test
  void aFailedChannelReconnectsAtOnceThenAfterWaitsThatDoubleUpToASecond() {
    channel.state = ConnectivityState.TRANSIENT_FAILURE;
    long[] asksAtMs = new long[6_001];
    int asks = 0;
    for (int ms = 0; ms <= 6_000; ms += 10) { // a call every 10 ms for 6 s
      nanos.set(1_000_000_000L + TimeUnit.MILLISECONDS.toNanos(ms));
      int before = channel.resets.get();
      reconnects.reconnectIfFailed(channel);
      if (channel.resets.get() > before) {
        asksAtMs[asks++] = ms;
      }
    }
    assertThat(Arrays.copyOf(asksAtMs, asks))
        .containsExactly(0, 250, 750, 1_750, 2_750, 3_750, 4_750, 5_750);
  }

  @Test
  void aChannelThatWorksIsLeftAloneAndOneSeenReadyStartsOver() {
    channel.state = ConnectivityState.READY;
    reconnects.reconnectIfFailed(channel);
    assertThat(channel.resets).hasValue(0);

    channel.state = ConnectivityState.TRANSIENT_FAILURE;
    reconnects.reconnectIfFailed(channel);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
    reconnects.reconnectIfFailed(channel);
    assertThat(channel.resets).hasValue(2);

    channel.state = ConnectivityState.READY;
    reconnects.reconnectIfFailed(channel);
    channel.state = ConnectivityState.TRANSIENT_FAILURE;
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
    reconnects.reconnectIfFailed(channel);
    assertThat(channel.resets).as("a new failure reconnects at once").hasValue(3);
  }

  /** A channel whose state the test sets, counting the reconnects it is asked for. */
  private static final class FakeChannel extends ManagedChannel {
    volatile ConnectivityState state = ConnectivityState.IDLE;
    final AtomicInteger resets = new AtomicInteger();

    @Override
    public ConnectivityState getState(boolean requestConnection) {
      return state;
    }

    @Override
    public void resetConnectBackoff() {
      resets.incrementAndGet();
    }

    @Override
    public ManagedChannel shutdown() {
      return this;
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public ManagedChannel shutdownNow() {
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }

    @Override
    public <Q, A> ClientCall<Q, A> newCall(MethodDescriptor<Q, A> method, CallOptions options) {
      throw new UnsupportedOperationException("no calls in this test");
    }

    @Override
    public String authority() {
      return "fake";
    }
  }
}
