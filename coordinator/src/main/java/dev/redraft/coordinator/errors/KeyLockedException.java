package dev.redraft.coordinator.errors;

/**
 * A key of the request is locked by a transaction across groups that is prepared and not yet committed
 * or aborted (normally milliseconds; after its coordinator crashed, until recovery finishes it). Nothing
 * was applied; retrying the same request (the same client id and sequence) is safe.
 */
public class KeyLockedException extends UnavailableException {
  public KeyLockedException(String message) {
    super(message);
  }
}
