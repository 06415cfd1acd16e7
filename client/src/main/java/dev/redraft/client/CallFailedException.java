package dev.redraft.client;

import io.grpc.Status;

/** How a call ended when no attempt succeeded; turned into a public exception by {@link FailureTranslator}. */
final class CallFailedException extends RuntimeException {
  private final Status status;
  private final String endpoint;
  private final int attempts;
  private final long elapsedNanos;
  private final boolean retriesExhausted;
  private final boolean mayHaveBeenApplied;
  private final boolean noNodeAnswered;

  CallFailedException(Status status, String endpoint, int attempts, long elapsedNanos,
                      boolean retriesExhausted, boolean mayHaveBeenApplied, boolean noNodeAnswered) {
    super(status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()),
        status.getCause());
    this.status = status;
    this.endpoint = endpoint;
    this.attempts = attempts;
    this.elapsedNanos = elapsedNanos;
    this.retriesExhausted = retriesExhausted;
    this.mayHaveBeenApplied = mayHaveBeenApplied;
    this.noNodeAnswered = noNodeAnswered;
  }

  /** Every attempt failed to connect: no node is listening at any endpoint tried. */
  boolean noNodeAnswered() {
    return noNodeAnswered;
  }

  Status status() {
    return status;
  }

  /** The endpoint of the last attempt. */
  String endpoint() {
    return endpoint;
  }

  int attempts() {
    return attempts;
  }

  long elapsedNanos() {
    return elapsedNanos;
  }

  /** The last failure was retryable, but attempts or time ran out. */
  boolean retriesExhausted() {
    return retriesExhausted;
  }

  /** Some attempt failed in a way that does not rule out that a write was applied. */
  boolean mayHaveBeenApplied() {
    return mayHaveBeenApplied;
  }
}
