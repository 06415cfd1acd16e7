package dev.redraft.client;

/** Base of every failure the Redraft client reports. Unchecked, like the Redis clients it replaces. */
public class RedraftException extends RuntimeException {
  public RedraftException(String message) {
    super(message);
  }

  public RedraftException(String message, Throwable cause) {
    super(message, cause);
  }
}
