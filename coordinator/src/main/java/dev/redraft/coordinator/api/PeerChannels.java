package dev.redraft.coordinator.api;

import dev.redraft.api.FailedChannelReconnects;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.coordinator.errors.UnavailableException;
import dev.redraft.coordinator.node.MemberDirectory;
import dev.redraft.coordinator.tls.TlsMaterial;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.MetadataUtils;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per peer API address, shared by everything that calls other nodes. A channel to a
 * peer that is down retries its connection with gRPC's backoff, which grows to minutes; a peer that
 * comes back must be reachable at once (a leader whose other follower is lost confirms its leadership
 * through it), so a call to a peer whose channel failed asks for a new connection attempt now
 * ({@link FailedChannelReconnects}).
 */
public final class PeerChannels implements AutoCloseable {
  private static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

  private final String selfId;
  private final MemberDirectory members;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final FailedChannelReconnects reconnects = new FailedChannelReconnects();

  /** Null: plaintext. */
  private final SslContext tls;

  /** {@code tls} null: plaintext channels; else TLS presenting this node's certificate. */
  public PeerChannels(String selfId, MemberDirectory members, TlsMaterial tls) {
    this.selfId = selfId;
    this.members = members;
    this.tls = tls == null ? null : ApiTls.peerClient(tls);
  }

  /** An admin stub for a node, marked as forwarded by this node, with a deadline. */
  AdminGrpc.AdminBlockingStub admin(String nodeId, long deadlineMs, String why) {
    var addresses = members.get(nodeId).orElseThrow(() -> new UnavailableException("node " + nodeId
        + " has not published its API address yet, so node " + selfId + " cannot " + why + ": retry"));
    ManagedChannel channel = channels.computeIfAbsent(addresses.apiAddress(), this::open);
    reconnects.reconnectIfFailed(channel);
    Metadata headers = new Metadata();
    headers.put(AdminService.FORWARDED_BY, selfId);
    // Not waiting for that connection: a call to a peer that is down fails at once, as before (some
    // callers, e.g. forwarded admin requests, have deadlines of minutes).
    return AdminGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
  }

  private ManagedChannel open(String address) {
    NettyChannelBuilder builder = NettyChannelBuilder.forTarget(address).maxInboundMessageSize(MAX_MESSAGE_BYTES);
    return (tls == null ? builder.usePlaintext() : builder.sslContext(tls)).build();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
