package dev.redraft.coordinator.errors;

/**
 * A write arrived for a client id that has no session, with a sequence above 1 or, at sequence 1, an
 * opening stamp no newer than a dropped session's: it expired (idle past session-idle-timeout-ms), was
 * evicted (session-max), or was never opened. This attempt was not
 * applied, but an earlier attempt of the same write may have been: its outcome is unknown.
 */
public final class SessionUnknownException extends RuntimeException {
  public SessionUnknownException(String message) {
    super(message);
  }
}
