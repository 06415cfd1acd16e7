package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import dev.redraft.log.v1.Proposal;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a follower forwards follow a leader change. A forwarded write waits on the leader it was
 * sent to; if that one is frozen or cut off, the Ratis client notices only when its request times
 * out (3 s), and meanwhile the write holds one of the few forwarding slots, so writes that arrive
 * after the election queue behind it. When this node learns of a new leader, every write still
 * waiting on another one is sent again, towards the new leader (or into this node's own log if it
 * now leads); the first copy to commit answers. Sending a client write twice is safe: both copies
 * carry the same (client id, sequence), so the one applied second is answered from the session with
 * the first one's reply (or refused as superseded, when the client has moved on), never applied twice.
 * Only client writes come this way; other proposals are not repeated.
 */
final class ForwardedWrites {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardedWrites.class);
  /** Copies of one write at most (the first attempt and the re-sends): bounded however often leaders change. */
  static final int MAX_COPIES = 3;

  /** Sends a proposal towards the leader this node knows of now. */
  interface Sender {
    Sent send(Proposal proposal);
  }

  /** One copy on its way: the node it was aimed at (this node's id if it submitted to itself) and its reply. */
  record Sent(String leader, CompletableFuture<CommittedReply> reply) {}

  private final Sender sender;
  private final Supplier<String> knownLeader;
  private final Executor executor;
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicLong forwarded = new AtomicLong();

  /**
   * @param knownLeader the leader this node's Raft state names, or null during an election
   * @param executor where re-sends start (leader changes are reported on Ratis' own threads)
   */
  ForwardedWrites(Sender sender, Supplier<String> knownLeader, Executor executor) {
    this.sender = sender;
    this.knownLeader = knownLeader;
    this.executor = executor;
  }

  /** Forwards a write; completes with the first copy that commits, or the last failure if none does. */
  CompletableFuture<CommittedReply> forward(Proposal proposal) {
    InFlight write = new InFlight(proposal);
    forwarded.incrementAndGet();
    inFlight.add(write);
    write.result.whenComplete((reply, error) -> inFlight.remove(write));
    write.sendCopy(null);
    return write.result;
  }

  /** Told when this node learns of a new leader: re-sends, off the caller's thread, what waits on another one. */
  void leaderChanged() {
    try {
      executor.execute(this::resendToKnownLeader);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // the node is stopping: its writes fail with it
    }
  }

  /** Proposals forwarded since this node started (re-sends of one not counted again). */
  long forwarded() {
    return forwarded.get();
  }

  /** Writes waiting now (for tests and metrics). */
  int waiting() {
    return inFlight.size();
  }

  private void resendToKnownLeader() {
    String leader = knownLeader.get();
    if (leader == null || leader.isEmpty()) {
      return;  // an election is running: the next leader change brings the answer
    }
    int resent = 0;
    for (InFlight write : inFlight) {
      if (write.sendCopy(leader)) {
        resent++;
      }
    }
    if (resent > 0) {
      LOG.info("leader is now {}: {} forwarded write proposals still waiting on another node sent again to it", leader,
          resent);
    }
  }

  private final class InFlight {
    final Proposal proposal;
    final CompletableFuture<CommittedReply> result = new CompletableFuture<>();
    /** Guarded by this: the leaders copies were aimed at, copies not yet answered, copies sent. */
    final Set<String> aimedAt = new HashSet<>();
    int running;
    int copies;

    InFlight(Proposal proposal) {
      this.proposal = proposal;
    }

    /** Sends a copy: the first always, a later one only if no copy went to {@code leader} yet. */
    boolean sendCopy(String leader) {
      synchronized (this) {
        if (leader != null && (result.isDone() || aimedAt.contains(leader) || copies >= MAX_COPIES)) {
          return false;
        }
        if (leader != null) {
          aimedAt.add(leader);
        }
        copies++;
        running++;
      }
      Sent sent;
      try {
        sent = sender.send(proposal);
      } catch (RuntimeException e) {
        sent = new Sent("", CompletableFuture.failedFuture(e));
      }
      synchronized (this) {
        aimedAt.add(sent.leader());
      }
      sent.reply().whenComplete(this::answered);
      return true;
    }

    private void answered(CommittedReply reply, Throwable error) {
      if (error == null) {
        result.complete(reply);
        return;
      }
      boolean last;
      synchronized (this) {
        last = --running == 0;
      }
      if (copies > 1) {
        LOG.info("a copy of a forwarded write proposal failed ({} of {} copies still waiting): {}", running, copies,
            error.toString());
      }
      if (last) {
        result.completeExceptionally(error);
      }
    }
  }
}
