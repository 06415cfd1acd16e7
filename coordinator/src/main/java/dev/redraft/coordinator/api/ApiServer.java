package dev.redraft.coordinator.api;

import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.config.NodeConfig;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.node.NodeHealth;
import dev.redraft.coordinator.raft.RaftNode;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The public gRPC server of one node: the KV and Admin services. */
public final class ApiServer implements AutoCloseable {
  /** gRPC's own limit on an inbound message: requests larger than max-request-bytes are refused anyway. */
  private static final int MAX_INBOUND_MESSAGE_BYTES = 8 * 1024 * 1024;

  private final Server server;
  private final AdminService admin;

  public ApiServer(NodeConfig config, RaftNode raft, CommandValidator validator, NodeHealth health,
      MemberDirectory members, BooleanSupplier redisHealthy) {
    HeaderFactory headers = new HeaderFactory(config.clusterId(), raft, members);
    this.admin = new AdminService(raft, health, members, headers, config.apiAddress().toString(),
        config.redisAddress().toString(), redisHealthy);
    this.server = NettyServerBuilder
        .forAddress(new InetSocketAddress(config.apiAddress().host(), config.apiAddress().port()))
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .addService(new KvService(config.nodeId(), raft, validator, health, headers, config.maxRequestBytes(),
            config.maxBatchCommands(), config.requestTimeout()))
        .addService(ServerInterceptors.intercept(admin, new ForwardedCallInterceptor()))
        .build();
  }

  public void start() throws IOException {
    server.start();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
    admin.close();
  }
}
