package dev.redraft.coordinator.errors;

/**
 * A batch across groups was aborted before it committed (a key stayed locked by a conflicting
 * transaction, or a group could not prepare it): nothing of it was applied in any group. Its (client id,
 * sequence) now stands for that aborted attempt: send the batch again as a new write (a new sequence).
 */
public class TransactionAbortedException extends RuntimeException {
  public TransactionAbortedException(String message) {
    super(message);
  }
}
