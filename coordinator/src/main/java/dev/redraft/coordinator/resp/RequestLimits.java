package dev.redraft.coordinator.resp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.handler.codec.redis.RedisCodecException;

/**
 * Bounds what one command may make the node buffer before it is even parsed whole: Netty's
 * aggregators would otherwise collect up to 512 MB per bulk string. A command over the limits is a
 * protocol error (the connection closes, as Redis does); the validator's finer limits apply after.
 */
final class RequestLimits extends ChannelInboundHandlerAdapter {
  /** Redis' own cap on the elements of one request (1024 * 1024). */
  private static final long MAX_ELEMENTS = 1024 * 1024;

  private final long maxCommandBytes;
  private long bytesInCommand;

  RequestLimits(long maxCommandBytes) {
    this.maxCommandBytes = maxCommandBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ArrayHeaderRedisMessage header) {
      bytesInCommand = 0;
      if (header.length() > MAX_ELEMENTS) {
        throw new RedisCodecException("invalid multibulk length " + header.length() + " (at most " + MAX_ELEMENTS + ")");
      }
    } else if (msg instanceof BulkStringHeaderRedisMessage header) {
      bytesInCommand += Math.max(0, header.bulkStringLength());
      if (bytesInCommand > maxCommandBytes) {
        throw new RedisCodecException("command of more than " + maxCommandBytes
            + " bytes (max-request-bytes): split it into smaller commands");
      }
    }
    ctx.fireChannelRead(msg);
  }
}
