package dev.redraft.coordinator.testing;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.KVGrpc;
import dev.redraft.api.v1.WriteRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Raw gRPC access to one node, for tests that need exact control over requests. */
public final class Grpc implements AutoCloseable {
  private final ManagedChannel channel;

  public Grpc(String endpoint) {
    this.channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
  }

  /** Over TLS: trusting {@code ca}, presenting {@code identity} (null: no client certificate). */
  public Grpc(String endpoint, Path ca, TestCa.Identity identity) {
    try {
      SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(ca.toFile());
      if (identity != null) {
        tls.keyManager(identity.cert().toFile(), identity.key().toFile());
      }
      this.channel = NettyChannelBuilder.forTarget(endpoint).sslContext(tls.build()).build();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  public AdminGrpc.AdminBlockingStub admin() {
    return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  public ManagedChannel channel() {
    return channel;
  }

  public KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public static Command command(String name, String... args) {
    Command.Builder command = Command.newBuilder().setName(name);
    for (String arg : args) {
      command.addArgs(ByteString.copyFrom(arg, StandardCharsets.UTF_8));
    }
    return command.build();
  }

  public static WriteRequest write(String clientId, long sequence, Command... commands) {
    WriteRequest.Builder request = WriteRequest.newBuilder().setClientId(clientId).setSequence(sequence);
    for (Command command : commands) {
      request.addCommands(command);
    }
    return request.build();
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
