package dev.redraft.client;

import io.grpc.Status;

/**
 * The server rejected the request as bad input (unknown or refused command, wrong arity, value
 * too large). Nothing changed; never retried.
 */
public class InvalidRequestException extends RedraftRpcException {
  public InvalidRequestException(String message, Throwable cause) {
    super(Status.Code.INVALID_ARGUMENT, message, cause);
  }
}
