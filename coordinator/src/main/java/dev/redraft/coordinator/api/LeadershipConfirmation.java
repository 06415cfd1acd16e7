package dev.redraft.coordinator.api;

import dev.redraft.api.v1.AcknowledgeLeaderRequest;
import dev.redraft.api.v1.AcknowledgeLeaderResponse;
import dev.redraft.api.v1.ConfirmLeadershipRequest;
import dev.redraft.api.v1.ConfirmLeadershipResponse;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of a linearizable read. Ratis 3.3.0 answers a ReadIndex request without asking
 * the followers again when an earlier round already acknowledged that commit index
 * ({@code ReadIndexHeartbeats}), so a deposed leader whose commit index stopped moving would keep
 * serving stale reads. After the read, the leader therefore runs a round of its own, started after
 * the read began: a majority of voters (itself included; during a membership change, of both
 * configurations) must say that, now, they are in its term and follow it. A newer leader needs
 * the votes of a majority in a later term, and any two majorities share a node, so no write of a
 * newer leader can have completed before the read began. No clock or timeout is assumed. A
 * follower that serves a read asks the leader to run such a round (ConfirmLeadership).
 *
 * <p>Concurrent reads share rounds: a read joins the next round to start, never one already running.
 */
final class LeadershipConfirmation {
  private static final Logger LOG = LoggerFactory.getLogger(LeadershipConfirmation.class);
  /** How long a round waits for the followers' answers. */
  private static final long ACK_DEADLINE_MS = 1_000;
  private static final long REMOTE_DEADLINE_MS = 3_000;
  /** A new leader is ready once it commits an entry of its term (milliseconds, unless its followers lag). */
  private static final int NOT_READY_ATTEMPTS = 10;
  private static final long NOT_READY_PAUSE_MS = 100;

  private final RaftNode raft;
  private final PeerChannels channels;
  private final Executor executor;
  private final boolean confirmReads;
  private final Object lock = new Object();
  private CompletableFuture<Boolean> nextRound;
  private boolean roundRunning;

  /**
   * {@code confirmReads} is false only under the test-only {@code unsafe-read-option-default}
   * switch, whose stale reads the fault harness must be able to see (its self-test).
   */
  LeadershipConfirmation(RaftNode raft, PeerChannels channels, Executor executor, boolean confirmReads) {
    this.raft = raft;
    this.channels = channels;
    this.executor = executor;
    this.confirmReads = confirmReads;
  }

  /** False only under the test-only unsafe read switch: reads are then not confirmed at all. */
  boolean confirmsReads() {
    return confirmReads;
  }

  /**
   * On the leader: completes normally if {@code leader}, the leader this node knew in {@code term}
   * when the read began, is this node and still leads in that term, confirmed by a round that started
   * after this call; else with an UnavailableException.
   */
  CompletableFuture<Void> confirm(String leader, long term) {
    if (!confirmReads) {
      return CompletableFuture.completedFuture(null);
    }
    if (!leader.equals(raft.brief().nodeId())) {
      return CompletableFuture.failedFuture(new UnavailableException("node " + raft.brief().nodeId()
          + " no longer leads (the leader known when the read began was '" + leader + "'): retry"));
    }
    return joinNextRound().thenAccept(confirmed -> {
      if (!confirmed || raft.brief().term() != term) {
        throw new UnavailableException("node " + leader + " could not confirm it still leads term " + term
            + " (no majority of voters acknowledged it): the read was not served; retry");
      }
    });
  }

