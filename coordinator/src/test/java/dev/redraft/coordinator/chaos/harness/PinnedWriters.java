package dev.redraft.coordinator.chaos.harness;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.KVGrpc;
import dev.redraft.api.v1.WriteRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One writer per node, each sending its writes only to that node (no client library, no leader
 * hint, no failover): the time between two of its acknowledgements is how long writes through that
 * node stalled, e.g. a follower whose forwarded writes wait on a leader that is gone. A failed
 * attempt is sent again with the same (client id, sequence) after 50 ms, so each write is applied
 * once. Keys {@code pin:<slot>:<n>} are outside the workload's history. Bounded in time.
 */
public final class PinnedWriters implements AutoCloseable {
  private static final long ATTEMPT_DEADLINE_MS = 20_000;
  private static final long RETRY_PAUSE_MS = 50;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<List<Long>> acks = new ArrayList<>();
  private final long deadlineNanos;

  /** {@code tls} null: plaintext channels. */
  public PinnedWriters(List<String> apiAddresses, SslContext tls, java.time.Duration maxDuration) {
    this.deadlineNanos = System.nanoTime() + maxDuration.toNanos();
    for (int slot = 0; slot < apiAddresses.size(); slot++) {
      NettyChannelBuilder builder = NettyChannelBuilder.forTarget(apiAddresses.get(slot));
      ManagedChannel channel = (tls == null ? builder.usePlaintext() : builder.sslContext(tls)).build();
      channels.add(channel);
      List<Long> slotAcks = new ArrayList<>();
      acks.add(slotAcks);
      int s = slot;
      Thread thread = new Thread(() -> run(s, channel, slotAcks), "pinned-writer-" + Network.name(slot));
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
  }

  private void run(int slot, ManagedChannel channel, List<Long> slotAcks) {
    // Stamped (opening time): in a sharded cluster its keys span groups, and a stamped session opens in
    // each group at whatever sequence its first write there carries.
    String clientId = "pin-" + Network.name(slot) + "-" + UUID.randomUUID() + "@" + System.currentTimeMillis();
    long sequence = 1;
    while (running.get() && System.nanoTime() < deadlineNanos) {
      WriteRequest request = WriteRequest.newBuilder().setClientId(clientId).setSequence(sequence)
          .addCommands(Command.newBuilder().setName("SET")
              .addArgs(ByteString.copyFromUtf8("pin:" + slot + ":" + (sequence % 64)))
              .addArgs(ByteString.copyFromUtf8(Long.toString(sequence))))
          .build();
      try {
        KVGrpc.newBlockingStub(channel).withDeadlineAfter(ATTEMPT_DEADLINE_MS, TimeUnit.MILLISECONDS).write(request);
        long now = System.nanoTime();
        synchronized (slotAcks) {
          slotAcks.add(now);
        }
        sequence++;
      } catch (RuntimeException failed) {
        pause();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** When the writer through {@code slot} got its writes acknowledged. */
  public long[] acks(int slot) {
    List<Long> slotAcks = acks.get(slot);
    synchronized (slotAcks) {
      return slotAcks.stream().mapToLong(Long::longValue).toArray();
    }
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread thread : threads) {
      try {
        thread.join(ATTEMPT_DEADLINE_MS + 5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.forEach(ManagedChannel::shutdownNow);
  }
}
