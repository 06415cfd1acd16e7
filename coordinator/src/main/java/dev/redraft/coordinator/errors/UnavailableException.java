package dev.redraft.coordinator.errors;

/**
 * The request could not be served now, but may succeed if retried (here or on another node): no
 * leader, leader changed, node not ready, timeout inside the cluster. A write that failed this way
 * may or may not have been applied; retrying it with the same (client id, sequence) is safe.
 */
public class UnavailableException extends RuntimeException {
  public UnavailableException(String message) {
    super(message);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
