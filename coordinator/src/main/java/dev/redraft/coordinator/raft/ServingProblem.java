package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.node.NodeHealth;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Why this node cannot serve as leader right now, if it cannot: it needs repair (diverged, or its
 * Redis lost data and is being rebuilt), it is not ready (its Redis is unreachable), or its apply
 * pipeline has entries to apply and has applied none of them for a while (its Redis hangs). Sampled
 * by {@link LeadershipHealthGuard}; not thread-safe.
 *
 * <p>An apply pipeline that is idle, or drained for a snapshot, is not stalled: only entries handed
 * to it and not applied count.
 */
final class ServingProblem {
  /**
   * What is wrong; whether it is bad enough to act on at once (without waiting for the bound); and
   * since when (System.nanoTime()) the node has not been able to serve without a break.
   */
  record Problem(String reason, boolean urgent, long sinceNanos) {}

  /** Entries waiting this long with nothing applied count as a stall (a normal apply takes milliseconds). */
  private static final long STALL_MIN_MS = 500;

  private final NodeHealth health;
  private final LongSupplier applied;
  private final LongSupplier handedToApply;
  private final LongSupplier nanoClock;
  private long lastApplied = -1;
  private long lastProgressNanos;
  /** When the current run of problems began, or 0 while the node can serve. */
  private long problemSinceNanos;

  ServingProblem(NodeHealth health, LongSupplier applied, LongSupplier handedToApply) {
    this(health, applied, handedToApply, System::nanoTime);
  }

  /** @param nanoClock System.nanoTime(), or a test's clock */
  ServingProblem(NodeHealth health, LongSupplier applied, LongSupplier handedToApply, LongSupplier nanoClock) {
    this.health = health;
    this.applied = applied;
    this.handedToApply = handedToApply;
    this.nanoClock = nanoClock;
    this.lastProgressNanos = nanoClock.getAsLong();
  }

  /** The problem now, or null; call regularly (each call also samples the apply progress). */
  Problem sample() {
    long now = nanoClock.getAsLong();
    long appliedNow = applied.getAsLong();
    long waiting = handedToApply.getAsLong() - appliedNow;
    if (appliedNow != lastApplied || waiting <= 0) {
      lastApplied = appliedNow;
      lastProgressNanos = now;
    }
    String reason = null;
    boolean urgent = false;
    long stalledMs = TimeUnit.NANOSECONDS.toMillis(now - lastProgressNanos);
    if (health.isRemoved()) {
      reason = null; // the removal watch retires the node; nothing to hand over for
    } else if (health.needsRepair()) {
      reason = "it needs repair: " + health.reason();
      urgent = true;
    } else if (!health.isReady()) {
      reason = "it is not ready: " + health.reason();
    } else if (stalledMs >= STALL_MIN_MS) {
      reason = "it has applied none of " + waiting + " committed entries for " + stalledMs + " ms (applied index "
          + appliedNow + "): its Redis does not take writes";
    }
    if (reason == null) {
      problemSinceNanos = 0;
      return null;
    }
    if (problemSinceNanos == 0) {
      problemSinceNanos = Math.min(now, lastProgressNanos);
    }
    return new Problem(reason, urgent, problemSinceNanos);
  }
}
