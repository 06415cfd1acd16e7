package dev.redraft.coordinator.errors;

/**
 * A write arrived with a sequence number older than its session's last applied one: it is a late
 * duplicate of a write whose reply the client no longer waits for. It was not applied.
 */
public final class SupersededWriteException extends RuntimeException {
  public SupersededWriteException(String message) {
    super(message);
  }
}
