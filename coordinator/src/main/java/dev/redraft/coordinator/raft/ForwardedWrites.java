package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.logging.LogThrottle;
import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import dev.redraft.log.v1.Proposal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
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
  /**
   * A forwarded write slower than this (longer than any election should take) is logged with where
   * each of its copies went and when it answered, so a stall can be told apart after the fact.
   */
  static final long SLOW_MS = 2_000;

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
  private final LogThrottle slowWrites = new LogThrottle(10, TimeUnit.SECONDS);
  private final LongSupplier nanoClock;
  private final String who;

  /**
   * @param knownLeader the leader this node's Raft state names, or null during an election
   * @param executor where re-sends start (leader changes are reported on Ratis' own threads)
   */
  ForwardedWrites(Sender sender, Supplier<String> knownLeader, Executor executor) {
    this("this node", sender, knownLeader, executor, System::nanoTime);
  }

  /**
   * @param who the node (and group) for log lines
   * @param nanoClock a monotonic clock in nanoseconds (tests move their own)
   */
  ForwardedWrites(String who, Sender sender, Supplier<String> knownLeader, Executor executor, LongSupplier nanoClock) {
    this.who = who;
    this.nanoClock = nanoClock;
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
      LOG.info("{}: leader is now {}: {} forwarded write proposals still waiting on another node sent again to it", who,
          leader, resent);
    }
  }

  /**
   * The innermost cause's type and the start of its message: a Ratis exception's message may quote the
   * request (with user keys and values) at length.
   */
  static String briefly(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = String.valueOf(cause.getMessage());
    return cause.getClass().getSimpleName() + ": " + (message.length() > 120 ? message.substring(0, 120) + "..." : message);
  }

  /** Something that happened to one copy of a forwarded write, {@code atMs} after the write arrived. */
  private record CopyEvent(String target, String what, Throwable error, long atMs) {
    @Override
    public String toString() {
      return "copy to " + target + " " + what + (error == null ? "" : " (" + briefly(error) + ")") + " at +" + atMs + " ms";
    }
  }

  private final class InFlight {
    final Proposal proposal;
    final CompletableFuture<CommittedReply> result = new CompletableFuture<>();
    final long startNanos = nanoClock.getAsLong();
    /** Guarded by this: the leaders copies were aimed at, copies not yet answered, copies sent. */
    final Set<String> aimedAt = new HashSet<>();
    int running;
    int copies;
    /** Guarded by this: what happened to the copies (for the slow-write line; formatted only then). */
    final List<CopyEvent> events = new ArrayList<>(4);

    InFlight(Proposal proposal) {
      this.proposal = proposal;
      result.whenComplete((reply, error) -> logIfSlow(error));
    }

    private void logIfSlow(Throwable error) {
      long tookMs = sinceStartMs();
      if (tookMs < SLOW_MS) {
        return;
      }
      long skipped = slowWrites.admit();
      if (skipped == LogThrottle.NOT_NOW) {
        return;
      }
      String copiesStory;
      synchronized (this) {
        copiesStory = events.stream().map(CopyEvent::toString).collect(Collectors.joining("; "));
      }
      LOG.info("{}: a forwarded write proposal {} after {} ms ({} more as slow since the last such line): {}", who,
          error == null ? "committed" : "failed", tookMs, skipped, copiesStory);
    }

    private long sinceStartMs() {
      return (nanoClock.getAsLong() - startNanos) / 1_000_000;
    }

    private synchronized void tell(String target, String what, Throwable error) {
      events.add(new CopyEvent(target, what, error, sinceStartMs()));
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
      String target = sent.leader().isEmpty() ? "nowhere" : sent.leader();
      tell(target, "sent", null);
      sent.reply().whenComplete((reply, error) -> answered(target, reply, error));
      return true;
    }

    private void answered(String target, CommittedReply reply, Throwable error) {
      tell(target, error == null ? "committed" : "failed", error);
      if (error == null) {
        result.complete(reply);
        return;
      }
      boolean last;
      synchronized (this) {
        last = --running == 0;
      }
      if (copies > 1) {
        LOG.info("{}: a copy of a forwarded write proposal failed ({} of {} copies still waiting): {}", who, running,
            copies, briefly(error));
      }
      if (last) {
        result.completeExceptionally(error);
      }
    }
  }
}
