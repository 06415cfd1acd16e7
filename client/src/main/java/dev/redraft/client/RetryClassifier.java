package dev.redraft.client;

import io.grpc.Metadata;
import io.grpc.Status;
import java.net.ConnectException;
import javax.net.ssl.SSLException;

/** Which failed attempts are retried, and which make the client try another endpoint. */
final class RetryClassifier {
  /**
   * Trailer the server sets to "true" on an ABORTED or FAILED_PRECONDITION status that is safe to
   * retry (the request was not applied and may succeed later).
   */
  static final Metadata.Key<String> RETRYABLE_TRAILER =
      Metadata.Key.of("redraft-retryable", Metadata.ASCII_STRING_MARSHALLER);

  record Decision(boolean retry, boolean switchEndpoint) {}

  private RetryClassifier() {}

  static Decision classify(Status status, Metadata trailers) {
    return switch (status.getCode()) {
      // No leader, leader changed, node not ready, or the node cannot be reached.
      case UNAVAILABLE -> new Decision(true, true);
      // The node did not answer in time: it may be paused or partitioned, so try another one.
      case DEADLINE_EXCEEDED -> new Decision(true, true);
      case ABORTED, FAILED_PRECONDITION -> new Decision(markedRetryable(trailers), false);
      default -> new Decision(false, false);
    };
  }

  /**
   * For admin changes: only UNAVAILABLE (no leader yet, node down or not ready) is retried, on
   * another endpoint. A refusal (FAILED_PRECONDITION, INVALID_ARGUMENT, ...) is the answer, and a
   * DEADLINE_EXCEEDED may mean the change is still under way: neither is repeated.
   */
  static Decision classifyAdmin(Status status) {
    return status.getCode() == Status.Code.UNAVAILABLE ? new Decision(true, true) : new Decision(false, false);
  }

  /**
   * Failures after which a write may have been applied: its outcome is unknown. A refused
   * connection is the exception: nothing was sent.
   */
  static boolean leavesWriteOutcomeUnknown(Status status) {
    return switch (status.getCode()) {
      case UNAVAILABLE -> !connectionRefused(status.getCause()) && !isTlsFailure(status);
      case DEADLINE_EXCEEDED, UNKNOWN, INTERNAL, CANCELLED, DATA_LOSS -> true;
      default -> false;
    };
  }

  /**
   * The attempt never reached a node: its connection was refused or could not be made, or the TLS
   * handshake failed (the node handles no request on a connection whose handshake it did not finish).
   */
  static boolean isConnectFailure(Status status) {
    return status.getCode() == Status.Code.UNAVAILABLE
        && (connectionRefused(status.getCause()) || isTlsFailure(status));
  }

  /** The TLS handshake failed: a certificate was refused by either side, or no common protocol or suite. */
  static boolean isTlsFailure(Status status) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static boolean connectionRefused(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }

  private static boolean markedRetryable(Metadata trailers) {
    return trailers != null && "true".equalsIgnoreCase(trailers.get(RETRYABLE_TRAILER));
  }
}
