package dev.redraft.coordinator.raft;

import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.raft.RaftNode.CommittedReply;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/**
 * Turns a Ratis client's reply or failure into the committed entry's reply, or into the error the
 * caller sees: bad input refused by the leader's validation stays bad input; anything else is
 * "unavailable", saying whether a retry is safe.
 */
final class RaftReplies {
  private final String nodeId;

  RaftReplies(String nodeId) {
    this.nodeId = nodeId;
  }

  CommittedReply toCommitted(RaftClientReply reply, Throwable error, String what) {
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      throw translate(cause, what);
    }
    if (!reply.isSuccess()) {
      throw translate(reply.getException(), what);
    }
    return new CommittedReply(reply.getLogIndex(), ProtoBytes.bytes(reply.getMessage().getContent()));
  }

  RuntimeException translate(Throwable cause, String what) {
    if (cause instanceof StateMachineException sme) {
      Throwable inner = sme.getCause();
      // Rejected by the leader's validation before entering the log: bad input, nothing changed.
      if (inner instanceof InvalidRequestException invalid) {
        return new InvalidRequestException(invalid.getMessage());
      }
      if (inner instanceof UnavailableException ue) {
        return new UnavailableException(ue.getMessage(), ue);
      }
      String message = sme.getMessage();
      return new UnavailableException("the " + what + " failed in the state machine on node " + nodeId
          + ": " + message, sme);
    }
    if (cause instanceof RaftException || cause instanceof IOException) {
      return new UnavailableException("the " + what + " could not complete in the cluster (" + cause.getClass().getSimpleName()
          + ": " + cause.getMessage() + "); it is safe to retry", cause);
    }
    return new UnavailableException("the " + what + " failed on node " + nodeId + ": " + cause, cause);
  }
}
