package dev.redraft.coordinator.tx;

import dev.redraft.coordinator.errors.Causes;
import dev.redraft.coordinator.errors.KeyLockedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Waits out a key locked by a transaction across groups: an operation refused because of a lock (not
 * applied, nothing read) is tried again after a short, growing, jittered pause, up to a bound. A prepared
 * transaction holds its locks for a few log rounds, so most waits are milliseconds; after a coordinator
 * crashed, until the node's recovery (api.TxRecovery) finishes the transaction.
 */
public final class LockWait {
  /** How long an operation waits for a lock at most before it fails with {@link KeyLockedException}. */
  public static final long BOUND_MS = 2_000;
  private static final long MAX_PAUSE_MS = 50;

  private LockWait() {}

  /**
   * How long a transaction's PREPARE waits for a lock at most: a transaction holds locks in other groups
   * while it waits, so two of them may wait for each other (a deadlock); a short wait ends it by
   * aborting, and the client sends the batch again.
   */
  public static final long PREPARE_BOUND_MS = 100;

  /** {@code first}, or if it fails on a lock, {@code again} until it does not (up to {@link #BOUND_MS}). */
  public static <T> CompletableFuture<T> retrying(CompletableFuture<T> first, Supplier<CompletableFuture<T>> again) {
    return retrying(BOUND_MS, first, again);
  }

  /** {@code attempt} until it does not fail on a lock (up to {@code boundMs}). */
  public static <T> CompletableFuture<T> retrying(long boundMs, Supplier<CompletableFuture<T>> attempt) {
    return retrying(boundMs, start(attempt), attempt);
  }

  /** {@code attempt} until it does not fail on a lock (up to {@link #BOUND_MS}). */
  public static <T> CompletableFuture<T> retrying(Supplier<CompletableFuture<T>> attempt) {
    return retrying(BOUND_MS, attempt);
  }

  private static <T> CompletableFuture<T> retrying(long boundMs, CompletableFuture<T> first,
      Supplier<CompletableFuture<T>> again) {
    CompletableFuture<T> out = new CompletableFuture<>();
    follow(first, again, out, 0, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMs), boundMs);
    return out;
  }

  private static <T> void follow(CompletableFuture<T> attempt, Supplier<CompletableFuture<T>> again,
      CompletableFuture<T> out, int tries, long giveUpAtNanos, long boundMs) {
    attempt.whenComplete((value, error) -> {
      if (error == null) {
        out.complete(value);
        return;
      }
      Throwable cause = Causes.unwrap(error);
      if (!(cause instanceof KeyLockedException locked)) {
        out.completeExceptionally(cause);
        return;
      }
      if (System.nanoTime() >= giveUpAtNanos) {
        out.completeExceptionally(stillLocked(locked, boundMs));
        return;
      }
      after(tries, () -> follow(start(again), again, out, tries + 1, giveUpAtNanos, boundMs));
    });
  }

  /** True if {@code error} (possibly wrapped) is a refusal on a locked key. */
  public static boolean isLocked(Throwable error) {
    return Causes.unwrap(error) instanceof KeyLockedException;
  }

  /** The error of an operation that waited the whole {@link #BOUND_MS} for {@code error}'s lock. */
  public static KeyLockedException stillLocked(Throwable error) {
    return stillLocked(Causes.unwrap(error), BOUND_MS);
  }

  private static KeyLockedException stillLocked(Throwable locked, long boundMs) {
    return new KeyLockedException(locked.getMessage() + "; still locked after " + boundMs + " ms (a transaction's"
        + " coordinator may have crashed: recovery finishes its transaction within seconds). Nothing was applied:"
        + " retry");
  }

  /** Runs {@code next} after the pause before try number {@code tries + 1}: growing, jittered. */
  public static void after(int tries, Runnable next) {
    long pause = Math.min(MAX_PAUSE_MS, 1L << Math.min(tries, 6));
    pause += ThreadLocalRandom.current().nextLong(pause + 1); // two waiters on each other's keys drift apart
    CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS).execute(next);
  }

  private static <T> CompletableFuture<T> start(Supplier<CompletableFuture<T>> attempt) {
    try {
      return attempt.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
