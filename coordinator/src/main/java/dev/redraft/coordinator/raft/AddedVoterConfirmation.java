package dev.redraft.coordinator.raft;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger LOG = LoggerFactory.getLogger(AddedVoterConfirmation.class);

  private AddedVoterConfirmation() {}

  /**
   * After {@code leaderId} added voter {@code id} in the configuration at {@code configurationIndex}: waits up to
   * {@link #WAIT} while it leads for the new voter's commit index (the leader's commit infos) to reach it; logs
   * if it does not.
   */
  static void awaitAfterAddition(String leaderId, String id, long configurationIndex,
      Supplier<RaftServer.Division> division, BooleanSupplier leads) {
    LongSupplier voterCommit = () -> {
      try {
        return division.get().getCommitInfos().stream()
            .filter(info -> info.getServer().getId().toStringUtf8().equals(id))
            .mapToLong(CommitInfoProto::getCommitIndex).findFirst().orElse(-1);
      } catch (RuntimeException stopping) {
        return -1; // the division is closing: the wait ends with the leadership
      }
    };
    try {
      if (await(voterCommit, configurationIndex, leads, WAIT)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!leads.getAsBoolean()) {
      LOG.info("node {}: {} was added (configuration at index {}); this node stopped leading before {} confirmed it",
          leaderId, id, configurationIndex, id);
    } else {
      LOG.warn("node {}: {} was added, but has not confirmed the configuration that names it (index {}) within {} s;"
          + " until it does it cannot vote, and losing another voter meanwhile leaves the group without a leader"
          + " until one comes back", leaderId, id, configurationIndex, WAIT.toSeconds());
    }
  }

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
