package dev.redraft.coordinator.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.ValidatedCommand;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.KeyLockedException;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.SessionUnknownException;
import dev.redraft.coordinator.errors.SessionsFullException;
import dev.redraft.coordinator.errors.SlotMovedException;
import dev.redraft.coordinator.errors.SupersededWriteException;
import dev.redraft.coordinator.errors.TransactionAbortedException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.logging.LogThrottle;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import dev.redraft.coordinator.tx.LockWait;
import dev.redraft.log.v1.ProposedCommand;
import dev.redraft.log.v1.SlotStep;
import dev.redraft.log.v1.TxStep;
import dev.redraft.log.v1.WriteProposal;
import dev.redraft.log.v1.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client writes: checks each before anything enters the log, proposes it through Raft (group
 * commit; a follower forwards to the leader) and answers with Redis' replies once the write is
 * applied on this node too. Writes of one call are proposed together, so they share entries.
 */
final class WriteHandler {
  private static final int MAX_CLIENT_ID_LENGTH = 128;
  private static final Logger LOG = LoggerFactory.getLogger(WriteHandler.class);
  /** A committed write that waits this long for this node's apply is logged (rate-limited). */
  private static final long SLOW_APPLY_MS = 2_000;
  private final LogThrottle slowApplies = new LogThrottle(10, TimeUnit.SECONDS);

  private final String nodeId;
  private final RaftNode raft;
  private final CommandValidator validator;
  private final int maxRequestBytes;
  private final int maxBatchCommands;
  private final Duration requestTimeout;
  private final NodeHealth health;

