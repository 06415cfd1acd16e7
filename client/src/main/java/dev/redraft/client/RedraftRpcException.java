package dev.redraft.client;

import io.grpc.Status;

/** The server refused the call with a gRPC status that retrying cannot fix. */
public class RedraftRpcException extends RedraftException {
  private final Status.Code code;

  public RedraftRpcException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }
}
