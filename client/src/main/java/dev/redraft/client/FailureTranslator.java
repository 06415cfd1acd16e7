package dev.redraft.client;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one place where a failed call becomes the exception callers see. */
final class FailureTranslator {
  /** What gRPC says when a connection closes with no HTTP/2 answer: e.g. a plaintext call to a TLS port. */
  private static final String NETWORK_CLOSED = "Network closed for unknown reason";

  private FailureTranslator() {}

  static RuntimeException forWrite(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (!(cause instanceof CallFailedException failed)) {
      return passThrough(cause);
    }
    Status.Code code = failed.status().getCode();
    if (code == Status.Code.INVALID_ARGUMENT) {
      return new InvalidRequestException(describe(failed.status()), failed);
    }
    if (failed.mayHaveBeenApplied()) {
      return new OutcomeUnknownException("write outcome unknown after " + summary(failed)
          + ". It may or may not have been applied: read the data before writing again", failed);
    }
    if (failed.retriesExhausted()) {
      return unavailable(failed);
    }
    return new RedraftRpcException(code, "the server refused the write: " + describe(failed.status()), failed);
  }

  static RuntimeException forRead(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (!(cause instanceof CallFailedException failed)) {
      return passThrough(cause);
    }
    Status.Code code = failed.status().getCode();
    if (code == Status.Code.INVALID_ARGUMENT) {
      return new InvalidRequestException(describe(failed.status()), failed);
    }
    if (failed.retriesExhausted() || code == Status.Code.UNAVAILABLE
        || code == Status.Code.DEADLINE_EXCEEDED) {
      return unavailable(failed);
    }
    return new RedraftRpcException(code, "the server refused the call: " + describe(failed.status()), failed);
  }

  /** For admin changes, which are retried on UNAVAILABLE only (see RetryClassifier#classifyAdmin). */
  static RuntimeException forAdmin(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (!(cause instanceof CallFailedException failed)) {
      return passThrough(cause);
    }
    Status status = failed.status();
    return switch (status.getCode()) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS, OUT_OF_RANGE, PERMISSION_DENIED,
          ABORTED -> new AdminRefusedException(status.getCode(), serverMessage(status), failed);
      case DEADLINE_EXCEEDED -> new OutcomeUnknownException("no answer within the timeout after "
          + summary(failed) + ". The change may still complete: check with 'redraft member list'", failed);
      case UNAVAILABLE -> unavailable(failed);
      case UNIMPLEMENTED -> new RedraftRpcException(status.getCode(), "the node does not support this call "
          + "(an older version?): " + describe(status), failed);
      default -> new RedraftRpcException(status.getCode(), "the call failed: " + describe(status), failed);
    };
  }

  /** The server's own words, else the status code. */
  private static String serverMessage(Status status) {
    String description = status.getDescription();
    return description == null || description.isBlank() ? status.getCode().name() : description;
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static ClusterUnavailableException unavailable(CallFailedException failed) {
    if (RetryClassifier.isTlsFailure(failed.status())) {
      return new ClusterUnavailableException("TLS handshake with " + failed.endpoint() + " failed ("
          + innermostMessage(failed.status().getCause()) + "; " + summary(failed) + "). Check the client's TLS "
          + "settings: it must trust the cluster's CA and present a certificate and key signed by it", failed);
    }
    if (failed.noNodeAnswered()) {
      return new ClusterUnavailableException("no node answered: connection refused by every endpoint tried ("
          + summary(failed) + "). Are the nodes running, and are these their API addresses?", failed);
    }
    return new ClusterUnavailableException("no answer from the cluster after " + summary(failed), failed);
  }

  /**
   * The node dropped the connection without an HTTP/2 answer: gRPC says "Network closed for unknown
   * reason", or the socket was reset. A plaintext call to a TLS port ends this way (which one depends
   * on timing), as does a node that died mid-call: the hint says "if".
   */
  private static boolean closedWithoutAnswer(Status status) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return false;
    }
    if (NETWORK_CLOSED.equals(status.getDescription())) {
      return true;
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("Connection reset by peer")) {
        return true;
      }
    }
    return false;
  }

  /** The deepest message of a cause chain: where TLS says which certificate check failed. */
  private static String innermostMessage(Throwable failure) {
    String message = String.valueOf(failure);
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message;
  }

  private static String summary(CallFailedException failed) {
    return failed.attempts() + (failed.attempts() == 1 ? " attempt" : " attempts") + " in "
        + failed.elapsedNanos() / 1_000_000 + " ms (last from " + failed.endpoint() + ": "
        + describe(failed.status()) + ")";
  }

  private static String describe(Status status) {
    StringBuilder text = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      text.append(": ").append(status.getDescription());
    }
    Throwable cause = status.getCause();
    if (cause != null) {
      // e.g. "io exception" alone does not say that the connection was refused.
      text.append(" (").append(cause.getMessage() != null ? cause.getMessage() : cause.toString()).append(')');
    }
    if (closedWithoutAnswer(status)) {
      text.append(" (the node closed the connection without an answer: if the cluster uses TLS, the client needs"
          + " TLS settings: the cluster's CA, a client certificate and key)");
    }
    return text.toString();
  }

  private static RuntimeException passThrough(Throwable cause) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    return new RedraftException("call failed: " + cause, cause);
  }
}
