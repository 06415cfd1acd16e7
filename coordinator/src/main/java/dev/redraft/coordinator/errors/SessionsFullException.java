package dev.redraft.coordinator.errors;

/**
 * A new session was refused: the session table is at session-max and every session in it was used
 * too recently to be evicted. Nothing was applied.
 */
public final class SessionsFullException extends RuntimeException {
  public SessionsFullException(String message) {
    super(message);
  }
}
