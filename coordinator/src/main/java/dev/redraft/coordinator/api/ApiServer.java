package dev.redraft.coordinator.api;

import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.metrics.RedraftMetrics;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.node.NodeReadiness;
import dev.redraft.coordinator.raft.RaftNode;
import dev.redraft.coordinator.security.CallAuthorizer;
import dev.redraft.coordinator.security.Tokens;
import dev.redraft.coordinator.tls.TlsMaterial;
import dev.redraft.coordinator.verify.ReplicaVerifier;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import dev.redraft.api.v1.KVGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The public gRPC server of one node: the KV and Admin services, the standard health service and
 * server reflection (so grpcurl works without the .proto files). With TLS material, TLS on that one
 * port ({@link ApiTls}) and every call authenticated and authorized by role ({@link CallAuthorizer});
 * without, plaintext and open to anyone (a local try-out).
 */
public final class ApiServer implements AutoCloseable {
  /** gRPC's own limit on an inbound message: requests larger than max-request-bytes are refused anyway. */
  private static final int MAX_INBOUND_MESSAGE_BYTES = 8 * 1024 * 1024;

  private final Server server;
  private final AdminService admin;
  private final ExecutorService confirmExecutor;
  private final GrpcHealthReporter healthReporter;
  private final KvOperations kv;
  private final TxRecovery txRecovery;
  private final SlotLayout slots;
  private final SlotMapWatch slotMap;
  private final SlotMoves slotMoves;

  /**
   * @param groups this node's replica of each Raft group, group 0 first (it holds the cluster's
   *     members and tokens, and answers the cluster-wide admin calls)
   * @param splitGroups how many groups the static split of the slots is over (groups after those were added)
   */
  public ApiServer(NodeConfig config, List<GroupApi> groups, int splitGroups, CommandValidator validator,
      MemberDirectory members,
      RedraftMetrics metrics, PeerChannels channels, TlsMaterial tls, Tokens tokens) {
    RaftNode raft = groups.get(0).raft();
    HeaderFactory headers = new HeaderFactory(config.clusterId(), raft, members);
    this.confirmExecutor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "redraft-confirm-leadership");
      t.setDaemon(true);
      return t;
    });
    List<AdminService.Group> adminGroups = new ArrayList<>();
    List<KvOperations.Group> kvGroups = new ArrayList<>();
    for (GroupApi group : groups) {
      LeadershipConfirmation leadership = new LeadershipConfirmation(group.raft(), channels, confirmExecutor,
          !config.unsafeReadOptionDefault());
      adminGroups.add(new AdminService.Group(group, leadership));
      WriteHandler writes = new WriteHandler(config.nodeId(), group.raft(), validator, config.maxRequestBytes(),
          config.maxBatchCommands(), config.requestTimeout(), group.health());
      ReadHandler reads = new ReadHandler(group.raft(), leadership, validator, group.health(), config.requestTimeout());
      kvGroups.add(new KvOperations.Group(writes, reads, group.health()));
    }
    List<RaftNode> rafts = groups.stream().map(GroupApi::raft).toList();
    this.slotMap = new SlotMapWatch(config, splitGroups, groups.size(), raft);
    this.slotMoves = new SlotMoves(config.nodeId(), rafts, group -> kvGroups.get(group).writes(), slotMap);
    this.slots = new SlotLayout(slotMap, rafts, members);
    this.admin = new AdminService(adminGroups, members, headers, config.apiAddress().toString(), channels, slots,
        slotMoves);
    // Serving means serving every group: one replica not ready makes the node not ready.
    List<NodeReadiness> readiness = groups.stream().map(GroupApi::readiness).toList();
    this.healthReporter = new GrpcHealthReporter(() -> NodeReadiness.ofAll(readiness));
    this.kv = new KvOperations(kvGroups, new SlotRouter(slotMap), metrics);
    this.txRecovery = new TxRecovery(config.nodeId(), groups.stream().map(GroupApi::raft).toList(),
        group -> kvGroups.get(group).writes());
    NettyServerBuilder builder = NettyServerBuilder
        .forAddress(new InetSocketAddress(config.apiAddress().host(), config.apiAddress().port()));
    if (tls != null) {
      builder.sslContext(ApiTls.server(tls, tokens.accepted())).intercept(new CallAuthorizer(tokens));
    }
    this.server = builder
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .callExecutor(ApiServer::kvCallsOnTheTransportThread)
        .addService(new KvService(kv, headers))
        .addService(ServerInterceptors.intercept(admin, new ForwardedCallInterceptor()))
        .addService(new AccessService(raft, tokens, headers))
        .addService(healthReporter.service())
        .addService(ProtoReflectionServiceV1.newInstance())
        // Older grpcurl versions only speak the v1alpha reflection protocol.
        .addService(ProtoReflectionService.newInstance())
        .build();
  }

  /**
   * KV calls never block (they validate, propose and return; replies come back through futures), so
   * they run on the transport's own thread instead of being handed to the default pool, which saved
   * a thread wake-up per call each way; admin calls may wait (membership, leadership rounds) and keep
   * the default executor.
   */
  private static Executor kvCallsOnTheTransportThread(ServerCall<?, ?> call, Metadata headers) {
    return KVGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName()) ? Runnable::run : null;
  }

  /** Writes and reads as this server serves them, for the other front door (the RESP port). */
  public KvOperations kv() {
    return kv;
  }

  /** Which group owns which slots and who serves it, for the RESP port's CLUSTER commands. */
  public SlotLayout slots() {
    return slots;
  }

  public void start() throws IOException {
    server.start();
    healthReporter.start();
    txRecovery.start();
    slotMap.start();
    slotMoves.start();
  }

  @Override
  public void close() throws InterruptedException {
    slotMoves.close();
    slotMap.close();
    txRecovery.close();
    healthReporter.close();
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
    admin.close();
    confirmExecutor.shutdownNow();
  }
}
