package dev.redraft.client;

/**
 * A write got no definite answer: it may or may not have been applied. Read the data to find out
 * before writing again; a non-idempotent write (INCR) repeated blindly may apply twice.
 */
public class OutcomeUnknownException extends ClusterUnavailableException {
  public OutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
