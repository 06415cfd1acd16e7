package dev.redraft.coordinator.security;

import dev.redraft.api.v1.AccessGrpc;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.KVGrpc;
import java.util.Map;
import java.util.Optional;

/**
 * The role each gRPC method needs. Health checks and server reflection need none (load balancers and
 * grpcurl must reach them); a method not listed needs {@link Role#NODE}, so a new RPC is closed until
 * someone decides who may call it.
 */
public final class MethodRoles {
  private static final Map<String, Role> REQUIRED = Map.ofEntries(
      Map.entry(KVGrpc.getReadMethod().getFullMethodName(), Role.READ),
      Map.entry(KVGrpc.getReadManyMethod().getFullMethodName(), Role.READ),
      Map.entry(KVGrpc.getWriteMethod().getFullMethodName(), Role.READWRITE),
      Map.entry(KVGrpc.getWriteManyMethod().getFullMethodName(), Role.READWRITE),
      Map.entry(AdminGrpc.getNodeStatusMethod().getFullMethodName(), Role.READ),
      Map.entry(AdminGrpc.getClusterStatusMethod().getFullMethodName(), Role.READ),
      // The slot layout: every client routes by it.
      Map.entry(AdminGrpc.getClusterSlotsMethod().getFullMethodName(), Role.READ),
      Map.entry(AdminGrpc.getAddNodeMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AdminGrpc.getRemoveNodeMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AdminGrpc.getPromoteNodeMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AdminGrpc.getTransferLeadershipMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AdminGrpc.getTakeSnapshotMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AdminGrpc.getMoveSlotsMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AdminGrpc.getVerifyMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AdminGrpc.getGetDigestMethod().getFullMethodName(), Role.NODE),
      Map.entry(AdminGrpc.getFetchSnapshotMethod().getFullMethodName(), Role.NODE),
      Map.entry(AdminGrpc.getConfirmLeadershipMethod().getFullMethodName(), Role.NODE),
      Map.entry(AdminGrpc.getAcknowledgeLeaderMethod().getFullMethodName(), Role.NODE),
      Map.entry(AdminGrpc.getGetConfigurationMethod().getFullMethodName(), Role.NODE),
      Map.entry(AccessGrpc.getAddTokenMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AccessGrpc.getRemoveTokenMethod().getFullMethodName(), Role.ADMIN),
      Map.entry(AccessGrpc.getListTokensMethod().getFullMethodName(), Role.ADMIN));

  private MethodRoles() {}

  /** The methods with a role of their own (the others need {@link Role#NODE}). */
  static Map<String, Role> listed() {
    return REQUIRED;
  }

  /** The role {@code fullMethodName} needs; empty: open to every caller. */
  public static Optional<Role> required(String fullMethodName) {
    if (fullMethodName.startsWith("grpc.health.v1.Health/") || fullMethodName.startsWith("grpc.reflection.")) {
      return Optional.empty();
    }
    return Optional.of(REQUIRED.getOrDefault(fullMethodName, Role.NODE));
  }
}
