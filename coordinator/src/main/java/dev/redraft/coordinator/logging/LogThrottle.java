package dev.redraft.coordinator.logging;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for one kind of event, counting the ones left out, so an event
 * that repeats under load (a slow write, a failing call) cannot flood the log.
 */
public final class LogThrottle {
  /** Told when a line may be written: how many events were left out since the last one. */
  public static final long NOT_NOW = -1;

  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private boolean logged;
  private long lastLoggedNanos;
  private long skipped;

  public LogThrottle(long interval, TimeUnit unit) {
    this(interval, unit, System::nanoTime);
  }

  /** {@code nanoClock}: a monotonic clock in nanoseconds (tests move their own). */
  public LogThrottle(long interval, TimeUnit unit, LongSupplier nanoClock) {
    this.intervalNanos = unit.toNanos(interval);
    this.nanoClock = nanoClock;
  }

  /**
   * Records one event: returns how many were left out since the last line if this one may be logged
   * now, else {@link #NOT_NOW} (and counts it).
   */
  public synchronized long admit() {
    long now = nanoClock.getAsLong();
    if (logged && now - lastLoggedNanos < intervalNanos) {
      skipped++;
      return NOT_NOW;
    }
    logged = true;
    lastLoggedNanos = now;
    long left = skipped;
    skipped = 0;
    return left;
  }
}
