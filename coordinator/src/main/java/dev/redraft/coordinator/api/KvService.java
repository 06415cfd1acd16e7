package dev.redraft.coordinator.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.KVGrpc;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.ValidatedCommand;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.SupersededWriteException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.log.v1.Proposal;
import dev.redraft.log.v1.ProposedCommand;
import dev.redraft.log.v1.ReadQuery;
import dev.redraft.log.v1.WriteProposal;
import dev.redraft.log.v1.WriteResult;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The public KV service. Checks every request before anything enters the log, proposes writes
 * through Raft (any node: Ratis forwards to the leader) and answers once the write is applied on
 * this node too; reads are linearizable unless the caller names STALE.
 */
final class KvService extends KVGrpc.KVImplBase {
  private static final int MAX_CLIENT_ID_LENGTH = 128;

  private final String nodeId;
  private final RaftNode raft;
  private final LeadershipConfirmation leadership;
  private final CommandValidator validator;
  private final NodeHealth health;
  private final HeaderFactory headers;
  private final int maxRequestBytes;
  private final int maxBatchCommands;
  private final Duration requestTimeout;
  private final RedraftMetrics metrics;

  KvService(String nodeId, RaftNode raft, LeadershipConfirmation leadership, CommandValidator validator,
      NodeHealth health, HeaderFactory headers,
      int maxRequestBytes, int maxBatchCommands, Duration requestTimeout, RedraftMetrics metrics) {
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.raft = raft;
    this.leadership = leadership;
    this.validator = validator;
    this.health = health;
    this.headers = headers;
    this.maxRequestBytes = maxRequestBytes;
    this.maxBatchCommands = maxBatchCommands;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public void write(WriteRequest request, StreamObserver<WriteResponse> observer) {
    long start = System.nanoTime();
    CompletableFuture<WriteResponse> response;
    try {
      Proposal proposal = checkWrite(request);
      health.requireReady();
      response = raft.propose(proposal).thenCompose(committed -> {
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
        // Acknowledge only once this node's Redis holds the write too.
        return raft.stateMachine().awaitApplied(committed.logIndex())
            .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .handle((v, error) -> {
              if (error != null) {
                throw new UnavailableException("write committed at index " + committed.logIndex()
                    + " but not yet applied on node " + nodeId + " (" + describe(error)
                    + "); retry with the same client id and sequence");
              }
              List<Reply> replies = RespReplies.decodeArray(result.getRespReplies().toByteArray());
              return WriteResponse.newBuilder()
                  .setHeader(headers.header())
                  .addAllReplies(replies)
                  .setRolledBack(result.getRolledBack())
                  .setDuplicate(result.getDuplicate())
                  .setLogIndex(committed.logIndex())
                  .build();
            });
      });
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    reply(response, observer, RedraftMetrics.Op.WRITE, start);
  }

  @Override
  public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
    long start = System.nanoTime();
    RedraftMetrics.Op op = request.getConsistency() == ReadConsistency.STALE
        ? RedraftMetrics.Op.READ_STALE : RedraftMetrics.Op.READ;
    CompletableFuture<ReadResponse> response;
    try {
      ReadQuery query = checkRead(request);
      health.requireReady();
      CompletableFuture<byte[]> resp = switch (request.getConsistency()) {
        case LINEARIZABLE -> {
          RaftStatus before = raft.status();
          yield raft.readLinearizable(query).thenCompose(bytes ->
              leadership.confirm(before.leaderId(), before.term()).thenApply(confirmed -> bytes));
        }
        case STALE -> raft.stateMachine().readStale(query);
        default -> throw new InvalidRequestException("unknown read consistency " + request.getConsistencyValue()
            + ": use LINEARIZABLE (default) or STALE");
      };
      response = resp.thenApply(bytes -> ReadResponse.newBuilder()
          .setHeader(headers.header())
          .setReply(RespReplies.decode(bytes))
          .build());
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    reply(response, observer, op, start);
  }

  private Proposal checkWrite(WriteRequest request) {
    if (request.getClientId().isEmpty() || request.getClientId().length() > MAX_CLIENT_ID_LENGTH) {
      throw new InvalidRequestException("client_id is required (1 to " + MAX_CLIENT_ID_LENGTH
          + " characters): every write carries (client_id, sequence) so a retry is applied once");
    }
    if (request.getSequence() == 0) {
      throw new InvalidRequestException("sequence must be 1 or more (it increases with every write of a session)");
    }
    if (request.getCommandsCount() == 0) {
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
      ValidatedCommand validated = validator.validate(command.getName(), toArgs(command), CommandKind.WRITE);
      ProposedCommand.Builder proposed = ProposedCommand.newBuilder();
      for (byte[] arg : validated.argv()) {
        bytes += arg.length;
        proposed.addArgv(ByteString.copyFrom(arg));
      }
      write.addCommands(proposed);
    }
    if (bytes > maxRequestBytes) {
      throw new InvalidRequestException("write of " + bytes + " bytes is over the limit of " + maxRequestBytes
          + " bytes (max-request-bytes): split it into smaller writes");
    }
    return Proposal.newBuilder().setWrite(write).build();
  }

  private ReadQuery checkRead(ReadRequest request) {
    if (!request.hasCommand()) {
      throw new InvalidRequestException("a read needs a command");
    }
    Command command = request.getCommand();
    ValidatedCommand validated = validator.validate(command.getName(), toArgs(command), CommandKind.READ);
    ReadQuery.Builder query = ReadQuery.newBuilder();
    validated.argv().forEach(arg -> query.addArgv(ByteString.copyFrom(arg)));
    for (int position : validated.keyPositions()) {
      query.addKeyPositions(position);
    }
    return query.build();
  }

  private static List<byte[]> toArgs(Command command) {
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

  private <T> void reply(CompletableFuture<T> response, StreamObserver<T> observer, RedraftMetrics.Op op,
      long startNanos) {
    response.whenComplete((value, error) -> {
      if (error != null) {
        StatusRuntimeException status = ErrorMapper.toStatus(error);
        metrics.request(op, System.nanoTime() - startNanos, status.getStatus().getCode().name());
        observer.onError(status);
      } else {
        metrics.request(op, System.nanoTime() - startNanos, null);
        observer.onNext(value);
        observer.onCompleted();
      }
    });
  }

}