  /**
   * For a follower's ConfirmLeadership, the leader's half of a follower's linearizable read: this
   * node's commit index when the call arrived (the read index; only once it committed an entry of its
   * term, so the index covers every write acknowledged by an earlier leader), confirmed by a round of
   * its own started after the call arrived. The follower then waits to apply up to that index, which
   * it would otherwise learn only at the next periodic heartbeat when no entry follows: it is told soon.
   */
  ConfirmLeadershipResponse answer() {
    Optional<RaftNode.LeaderReadIndex> readIndex = raft.leaderReadIndex();
    raft.noticeCommitSoon();
    boolean confirmed = false;
    if (readIndex.isPresent()) {
      try {
        confirmed = joinNextRound().get(REMOTE_DEADLINE_MS, TimeUnit.MILLISECONDS)
            && raft.brief().term() == readIndex.get().term();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
    }
    RaftStatus status = raft.status();
    boolean leads = raft.membership().isLeader();
    String detail = confirmed ? "" : !leads ? "this node is not the leader"
        : readIndex.isEmpty() ? "it leads but has not yet committed an entry of its term"
        : "no majority of voters acknowledged it as leader of term " + readIndex.get().term();
    return ConfirmLeadershipResponse.newBuilder().setNodeId(status.nodeId()).setConfirmed(confirmed)
        .setTerm(readIndex.map(RaftNode.LeaderReadIndex::term).orElse(status.term()))
        .setReadIndex(confirmed ? readIndex.get().index() : 0)
        .setLeaderNotReady(leads && readIndex.isEmpty())
        .setDetail(detail)
        .build();
  }

  /**
   * A follower's read index: asks {@code leader}, the leader this node knew in {@code term} when the
   * read began, for its commit index confirmed by a round started after the call arrived (so after
   * the read began). Completes with the index, 0 if that leader confirmed but gave no index (an older
   * version: the caller then reads through Ratis' ReadIndex), or fails with an UnavailableException.
   * A leader that has not yet committed an entry of its term is asked again a few times.
   */
  CompletableFuture<Long> remoteReadIndex(String leader, long term) {
    if (leader.isEmpty()) {
      return CompletableFuture.failedFuture(new UnavailableException("no leader was known when the read began: retry"));
    }
    return CompletableFuture.supplyAsync(() -> {
      for (int attempt = 1; ; attempt++) {
        ConfirmLeadershipResponse answer = channels.admin(leader, REMOTE_DEADLINE_MS, "confirm its leadership")
            .confirmLeadership(ConfirmLeadershipRequest.newBuilder().setGroup(raft.groupIndex()).build());
        if (answer.getLeaderNotReady() && answer.getTerm() == term && attempt < NOT_READY_ATTEMPTS) {
          pause(NOT_READY_PAUSE_MS);
          continue;
        }
        if (!answer.getConfirmed() || answer.getTerm() != term) {
          throw new UnavailableException("leader " + leader + " could not confirm its leadership of term " + term + " ("
              + (answer.getDetail().isEmpty() ? "it is in term " + answer.getTerm() : answer.getDetail())
              + "): the read was not served; retry");
        }
        return answer.getReadIndex();
      }
    }, executor);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for a new leader to be ready: retry");
    }
  }

  /** For a leader's AcknowledgeLeader: whether this node follows {@code leader} in {@code term} now. */
  AcknowledgeLeaderResponse acknowledge(AcknowledgeLeaderRequest request) {
    RaftNode.Brief status = raft.brief();
    boolean follows = status.term() == request.getTerm() && status.leaderId().equals(request.getLeaderId());
    return AcknowledgeLeaderResponse.newBuilder().setAcknowledged(follows).setTerm(status.term())
        .setLeaderId(status.leaderId()).build();
  }

  private CompletableFuture<Boolean> joinNextRound() {
    synchronized (lock) {
      if (nextRound == null) {
        nextRound = new CompletableFuture<>();
      }
      CompletableFuture<Boolean> round = nextRound;
      if (!roundRunning) {
        startRoundLocked();
      }
      return round;
    }
  }

  private void startRoundLocked() {
    CompletableFuture<Boolean> round = nextRound;
    nextRound = null;
    roundRunning = true;
    CompletableFuture<Boolean> running;
    try {
      running = CompletableFuture.supplyAsync(this::runRound, executor);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      roundRunning = false;  // the node is stopping: no round confirms anything
      round.complete(false);
      return;
    }
    running.whenComplete((confirmed, error) -> {
      if (error != null) {
        LOG.warn("leadership round failed: {}", error.toString());
      }
      round.complete(error == null && confirmed);
      synchronized (lock) {
        roundRunning = false;
        if (nextRound != null) {
          startRoundLocked();
        }
      }
    });
  }

  /** One round: asks every other voter at once, and waits until each voter set has a majority or cannot. */
  private boolean runRound() {
    RaftStatus status = raft.status();
    List<Set<String>> voterSets = raft.membership().voterSets();
    if (voterSets.isEmpty()) {
      return false; // not the leader
    }
    String self = status.nodeId();
    long term = status.term();
    Set<String> others = new HashSet<>();
    voterSets.forEach(others::addAll);
    others.remove(self);
    Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    acknowledged.add(self);
    CountDownLatch answers = new CountDownLatch(others.size());
    AcknowledgeLeaderRequest request = AcknowledgeLeaderRequest.newBuilder().setLeaderId(self).setTerm(term)
        .setGroup(raft.groupIndex()).build();
    for (String peer : others) {
      executor.execute(() -> {
        try {
          if (channels.admin(peer, ACK_DEADLINE_MS, "confirm its leadership").acknowledgeLeader(request).getAcknowledged()) {
            acknowledged.add(peer);
          }
        } catch (RuntimeException unreachable) {
          // counts as no
        } finally {
          answers.countDown();
        }
      });
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ACK_DEADLINE_MS + 100);
    try {
      while (!majorityOfEach(voterSets, acknowledged) && answers.getCount() > 0 && System.nanoTime() < deadline) {
        answers.await(2, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return majorityOfEach(voterSets, acknowledged) && raft.membership().isLeader() && raft.status().term() == term;
  }

  private static boolean majorityOfEach(List<Set<String>> voterSets, Set<String> acknowledged) {
    for (Set<String> voters : voterSets) {
      long yes = voters.stream().filter(acknowledged::contains).count();
      if (yes < voters.size() / 2 + 1) {
        return false;
      }
    }
    return true;
  }
}
