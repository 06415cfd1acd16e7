package dev.redraft.coordinator.api;

import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.errors.Causes;
import dev.redraft.coordinator.errors.KeyLockedException;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.TransactionAbortedException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.log.v1.TxStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch whose commands are in several Raft groups, committed all or nothing by two-phase commit
 * (docs/design/sharding.md): each group's part is logged there as a PREPARE (applied, its keys locked,
 * its undo kept; the group's vote is whether it applied without error), then the home group (the first
 * command's) logs the decision, whose first value wins, then every group logs COMMIT or ABORT. The
 * transaction's id is the client's (client id, sequence), so a retry finds every step it already took:
 * each PREPARE is that session's write in its group (a retry gets the stored vote), and DECIDE answers
 * the decision already kept. A coordinator that dies midway leaves prepared groups that
 * {@code tx.TxRecovery} finishes from the home group's decision (abort if none).
 */
final class CrossGroupWrites {
  private static final Logger LOG = LoggerFactory.getLogger(CrossGroupWrites.class);
  private static final String COMMIT = "commit";

  /**
   * Fault injection for tests only: where every coordinator in this JVM stops a transaction, as if it
   * crashed there (null: never). Tests use it to leave prepared groups for {@code TxRecovery}.
   */
  enum CrashPoint { AFTER_PREPARE, AFTER_DECIDE }

  static volatile CrashPoint crashPointForTests;

  private final IntFunction<WriteHandler> groupWrites;

  CrossGroupWrites(IntFunction<WriteHandler> groupWrites) {
    this.groupWrites = groupWrites;
  }

  /** The transaction's id: its client's session write, the same on every attempt (the client id is stamped). */
  static String txId(WriteRequest request) {
    return request.getClientId() + "#" + request.getSequence();
  }

  CompletableFuture<WriteResponse.Builder> write(WriteRequest request, SlotRouter.TxPlan plan) {
    String txId = txId(request);
    int home = plan.home();
    Map<Integer, WriteRequest.Builder> parts = new TreeMap<>();
    for (int i = 0; i < plan.commandGroups().length; i++) {
      part(parts, plan.commandGroups()[i], request).addCommands(request.getCommands(i));
    }
    for (int i = 0; i < plan.watchGroups().length; i++) {
      part(parts, plan.watchGroups()[i], request).addWatches(request.getWatches(i));
    }
    TxStep prepare = step(TxStep.Phase.PREPARE, txId, home);
    try {
      // Every part checked before any is proposed: bad input changes nothing, in no group.
      parts.forEach((group, part) -> groupWrites.apply(group).checkPart(part.build()));
    } catch (RuntimeException invalid) {
      return CompletableFuture.failedFuture(invalid);
    }
    Map<Integer, CompletableFuture<WriteResponse.Builder>> votes = new TreeMap<>();
    parts.forEach((group, part) -> votes.put(group, groupWrites.apply(group).prepare(part.build(), prepare)));
    return CompletableFuture.allOf(votes.values().stream().map(v -> v.exceptionally(e -> null))
            .toArray(CompletableFuture[]::new))
        .thenCompose(allVoted -> {
          crashIfTestSaysSo(CrashPoint.AFTER_PREPARE);
          boolean commit = votes.values().stream().allMatch(v -> !v.isCompletedExceptionally()
              && !v.join().getRolledBack());
          TxStep decide = step(commit ? TxStep.Phase.DECIDE_COMMIT : TxStep.Phase.DECIDE_ABORT, txId, home);
          return groupWrites.apply(home).step(decide)
              .handle((decision, error) -> {
                if (error != null) {
                  throw outcomeUnknown(request, home, Causes.unwrap(error).getMessage());
                }
                if (!COMMIT.equals(decision) && !"abort".equals(decision)) {
                  throw outcomeUnknown(request, home, "its reply was lost");
                }
                crashIfTestSaysSo(CrashPoint.AFTER_DECIDE);
                return decision;
              })
              .thenCompose(decision -> finish(txId, home, votes.keySet(), decision)
                  .thenApply(finished -> answer(request, plan, votes, decision)));
        });
  }

  private static void crashIfTestSaysSo(CrashPoint point) {
    if (crashPointForTests == point) {
      // Not retryable: a client's retry would finish the transaction before recovery is tested.
      throw new RefusedException("test fault: the coordinator stopped " + point);
    }
  }

  private static UnavailableException outcomeUnknown(WriteRequest request, int home, String why) {
    return new UnavailableException("the outcome of the batch across groups of write " + request.getSequence()
        + " of client " + request.getClientId() + " is not known yet: its decision was not confirmed by group " + home
        + " (" + why + "); retry with the same client id and sequence: it commits or aborts once, in every group");
  }

