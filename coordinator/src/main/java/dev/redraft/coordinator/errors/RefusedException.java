package dev.redraft.coordinator.errors;

/**
 * The request is well-formed but refused in the cluster's current state (e.g. a membership change
 * that would lose quorum, or one racing another). Nothing changed; retrying the same request will be
 * refused again until the state changes.
 */
public final class RefusedException extends RuntimeException {
  public RefusedException(String message) {
    super(message);
  }
}
