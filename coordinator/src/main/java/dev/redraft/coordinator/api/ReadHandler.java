package dev.redraft.coordinator.api;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.command.ValidatedCommand;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.log.v1.ReadQuery;
import java.util.concurrent.CompletableFuture;

/**
 * Client reads: linearizable (ReadIndex, then a leadership round started after the read began)
 * unless the caller names STALE, which reads this node's Redis as it is.
 */
final class ReadHandler {
  private final RaftNode raft;
  private final LeadershipConfirmation leadership;
  private final CommandValidator validator;
  private final NodeHealth health;

  ReadHandler(RaftNode raft, LeadershipConfirmation leadership, CommandValidator validator, NodeHealth health) {
    this.raft = raft;
    this.leadership = leadership;
    this.validator = validator;
    this.health = health;
  }

  /** Completes with the response (no header), or fails with what went wrong. */
  CompletableFuture<ReadResponse.Builder> read(ReadRequest request) {
    try {
      ReadQuery query = check(request);
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
      return resp.thenApply(bytes -> ReadResponse.newBuilder().setReply(RespReplies.decode(bytes)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private ReadQuery check(ReadRequest request) {
    if (!request.hasCommand()) {
      throw new InvalidRequestException("a read needs a command");
    }
    Command command = request.getCommand();
    ValidatedCommand validated = validator.validate(command.getName(), WriteHandler.toArgs(command), CommandKind.READ);
    ReadQuery.Builder query = ReadQuery.newBuilder();
    validated.argv().forEach(arg -> query.addArgv(ByteString.copyFrom(arg)));
    for (int position : validated.keyPositions()) {
      query.addKeyPositions(position);
    }
    return query.build();
  }
}
