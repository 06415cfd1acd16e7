package dev.redraft.coordinator.errors;

/** The request is malformed or breaks a limit; nothing was changed. */
public class InvalidRequestException extends RuntimeException {
  public InvalidRequestException(String message) {
    super(message);
  }
}
