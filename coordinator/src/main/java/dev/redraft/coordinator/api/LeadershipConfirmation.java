package dev.redraft.coordinator.api;

import dev.redraft.api.v1.ConfirmLeadershipRequest;
import dev.redraft.api.v1.ConfirmLeadershipResponse;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The second half of a linearizable read. Ratis 3.3.0 answers a ReadIndex request without asking
 * the followers again when an earlier round already acknowledged that commit index
 * ({@code ReadIndexHeartbeats}), so a deposed leader whose commit index stopped moving would keep
 * serving stale reads. After the read, the leader therefore confirms that a majority of voters
 * answered it within three quarters of the minimum election timeout (a follower asks the leader):
 * Ratis followers do not vote for anyone else for one minimum election timeout after hearing from
 * their leader, so no newer leader can exist. The clock assumption: nodes' clocks run at rates that
 * differ by less than a quarter over one election timeout; wall-clock offsets do not matter.
 */
final class LeadershipConfirmation {
  private static final int LOCAL_ATTEMPTS = 6;
  private static final long LOCAL_RETRY_MS = 100;
  private static final long REMOTE_DEADLINE_MS = 3_000;

  private final RaftNode raft;
  private final PeerChannels channels;
  private final Duration window;
  private final Executor executor;
  private final boolean confirmReads;

  /**
   * {@code confirmReads} is false only under the test-only {@code unsafe-read-option-default}
   * switch, whose stale reads the fault harness must be able to see (its self-test).
   */
  LeadershipConfirmation(RaftNode raft, PeerChannels channels, Duration minElectionTimeout, Executor executor,
      boolean confirmReads) {
    this.raft = raft;
    this.channels = channels;
    this.window = minElectionTimeout.multipliedBy(3).dividedBy(4);
    this.executor = executor;
    this.confirmReads = confirmReads;
  }

  /**
   * Completes normally if {@code leader}, the leader this node knew in {@code term} when the read
   * began, still leads in that term and is confirmed now; else with an UnavailableException.
   */
  CompletableFuture<Void> confirm(String leader, long term) {
    if (!confirmReads) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(() -> {
      if (leader.isEmpty()) {
        throw new UnavailableException("no leader was known when the read began: retry");
      }
      if (raft.status().term() != term) {
        throw new UnavailableException("the term changed during the read (" + term + " -> " + raft.status().term()
            + "): the read was not served; retry");
      }
      if (leader.equals(raft.status().nodeId())) {
        if (!confirmLocally()) {
          throw new UnavailableException("node " + leader + " could not confirm it still leads (no majority answered"
              + " within " + window.toMillis() + " ms): the read was not served; retry");
        }
        return;
      }
      ConfirmLeadershipResponse answer = channels.admin(leader, REMOTE_DEADLINE_MS, "confirm its leadership")
          .confirmLeadership(ConfirmLeadershipRequest.getDefaultInstance());
      if (!answer.getConfirmed() || answer.getTerm() != term) {
        throw new UnavailableException("leader " + leader + " could not confirm its leadership (" + answer.getDetail()
            + "): the read was not served; retry");
      }
    }, executor);
  }

  /** This node's own check, waiting briefly for the next heartbeat answers. */
  boolean confirmLocally() {
    for (int attempt = 1; attempt <= LOCAL_ATTEMPTS; attempt++) {
      if (raft.membership().leadershipConfirmed(window)) {
        return true;
      }
      if (!raft.membership().isLeader()) {
        return false;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(LOCAL_RETRY_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  ConfirmLeadershipResponse answer() {
    boolean confirmed = confirmLocally();
    return ConfirmLeadershipResponse.newBuilder().setNodeId(raft.status().nodeId()).setConfirmed(confirmed)
        .setTerm(raft.status().term())
        .setDetail(confirmed ? "" : raft.membership().isLeader()
            ? "no majority of voters answered within " + window.toMillis() + " ms" : "this node is not the leader")
        .build();
  }
}
