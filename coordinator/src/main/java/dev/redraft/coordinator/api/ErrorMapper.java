package dev.redraft.coordinator.api;

import dev.redraft.coordinator.command.InvalidCommandException;
import dev.redraft.coordinator.errors.Causes;
import dev.redraft.coordinator.errors.InvalidRequestException;
import dev.redraft.coordinator.errors.RefusedException;
import dev.redraft.coordinator.errors.SessionUnknownException;
import dev.redraft.coordinator.errors.SessionsFullException;
import dev.redraft.coordinator.errors.SupersededWriteException;
import dev.redraft.coordinator.errors.TransactionAbortedException;
import dev.redraft.coordinator.errors.UnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one table from internal errors to gRPC status codes. Clients retry UNAVAILABLE (safe for
 * writes: the session dedupes) and never retry INVALID_ARGUMENT (bad input, nothing changed).
 */
final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  private ErrorMapper() {}

  static StatusRuntimeException toStatus(Throwable error) {
    Throwable cause = Causes.unwrap(error);
    if (cause instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (cause instanceof InvalidCommandException || cause instanceof InvalidRequestException) {
      return Status.INVALID_ARGUMENT.withDescription(cause.getMessage()).asRuntimeException();
    }
    if (cause instanceof RefusedException) {
      return Status.FAILED_PRECONDITION.withDescription(cause.getMessage()).asRuntimeException();
    }
    if (cause instanceof SupersededWriteException) {
      return Status.FAILED_PRECONDITION.withDescription(cause.getMessage()).asRuntimeException();
    }
    if (cause instanceof SessionUnknownException) {
      // UNKNOWN: clients treat the write's outcome as unknown (never retried; the Java client drops the
      // session's lane), which is the truth: an earlier attempt may or may not have been applied.
      return Status.UNKNOWN.withDescription(cause.getMessage()).asRuntimeException();
    }
    if (cause instanceof SessionsFullException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(cause.getMessage()).asRuntimeException();
    }
    if (cause instanceof TransactionAbortedException) {
      // ABORTED: not retried as the same write (its sequence now stands for the aborted attempt).
      return Status.ABORTED.withDescription(cause.getMessage()).asRuntimeException();
    }
    if (cause instanceof UnavailableException) {
      return Status.UNAVAILABLE.withDescription(cause.getMessage()).asRuntimeException();
    }
    LOG.error("unexpected error serving a request", cause);
    return Status.INTERNAL.withDescription("internal error: " + cause + " (see the node's log)").asRuntimeException();
  }
}
