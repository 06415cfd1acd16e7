package dev.redraft.coordinator.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Marks an admin call that another node forwarded here, so it is not forwarded a second time (a sharded
 * membership change forwarded to group 0's leader makes calls of its own there: see MembershipCalls).
 */
final class ForwardedCallInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String forwardedBy = headers.get(AdminService.FORWARDED_BY);
    if (forwardedBy == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(AdminService.FORWARDED, forwardedBy), call, headers, next);
  }
}