  /** COMMIT or ABORT in every group; a group that does not take it now is finished by its recovery. */
  private CompletableFuture<Void> finish(String txId, int home, Iterable<Integer> groups, String decision) {
    TxStep finish = step(COMMIT.equals(decision) ? TxStep.Phase.COMMIT : TxStep.Phase.ABORT, txId, home);
    List<CompletableFuture<String>> steps = new ArrayList<>();
    for (int group : groups) {
      steps.add(groupWrites.apply(group).step(finish).exceptionally(error -> {
        LOG.info("transaction {}: group {} did not log its {} now ({}); its recovery finishes it", txId, group,
            decision, Causes.unwrap(error).getMessage());
        return "";
      }));
    }
    return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
  }

  private static WriteResponse.Builder answer(WriteRequest request, SlotRouter.TxPlan plan,
      Map<Integer, CompletableFuture<WriteResponse.Builder>> votes, String decision) {
    Throwable failed = null;
    for (CompletableFuture<WriteResponse.Builder> vote : votes.values()) {
      if (vote.isCompletedExceptionally()) {
        failed = Causes.unwrap(vote.handle((v, e) -> e).join());
        break;
      }
    }
    if (COMMIT.equals(decision)) {
      if (failed != null) {
        // Committed by an earlier attempt; this retry could not get a group's stored reply. Never say
        // "nothing was applied" here: it was, once.
        throw new RefusedException("the batch across groups of write " + request.getSequence() + " of client "
            + request.getClientId() + " was committed by an earlier attempt, but this retry could not get every group's"
            + " reply (" + failed.getMessage() + "); do not send it again: read the data to see its effects");
      }
      return merged(plan, votes, false);
    }
    if (failed == null) {
      // Rolled back here: a watched key changed or a command failed. Votes that an earlier attempt's
      // ABORT turned into a no carry neither: that batch was aborted, not rolled back by a command.
      boolean rolledBackHere = votes.values().stream().map(CompletableFuture::join).anyMatch(v -> v.getWatchFailed()
          || (v.getRolledBack() && v.getRepliesList().stream().anyMatch(Reply::hasError)));
      if (rolledBackHere) {
        return merged(plan, votes, true);
      }
      throw new TransactionAbortedException("TRYAGAIN the batch across groups of write " + request.getSequence()
          + " of client " + request.getClientId() + " was aborted by an earlier attempt or by recovery; nothing of it"
          + " was applied: send it again as a new write");
    }
    if (failed instanceof KeyLockedException) {
      throw new TransactionAbortedException("TRYAGAIN the batch across groups of write " + request.getSequence()
          + " of client " + request.getClientId() + " was aborted: a key stayed locked by another transaction across"
          + " groups; nothing of it was applied: send it again as a new write");
    }
    if (failed instanceof TransactionAbortedException || !(failed instanceof UnavailableException)) {
      // Refused as it was (invalid, superseded, session unknown...): the error says what happened.
      throw failed instanceof RuntimeException runtime ? runtime : new CompletionException(failed);
    }
    throw new TransactionAbortedException("TRYAGAIN the batch across groups of write " + request.getSequence()
        + " of client " + request.getClientId() + " was aborted: a group could not prepare it (" + failed.getMessage()
        + "); nothing of it was applied: send it again as a new write");
  }

  /**
   * The groups' replies in the batch's order. Rolled back: a watched key changed (no replies), or the
   * replies up to the first group's failing command, as a batch in one group answers.
   */
  private static WriteResponse.Builder merged(SlotRouter.TxPlan plan,
      Map<Integer, CompletableFuture<WriteResponse.Builder>> votes, boolean rolledBack) {
    WriteResponse.Builder out = WriteResponse.newBuilder().setRolledBack(rolledBack)
        .setDuplicate(votes.values().stream().allMatch(v -> v.join().getDuplicate()))
        .setLogIndex(votes.get(plan.home()).join().getLogIndex());
    if (rolledBack && votes.values().stream().anyMatch(v -> v.join().getWatchFailed())) {
      return out.setWatchFailed(true);
    }
    Map<Integer, Integer> next = new TreeMap<>();
    for (int group : plan.commandGroups()) {
      WriteResponse.Builder vote = votes.get(group).join();
      int at = next.merge(group, 1, Integer::sum) - 1;
      if (at >= vote.getRepliesCount()) {
        break; // that group stopped at its failing command
      }
      Reply reply = vote.getReplies(at);
      out.addReplies(reply);
      if (rolledBack && reply.hasError()) {
        break;
      }
    }
    return out;
  }

  private static WriteRequest.Builder part(Map<Integer, WriteRequest.Builder> parts, int group, WriteRequest request) {
    return parts.computeIfAbsent(group, g -> WriteRequest.newBuilder()
        .setClientId(request.getClientId()).setSequence(request.getSequence()));
  }

  static TxStep step(TxStep.Phase phase, String txId, int home) {
    return TxStep.newBuilder().setPhase(phase).setTxId(txId).setHomeGroup(home).build();
  }
}
