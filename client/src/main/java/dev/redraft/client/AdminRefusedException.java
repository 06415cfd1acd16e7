package dev.redraft.client;

import io.grpc.Status;

/**
 * The server refused an admin request and changed nothing: bad input ({@code INVALID_ARGUMENT},
 * e.g. a malformed address) or a change that is not possible now ({@code FAILED_PRECONDITION}, e.g.
 * it would leave the cluster without a majority, another change is in progress, the node is not a
 * member). Never retried: the message says why.
 */
public class AdminRefusedException extends RedraftRpcException {
  public AdminRefusedException(Status.Code code, String message, Throwable cause) {
    super(code, message, cause);
  }

  /** The request itself was malformed ({@code INVALID_ARGUMENT}), as opposed to refused. */
  public boolean badInput() {
    return code() == Status.Code.INVALID_ARGUMENT;
  }
}
