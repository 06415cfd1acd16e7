package dev.redraft.coordinator.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.logging.LogThrottle;
import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.WriteGroupProposal;
import dev.redraft.log.v1.WriteGroupResult;
import dev.redraft.log.v1.WriteProposal;
import dev.redraft.log.v1.WriteResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: concurrent client writes share log entries, so they share the leader's append,
 * the fsyncs, the appendEntries round and the Redis round trip on every node. At most
 * {@code maxInFlight} proposals are on their way at once; writes that arrive meanwhile wait and
 * leave together, as one group entry, as soon as one returns. A lone write leaves at once as a
 * plain entry: one client at a time pays no extra wait. Each write keeps its own session (client
 * id, sequence), so exactly-once and the per-session checks happen at apply time as before.
 */
final class GroupCommitter {
  /** Sends one proposal through Raft; completes with the committed entry's reply. */
  interface Sender {
    CompletableFuture<CommittedReply> send(Proposal proposal);
  }

  private record Pending(WriteProposal write, int bytes, CompletableFuture<CommittedReply> reply, long queuedNanos) {}

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);
  /** Writes that waited this long for room (longer than an election should take) are logged. */
  private static final long SLOW_WAIT_MS = 2_000;

  private final String path;
  private final LogThrottle slowWaits = new LogThrottle(10, TimeUnit.SECONDS);
  private final Sender sender;
  private final int maxInFlight;
  private final int maxGroupWrites;
  private final long maxGroupBytes;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;

  GroupCommitter(Sender sender, int maxInFlight, int maxGroupWrites, long maxGroupBytes) {
    this("writes", sender, maxInFlight, maxGroupWrites, maxGroupBytes);
  }

  /** @param path what this committer's writes are, for its log lines (e.g. "forwarded writes") */
  GroupCommitter(String path, Sender sender, int maxInFlight, int maxGroupWrites, long maxGroupBytes) {
    this.path = path;
    this.sender = sender;
    this.maxInFlight = maxInFlight;
    this.maxGroupWrites = maxGroupWrites;
    this.maxGroupBytes = maxGroupBytes;
  }

  CompletableFuture<CommittedReply> submit(WriteProposal write) {
    return submitAll(List.of(write)).get(0);
  }

  /** Queues writes together, so they leave in the same group when they fit; one future per write. */
  List<CompletableFuture<CommittedReply>> submitAll(List<WriteProposal> writes) {
    List<CompletableFuture<CommittedReply>> replies = new ArrayList<>(writes.size());
    List<Pending> pending = new ArrayList<>(writes.size());
    long now = System.nanoTime();
    for (WriteProposal write : writes) {
      Pending p = new Pending(write, write.getSerializedSize(), new CompletableFuture<>(), now);
      pending.add(p);
      replies.add(p.reply());
    }
    synchronized (this) {
      waiting.addAll(pending);
    }
    sendWhileRoom();
    return replies;
  }

  private void sendWhileRoom() {
    while (true) {
      List<Pending> group;
      synchronized (this) {
        if (inFlight >= maxInFlight || waiting.isEmpty()) {
          return;
        }
        group = takeGroup();
        inFlight++;
      }
      logIfWaitedLong(group);
      send(group);
    }
  }

  private void logIfWaitedLong(List<Pending> group) {
    long waitedMs = (System.nanoTime() - group.get(0).queuedNanos()) / 1_000_000;
    if (waitedMs < SLOW_WAIT_MS) {
      return;
    }
    long skipped = slowWaits.admit();
    if (skipped != LogThrottle.NOT_NOW) {
      LOG.info("{}: {} waited {} ms for one of the {} proposals in flight to return ({} more groups as slow since the"
          + " last such line)", path, group.size() == 1 ? "a write" : group.size() + " writes", waitedMs, maxInFlight,
          skipped);
    }
  }

  /** The oldest waiting writes, up to the count and byte limits (always at least one). */
  private List<Pending> takeGroup() {
    List<Pending> group = new ArrayList<>();
    long bytes = 0;
    while (!waiting.isEmpty() && group.size() < maxGroupWrites) {
      Pending next = waiting.peek();
      if (!group.isEmpty() && bytes + next.bytes() > maxGroupBytes) {
        break;
      }
      group.add(waiting.poll());
      bytes += next.bytes();
    }
    return group;
  }

  private void send(List<Pending> group) {
    sendSafely(proposalOf(group)).whenComplete((reply, error) -> {
      synchronized (this) {
        inFlight--;
      }
      if (error == null) {
        deliver(group, reply);
      } else if (group.size() > 1 && isInvalidRequest(error)) {
        // One bad write refused the whole group before it entered the log: nothing was written, so
        // each write goes again on its own and gets its own answer.
        group.forEach(p -> sendSafely(proposalOf(List.of(p))).whenComplete((single, e) -> complete(p, single, e)));
      } else {
        group.forEach(p -> p.reply().completeExceptionally(error));
      }
      sendWhileRoom();
    });
  }

  private CompletableFuture<CommittedReply> sendSafely(Proposal proposal) {
    try {
      return sender.send(proposal);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Proposal proposalOf(List<Pending> group) {
    if (group.size() == 1) {
      return Proposal.newBuilder().setWrite(group.get(0).write()).build();
    }
    WriteGroupProposal.Builder writes = WriteGroupProposal.newBuilder();
    group.forEach(p -> writes.addWrites(p.write()));
    return Proposal.newBuilder().setWriteGroup(writes).build();
  }

  /** Hands each write of a committed group its own result, at the group entry's index. */
  private static void deliver(List<Pending> group, CommittedReply reply) {
    if (group.size() == 1) {
      group.get(0).reply().complete(reply);
      return;
    }
    List<WriteResult> results;
    try {
      results = WriteGroupResult.parseFrom(reply.content()).getResultsList();
    } catch (InvalidProtocolBufferException e) {
      results = List.of();
    }
    if (results.size() != group.size()) {
      IllegalStateException broken = new IllegalStateException("group entry " + reply.logIndex() + " of "
          + group.size() + " writes came back with " + results.size() + " results");
      group.forEach(p -> p.reply().completeExceptionally(broken));
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).reply().complete(new CommittedReply(reply.logIndex(), results.get(i).toByteArray()));
    }
  }

  private static void complete(Pending pending, CommittedReply reply, Throwable error) {
    if (error != null) {
      pending.reply().completeExceptionally(error);
    } else {
      pending.reply().complete(reply);
    }
  }

  private static boolean isInvalidRequest(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof InvalidRequestException) {
        return true;
      }
      if (!(t instanceof CompletionException)) {
        return false;
      }
    }
    return false;
  }
}