  WriteHandler(String nodeId, RaftNode raft, CommandValidator validator, int maxRequestBytes, int maxBatchCommands,
      Duration requestTimeout, NodeHealth health) {
    this.nodeId = nodeId;
    this.health = health;
    this.raft = raft;
    this.validator = validator;
    this.maxRequestBytes = maxRequestBytes;
    this.maxBatchCommands = maxBatchCommands;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Proposes every write; each future completes with its response (no header) or fails on its own.
   * A write that fails its checks fails alone and never enters the log.
   */
  List<CompletableFuture<WriteResponse.Builder>> writeAll(List<WriteRequest> requests) {
    List<CompletableFuture<WriteResponse.Builder>> responses = new ArrayList<>(requests.size());
    List<WriteProposal> valid = new ArrayList<>(requests.size());
    List<WriteRequest> validRequests = new ArrayList<>(requests.size());
    for (WriteRequest request : requests) {
      try {
        valid.add(check(request));
        validRequests.add(request);
        responses.add(null);
      } catch (RuntimeException e) {
        responses.add(CompletableFuture.failedFuture(e));
      }
    }
    List<CompletableFuture<WriteResponse.Builder>> settled = new ArrayList<>(valid.size());
    valid.forEach(v -> settled.add(new CompletableFuture<>()));
    if (!valid.isEmpty()) {
      proposeUntilUnlocked(validRequests, valid, settled, 0, System.nanoTime()
          + TimeUnit.MILLISECONDS.toNanos(LockWait.BOUND_MS));
    }
    int next = 0;
    for (int i = 0; i < responses.size(); i++) {
      if (responses.get(i) == null) {
        responses.set(i, settled.get(next++));
      }
    }
    return responses;
  }

  /**
   * Proposes the writes together and settles each one's future with its answer, except writes refused on
   * a key locked by a transaction across groups (not applied, their sessions untouched): those are
   * proposed again, together and in their order, after a short pause, until none is or the bound passed.
   * Together, because apply.lua refuses a session's later writes in a log entry once one was refused, and a
   * session's writes must apply in their order.
   */
  private void proposeUntilUnlocked(List<WriteRequest> requests, List<WriteProposal> proposals,
      List<CompletableFuture<WriteResponse.Builder>> settled, int tries, long giveUpAtNanos) {
    List<CompletableFuture<WriteResponse.Builder>> answers = new ArrayList<>(proposals.size());
    try {
      List<CompletableFuture<CommittedReply>> committed = raft.proposeWrites(proposals);
      for (int i = 0; i < proposals.size(); i++) {
        WriteRequest request = requests.get(i);
        CompletableFuture<WriteResponse.Builder> out = settled.get(i);
        CompletableFuture<WriteResponse.Builder> answer = committed.get(i).thenCompose(reply -> answer(request, reply));
        answer.whenComplete((response, error) -> { // settled at once unless refused on a lock
          if (error == null) {
            out.complete(response);
          } else if (!LockWait.isLocked(error)) {
            out.completeExceptionally(error);
          }
        });
        answers.add(answer);
      }
    } catch (RuntimeException e) {
      settled.forEach(f -> f.completeExceptionally(e));
      return;
    }
    CompletableFuture.allOf(answers.stream().map(a -> a.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
        .thenRun(() -> {
          List<Integer> locked = new ArrayList<>();
          boolean beforeBound = System.nanoTime() < giveUpAtNanos; // one verdict for all: a session's writes go together
          for (int i = 0; i < answers.size(); i++) {
            Throwable error = answers.get(i).handle((v, e) -> e).join();
            if (error != null && LockWait.isLocked(error)) {
              if (beforeBound) {
                locked.add(i);
              } else {
                settled.get(i).completeExceptionally(LockWait.stillLocked(error));
              }
            }
          }
          if (!locked.isEmpty()) {
            LockWait.after(tries, () -> proposeUntilUnlocked(
                locked.stream().map(requests::get).toList(), locked.stream().map(proposals::get).toList(),
                locked.stream().map(settled::get).toList(), tries + 1, giveUpAtNanos));
          }
        });
  }

  /**
   * This group's part of a batch across groups: {@code part} (the client's session, this group's commands
   * and watches) proposed as the transaction's PREPARE. Its reply is the group's vote: applied (locked until
   * COMMIT or ABORT), rolled back (a command failed or a watched key changed: nothing kept), or an error.
   */
  /** Checks a group's part of a batch across groups as {@link #prepare} will: throws if it is refused. */
  void checkPart(WriteRequest part) {
    check(part, true);
  }

  CompletableFuture<WriteResponse.Builder> prepare(WriteRequest part, TxStep step) {
    WriteProposal proposal;
    try {
      proposal = check(part, true).toBuilder().setTx(step).build();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return LockWait.retrying(LockWait.PREPARE_BOUND_MS, () -> proposeOne(part, proposal));
  }

  /**
   * A COMMIT, ABORT or DECIDE step of a transaction through this group's log, once applied here. For a
   * DECIDE, the decision the home group kept ("commit" or "abort": the first one proposed wins).
   */
  CompletableFuture<String> step(TxStep step) {
    return step(WriteProposal.newBuilder().setTx(step).build());
  }

  /**
   * A step of a slot move through this group's log, once applied here: its reply (BEGIN_MOVE: the move's
   * id, or why it was refused).
   */
  CompletableFuture<String> step(SlotStep step) {
    return step(WriteProposal.newBuilder().setSlotStep(step).build());
  }

  private CompletableFuture<String> step(WriteProposal proposal) {
    CompletableFuture<CommittedReply> committed;
    try {
      committed = raft.proposeWrites(List.of(proposal)).get(0);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return committed.thenCompose(reply -> raft.stateMachine().awaitApplied(reply.logIndex())
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(applied -> {
          List<dev.redraft.api.v1.Reply> replies =
              RespReplies.decodeArray(parseResult(reply.content()).getRespReplies().toByteArray());
          return replies.isEmpty() ? "" : replies.get(0).getStatus();
        }));
  }

  private CompletableFuture<WriteResponse.Builder> proposeOne(WriteRequest request, WriteProposal proposal) {
    return raft.proposeWrites(List.of(proposal)).get(0).thenCompose(reply -> answer(request, reply));
  }

  private CompletableFuture<WriteResponse.Builder> answer(WriteRequest request, CommittedReply committed) {
    WriteResult result = parseResult(committed.content());
    if (result.getRefused().equals("superseded")) {
      throw new SupersededWriteException("write " + request.getSequence() + " of client " + request.getClientId()
          + " is superseded: that session already applied a later write, so this late copy was not applied;"
          + " use a new sequence number for a new write");
    }
    if (result.getRefused().equals("reply-lost")) {
      throw new UnavailableException("write " + request.getSequence() + " of client " + request.getClientId()
          + " was applied but its reply was lost; retry with the same client id and sequence to get it");
    }
    if (result.getRefused().equals("mismatch")) {
      throw new RefusedException("write " + request.getSequence() + " of client " + request.getClientId()
          + " reuses a sequence number that session already applied with other commands; it was not applied:"
          + " a retry must repeat the same commands, and a new write needs a new sequence number");
    }
    if (result.getRefused().equals("session-unknown")) {
      throw new SessionUnknownException("outcome unknown: client " + request.getClientId() + " has no session for"
          + " write " + request.getSequence() + " (it expired after session-idle-timeout-ms without writes, was"
          + " evicted at session-max, or was never opened with sequence 1; at sequence 1, the client id's opening"
          + " stamp is not newer than a dropped session's). This attempt was not applied, but an earlier attempt of"
          + " this write may have been: read the data before writing again, then continue with a new client id"
          + " starting at sequence 1");
    }
    if (result.getRefused().equals("locked")) {
      throw new KeyLockedException("write " + request.getSequence() + " of client " + request.getClientId()
          + " touches a key locked by a transaction across groups in progress");
    }
    if (result.getRefused().startsWith("moved:")) {
      throw SlotMovedException.ofRefusal(raft.groupIndex(), result.getRefused());
    }
    if (result.getRefused().equals("tx-aborted")) {
      throw new TransactionAbortedException("TRYAGAIN the batch across groups of write " + request.getSequence()
          + " of client " + request.getClientId() + " was aborted before this group prepared it; nothing of it was"
          + " applied: send it again as a new write");
    }
    if (result.getRefused().equals("sessions-full")) {
      throw new SessionsFullException("write " + request.getSequence() + " of client " + request.getClientId()
          + " was not applied: the session table is at session-max and every session was used too recently to"
          + " be evicted; retry later, or raise session-max");
    }
    // Acknowledge only once this node's Redis holds the write too (on the leader it already does).
    if (!health.isReady() && raft.stateMachine().appliedIndex() < committed.logIndex()) {
      // E.g. this node led, its Redis died, it handed leadership over and forwarded the write: waiting
      // for its own Redis would hold the caller for the whole request timeout. Another node answers
      // the retry from the client's session (applied once).
      throw new UnavailableException("write " + request.getSequence() + " of client " + request.getClientId()
          + " is committed at index " + committed.logIndex() + " but node " + nodeId + " cannot apply it now ("
          + health.reason() + "); retry with the same client id and sequence on another node: it is applied once");
    }
    long awaitStart = System.nanoTime();
    return raft.stateMachine().awaitApplied(committed.logIndex())
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((v, error) -> {
          logIfSlowToApply(committed.logIndex(), (System.nanoTime() - awaitStart) / 1_000_000);
          if (error != null) {
            throw new UnavailableException("write committed at index " + committed.logIndex()
                + " but not yet applied on node " + nodeId + " (" + describe(error)
                + "); retry with the same client id and sequence");
          }
          List<dev.redraft.api.v1.Reply> replies = RespReplies.decodeArray(result.getRespReplies().toByteArray());
          // A watched key changed: the entry ran no command (rolled back before the first).
          boolean watchFailed = request.getWatchesCount() > 0 && result.getRolledBack() && replies.isEmpty();
          return WriteResponse.newBuilder()
              .addAllReplies(replies)
              .setWatchFailed(watchFailed)
              .setRolledBack(result.getRolledBack())
              .setDuplicate(result.getDuplicate())
              .setLogIndex(committed.logIndex());
        });
  }

  private void logIfSlowToApply(long index, long waitedMs) {
    if (waitedMs >= SLOW_APPLY_MS) {
      long skipped = slowApplies.admit();
      if (skipped != LogThrottle.NOT_NOW) {
        LOG.info("node {} (group {}): a write committed at index {} waited {} ms for this node to apply it ({} more as"
            + " slow since the last such line)", nodeId, raft.groupIndex(), index, waitedMs, skipped);
      }
    }
  }

  private WriteProposal check(WriteRequest request) {
    return check(request, false);
  }

  /** @param txPart a group's part of a batch across groups: it may hold watched keys only */
  private WriteProposal check(WriteRequest request, boolean txPart) {
    if (request.getClientId().isEmpty() || request.getClientId().length() > MAX_CLIENT_ID_LENGTH) {
      throw new InvalidRequestException("client_id is required (1 to " + MAX_CLIENT_ID_LENGTH
          + " characters): every write carries (client_id, sequence) so a retry is applied once");
    }
    if (request.getSequence() == 0) {
      throw new InvalidRequestException("sequence must be 1 or more (it increases with every write of a session)");
    }
    // Every write, not only sequence 1: in a sharded cluster a write at any sequence may open its
    // session in its group (and a stamp past the check would raise that group's watermark when dropped).
    SessionStamp.checkOpening(request.getClientId(), System.currentTimeMillis());
    if (request.getCommandsCount() == 0 && !(txPart && request.getWatchesCount() > 0)) {
      throw new InvalidRequestException("a write needs at least one command");
    }
    if (request.getCommandsCount() > maxBatchCommands) {
      throw new InvalidRequestException("batch of " + request.getCommandsCount() + " commands is over the limit of "
          + maxBatchCommands + " (max-batch-commands): split it");
    }
    long bytes = 0;
    WriteProposal.Builder write = WriteProposal.newBuilder()
        .setClientId(request.getClientId())
        .setSequence(request.getSequence());
    for (Command command : request.getCommandsList()) {
      // A conditional write counts as a batch: a lone read in it is answered at its log position,
      // under its WATCH condition (what EXEC of one read after WATCH means).
      ValidatedCommand validated = validator.validateInWrite(command.getName(), toArgs(command),
          request.getCommandsCount() + (request.getWatchesCount() > 0 ? 1 : 0));
      ProposedCommand.Builder proposed = ProposedCommand.newBuilder();
      for (byte[] arg : validated.argv()) {
        bytes += arg.length;
        proposed.addArgv(ByteString.copyFrom(arg));
      }
      write.addCommands(proposed);
    }
    if (request.getWatchesCount() > maxBatchCommands) {
      throw new InvalidRequestException(request.getWatchesCount() + " watched keys are over the limit of "
          + maxBatchCommands + " (max-batch-commands)");
    }
    for (dev.redraft.api.v1.WatchedKey watched : request.getWatchesList()) {
      if (watched.getKey().isEmpty() || CommandValidator.isReserved(watched.getKey().toByteArray())) {
        throw new InvalidRequestException("a watched key must be a non-empty key outside Redraft's own "
            + CommandValidator.RESERVED_KEY_PREFIX + " namespace");
      }
      bytes += watched.getKey().size() + watched.getDigest().size();
      write.addWatches(dev.redraft.log.v1.WatchedKey.newBuilder().setKey(watched.getKey())
          .setDigest(watched.getDigest()));
    }
    if (bytes > maxRequestBytes) {
      throw new InvalidRequestException("write of " + bytes + " bytes is over the limit of " + maxRequestBytes
          + " bytes (max-request-bytes): split it into smaller writes");
    }
    return write.build();
  }

  static List<byte[]> toArgs(Command command) {
    List<byte[]> args = new ArrayList<>(command.getArgsCount());
    command.getArgsList().forEach(arg -> args.add(arg.toByteArray()));
    return args;
  }

  private static WriteResult parseResult(byte[] content) {
    try {
      return WriteResult.parseFrom(content);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot decode the state machine's reply: " + e.getMessage(), e);
    }
  }

  private static String describe(Throwable error) {
    Throwable cause = error.getCause() != null ? error.getCause() : error;
    return cause instanceof TimeoutException ? "timed out" : String.valueOf(cause.getMessage());
  }
}
