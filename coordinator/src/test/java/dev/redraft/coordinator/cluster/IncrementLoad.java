package dev.redraft.coordinator.cluster;

import dev.redraft.client.OutcomeUnknownException;
import dev.redraft.client.RedraftClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients incrementing one counter until stopped, counting increments that were acknowledged and
 * those whose outcome is unknown (may or may not have been applied). Bounded in time.
 */
final class IncrementLoad implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong definitelyFailed = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();

  IncrementLoad(List<RedraftClient> clients, String key, Duration maxDuration) {
    long deadline = System.nanoTime() + maxDuration.toNanos();
    for (RedraftClient client : clients) {
      Thread thread = new Thread(() -> {
        while (running.get() && System.nanoTime() < deadline) {
          try {
            client.incr(key);
            acknowledged.incrementAndGet();
          } catch (OutcomeUnknownException e) {
            unknown.incrementAndGet();
          } catch (RuntimeException e) {
            // Any other failure of a write that was sent may still have been applied.
            unknown.incrementAndGet();
          }
        }
      }, "incr-load");
      thread.start();
      threads.add(thread);
    }
  }

  long acknowledged() {
    return acknowledged.get();
  }

  long unknown() {
    return unknown.get();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(60_000);
    }
  }
}
