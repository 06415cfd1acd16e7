package dev.redraft.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a call is retried: at most {@code maxAttempts} attempts, each bounded by
 * {@code attemptTimeout}, separated by exponential backoff with jitter. The client's request
 * timeout bounds the whole call on top of this.
 *
 * @param maxAttempts attempts in total, at least 1 (1 means no retry)
 * @param attemptTimeout deadline of one attempt; a slow node is given up on after it
 * @param initialBackoff pause before the second attempt
 * @param maxBackoff cap of the pause between attempts
 * @param multiplier growth of the pause from one attempt to the next, at least 1
 * @param hedgeAfter how long an attempt may go unanswered before the same call is also sent to
 *     another endpoint (the first answer wins; a write carries the same session and sequence on both,
 *     so it is applied once); {@link Duration#ZERO} never sends a second one while the first runs
 */
public record RetryPolicy(int maxAttempts, Duration attemptTimeout, Duration initialBackoff,
                          Duration maxBackoff, double multiplier, Duration hedgeAfter) {
  /**
   * One second: about an election timeout's minimum. A node that has not answered by then may be
   * frozen or cut off, and waiting out the attempt timeout on it alone kept writes stalled for 3 s
   * after a leader froze (issue 12); a healthy cluster answers in milliseconds, so the second copy is rare.
   */
  public static final Duration DEFAULT_HEDGE_AFTER = Duration.ofSeconds(1);

  /** A policy with the default hedging delay. */
  public RetryPolicy(int maxAttempts, Duration attemptTimeout, Duration initialBackoff, Duration maxBackoff,
                     double multiplier) {
    this(maxAttempts, attemptTimeout, initialBackoff, maxBackoff, multiplier, DEFAULT_HEDGE_AFTER);
  }

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("retry maxAttempts must be at least 1, got " + maxAttempts);
    }
    requirePositive("attemptTimeout", attemptTimeout);
    requirePositive("initialBackoff", initialBackoff);
    requirePositive("maxBackoff", maxBackoff);
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("retry maxBackoff (" + maxBackoff
          + ") must not be below initialBackoff (" + initialBackoff + ")");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("retry multiplier must be a finite number >= 1, got " + multiplier);
    }
    if (hedgeAfter == null || hedgeAfter.isNegative()) {
      throw new IllegalArgumentException("retry hedgeAfter must be zero (off) or a positive duration, got " + hedgeAfter);
    }
  }

  /**
   * 10 attempts of at most 3 s each, backoff from 100 ms doubling up to 2 s: enough to ride out a
   * leader election (seconds), within the client's request timeout. An attempt unanswered for
   * {@link #DEFAULT_HEDGE_AFTER} is also sent to another endpoint.
   */
  public static RetryPolicy defaults() {
    return new RetryPolicy(10, Duration.ofSeconds(3), Duration.ofMillis(100), Duration.ofSeconds(2), 2.0);
  }

  /** One attempt only. */
  public static RetryPolicy noRetries() {
    return defaults().withMaxAttempts(1);
  }

  public RetryPolicy withMaxAttempts(int value) {
    return new RetryPolicy(value, attemptTimeout, initialBackoff, maxBackoff, multiplier, hedgeAfter);
  }

  public RetryPolicy withAttemptTimeout(Duration value) {
    return new RetryPolicy(maxAttempts, value, initialBackoff, maxBackoff, multiplier, hedgeAfter);
  }

  public RetryPolicy withBackoff(Duration initial, Duration max) {
    return new RetryPolicy(maxAttempts, attemptTimeout, initial, max, multiplier, hedgeAfter);
  }

  public RetryPolicy withMultiplier(double value) {
    return new RetryPolicy(maxAttempts, attemptTimeout, initialBackoff, maxBackoff, value, hedgeAfter);
  }

  /** Sends a call also to another endpoint once an attempt went unanswered this long; zero: never. */
  public RetryPolicy withHedgeAfter(Duration value) {
    return new RetryPolicy(maxAttempts, attemptTimeout, initialBackoff, maxBackoff, multiplier, value);
  }

  /** Whether an attempt unanswered for {@link #hedgeAfter} gets a second copy on another endpoint. */
  boolean hedges() {
    return !hedgeAfter.isZero() && hedgeAfter.compareTo(attemptTimeout) < 0 && maxAttempts > 1;
  }

  /**
   * The pause after the given number of failed attempts: the exponential step, of which a random
   * half is taken off so that many clients do not retry in lockstep.
   */
  long backoffNanos(int failedAttempts) {
    double step = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, failedAttempts - 1));
    long capped = (long) Math.min(step, maxBackoff.toNanos());
    long half = capped / 2;
    return half + ThreadLocalRandom.current().nextLong(half + 1);
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException("retry " + name + " must be a positive duration, got " + value);
    }
  }
}
