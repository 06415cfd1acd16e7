package dev.redraft.coordinator.verify;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** On the leader, appends a VERIFY entry to the log every verify-interval. */
public final class VerifyScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VerifyScheduler.class);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "redraft-verify-timer");
    t.setDaemon(true);
    return t;
  });

  public VerifyScheduler(Duration interval, BooleanSupplier isLeader, Supplier<CompletableFuture<Long>> proposeVerify) {
    if (interval.isZero()) {
      return;
    }
    timer.scheduleWithFixedDelay(() -> {
      if (!isLeader.getAsBoolean()) {
        return;
      }
      try {
        long round = proposeVerify.get().get(interval.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        LOG.debug("verification round {} appended", round);
      } catch (Exception e) {
        LOG.warn("appending a VERIFY entry failed ({}); the next interval tries again", e.toString());
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
