package dev.redraft.coordinator.resp;

import dev.redraft.api.v1.Reply;
import dev.redraft.coordinator.api.KvOperations;
import io.grpc.Status;
import java.util.regex.Pattern;

/**
 * A failed operation as a Redis error reply, from the same error table the gRPC API uses. Errors a
 * retry may cure (no leader yet, this node not ready, a timeout) start with TRYAGAIN, as Redis
 * Cluster's do; everything else with ERR unless the message already names a Redis error code.
 */
final class RespErrors {
  private static final Pattern REDIS_CODE = Pattern.compile("^[A-Z][A-Z_]+ .*", Pattern.DOTALL);

  private RespErrors() {}

  static Reply toReply(Throwable error) {
    Status status = KvOperations.statusOf(error);
    String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
    if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return Replies.error("TRYAGAIN " + message);
    }
    return Replies.error(REDIS_CODE.matcher(message).matches() ? message : "ERR " + message);
  }

  /** True if the write was refused because its session is gone (expired or evicted). */
  static boolean sessionLost(Throwable error) {
    return KvOperations.statusOf(error).getCode() == Status.Code.UNKNOWN;
  }
}
