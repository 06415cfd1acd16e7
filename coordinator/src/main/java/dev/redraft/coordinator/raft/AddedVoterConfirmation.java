package dev.redraft.coordinator.raft;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * After an addition is committed, waits until the new voter has taken in the configuration that names it
 * (its commit index, as its append replies report it, reached that configuration's entry), so that an
 * acknowledged addition means the new voter can vote.
 *
 * <p>Why: Ratis commits the new configuration with the old voters alone, and a node added empty stays
 * "starting" until an append tells it that it caught up; until then it refuses every vote ("not in
 * [RUNNING]"). If the leader was lost in that window, the remaining voters needed the new one's vote and
 * never got it: no leader at all until the old leader came back (fault suite: a leader cut off the moment
 * an addition was acknowledged, 30 s without a leader). A leader lost during the change itself, before the
 * acknowledgement, can still leave that window open; the change's outcome is unknown to the caller then.
 */
final class AddedVoterConfirmation {
  static final Duration WAIT = Duration.ofSeconds(10);
  private static final long POLL_MS = 20;

  private AddedVoterConfirmation() {}

  /**
   * Waits up to {@code wait} while this node leads, until {@code voterCommit} (the new voter's commit index,
   * -1 while unknown) reaches {@code configurationIndex}; returns whether it did.
   */
  static boolean await(LongSupplier voterCommit, long configurationIndex, BooleanSupplier leads, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      if (voterCommit.getAsLong() >= configurationIndex) {
        return true;
      }
      if (!leads.getAsBoolean() || System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(POLL_MS);
    }
  }
}
