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
 */
public record RetryPolicy(int maxAttempts, Duration attemptTimeout, Duration initialBackoff,
                          Duration maxBackoff, double multiplier) {
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
  }

  /**
   * 10 attempts of at most 3 s each, backoff from 100 ms doubling up to 2 s: enough to ride out a
   * leader election (seconds), within the client's request timeout.
   */
  public static RetryPolicy defaults() {
    return new RetryPolicy(10, Duration.ofSeconds(3), Duration.ofMillis(100), Duration.ofSeconds(2), 2.0);
  }

  /** One attempt only. */
  public static RetryPolicy noRetries() {
    return defaults().withMaxAttempts(1);
  }

  public RetryPolicy withMaxAttempts(int value) {
    return new RetryPolicy(value, attemptTimeout, initialBackoff, maxBackoff, multiplier);
  }

  public RetryPolicy withAttemptTimeout(Duration value) {
    return new RetryPolicy(maxAttempts, value, initialBackoff, maxBackoff, multiplier);
  }

  public RetryPolicy withBackoff(Duration initial, Duration max) {
    return new RetryPolicy(maxAttempts, attemptTimeout, initial, max, multiplier);
  }

  public RetryPolicy withMultiplier(double value) {
    return new RetryPolicy(maxAttempts, attemptTimeout, initialBackoff, maxBackoff, value);
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
