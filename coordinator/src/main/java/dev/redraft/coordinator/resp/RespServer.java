package dev.redraft.coordinator.resp;

import dev.redraft.coordinator.api.KvOperations;
import dev.redraft.coordinator.api.SlotLayout;
import dev.redraft.coordinator.command.CommandValidator;
import dev.redraft.coordinator.config.HostPort;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.coordinator.security.Tokens;
import dev.redraft.coordinator.tls.TlsMaterial;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Redis-protocol (RESP2/RESP3) port of one node, so redis-cli and any Redis client can use the
 * cluster unchanged. Requests are decoded by Netty's redis codec (inline commands too), bounded by
 * {@link RequestLimits}, and served by one {@link RespConnection} per connection through the same
 * operations as the gRPC API. With the node's TLS material the port speaks TLS ({@link RespTls}).
 */
public final class RespServer implements AutoCloseable {
  private final HostPort address;
  /** Null: no port for cluster-aware clients. */
  private final HostPort clusterAddress;
  private final RespContext context;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  /** Null: plaintext. */
  private final SslContext tls;
  private Channel channel;
  private Channel clusterChannel;

  /**
   * @param clusterAddress the port for cluster-aware clients, where a key of a group another node leads is
   *     answered -MOVED ({@link ClusterRedirects}); null: none
   */
  public RespServer(HostPort address, HostPort clusterAddress, KvOperations kv, SlotLayout slots,
      CommandValidator validator, String nodeId, Supplier<RaftStatus> raftStatus, int maxRequestBytes, String password,
      Tokens tokens, TlsMaterial tls) {
    this.address = address;
    this.clusterAddress = clusterAddress;
    this.tls = tls == null ? null : RespTls.server(tls);
    this.context = new RespContext(kv, slots, validator, nodeId, raftStatus, address.port(),
        clusterAddress == null ? null : ClusterCommands.HostPort.of(clusterAddress.toString()), // no [brackets]
        maxRequestBytes, password, tokens, tls != null);
    this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("redraft-resp-accept", true),
        NioIoHandler.newFactory());
    this.workers = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("redraft-resp", true),
        NioIoHandler.newFactory());
  }

  public void start() throws InterruptedException {
    channel = bind(address, false);
    if (clusterAddress != null) {
      clusterChannel = bind(clusterAddress, true);
    }
  }

  private Channel bind(HostPort at, boolean clusterPort) throws InterruptedException {
    // A command's arguments may add up to max-request-bytes; the framing around them is small.
    long maxCommandBytes = (long) context.maxRequestBytes + 64 * 1024;
    return new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc()));
            }
            ch.pipeline().addLast(new RedisDecoder(true), new RequestLimits(maxCommandBytes),
                new RedisBulkStringAggregator(), new RedisArrayAggregator(), new RespConnection(context, clusterPort));
          }
        })
        .bind(new InetSocketAddress(at.host(), at.port()))
        .sync()
        .channel();
  }

  @Override
  public void close() {
    for (Channel open : new Channel[] {channel, clusterChannel}) {
      if (open != null) {
        open.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
    }
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
