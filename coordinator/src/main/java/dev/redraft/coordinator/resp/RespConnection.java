package dev.redraft.coordinator.resp;

import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import dev.redraft.coordinator.command.CommandKind;
import dev.redraft.coordinator.resp.RespCommands.KvCall;
import dev.redraft.coordinator.resp.RespCommands.Step;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One RESP connection. Commands run in the order they arrive and replies go back in that order,
 * as Redis guarantees a pipelining client. Consecutive pipelined data commands of one kind (writes,
 * or reads) are sent together (writes share log entries, reads a leadership round); a read waits for
 * the writes before it to be answered, and a write for the reads before it, so each command sees
 * every earlier command of its connection and none of the later ones.
 */
final class RespConnection extends ChannelInboundHandlerAdapter {
  /** Commands buffered beyond this stop reading from the socket until the queue drains. */
  private static final int MAX_QUEUED = 4096;

  private final RespContext context;
  /** Accepted on the port for cluster-aware clients. */
  private final boolean clusterPort;
  private ConnectionState state;
  private RespCommands commands;
  private ChannelHandlerContext ctx;
  private final ArrayDeque<List<byte[]>> queued = new ArrayDeque<>();
  /** A run of data commands is in flight: later commands wait. */
  private boolean running;
  /**
   * The answer of the command that ended the running run although it looked like one more of it (a
   * -MOVED decided when its step was taken): written right after the run's replies, in order.
   */
  private Immediate afterRun;
  private boolean closing;

  RespConnection(RespContext context, boolean clusterPort) {
    this.context = context;
    this.clusterPort = clusterPort;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.state = context.open(String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", ""),
        String.valueOf(ctx.channel().localAddress()).replaceFirst("^/", ""), clusterPort);
    this.commands = new RespCommands(context, state);
    ctx.fireChannelActive();
  }

  /** A client certificate with a role authenticates the connection as that role (no AUTH needed). */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess() && !state.authenticated()) {
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      state.certificateRole = ssl == null ? null : context.roleOf(ssl.engine().getSession());
      state.role = state.certificateRole;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    context.close(state);
    queued.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      List<byte[]> argv = argv((RedisMessage) msg);
      if (!argv.isEmpty() && !closing) {
        queued.add(argv);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
    if (queued.size() >= MAX_QUEUED) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    drain();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Malformed input (Netty's decoder) or a reset socket: Redis answers a protocol error and closes.
    if (ctx.channel().isActive()) {
      String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      ByteBuf out = ctx.alloc().buffer();
      RespEncoder.write(out, Replies.error("ERR Protocol error: " + why), state == null ? 2 : state.protocol,
          ReplyShape.PLAIN);
      ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Runs queued commands until one needs the cluster, then waits for it; flushes what was answered. */
  private void drain() {
    boolean wrote = false;
    while (!running && !closing && !queued.isEmpty()) {
      Step step = commands.step(queued.poll());
      if (step instanceof Immediate immediate) {
        wrote = true;
        if (answerAt(immediate)) {
          return;
        }
      } else {
        List<KvCall> run = new ArrayList<>();
        run.add((KvCall) step);
        takeSameKind(run);
        running = true;
        send(run);
      }
    }
    if (wrote) {
      ctx.flush();
    }
    if (!running && queued.size() < MAX_QUEUED / 2 && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** Adds the pipelined single data commands that follow and are of the run's kind. */
  private void takeSameKind(List<KvCall> run) {
    CommandKind kind = run.get(0).kind();
    if (run.get(0).exec()) {
      return;
    }
    while (!queued.isEmpty()) {
      List<byte[]> next = queued.peek();
      if (!commands.isPlainData(next, kind)) {
        return;
      }
      Step step = commands.step(queued.poll());
      if (step instanceof KvCall call) {
        run.add(call);
      } else {
        afterRun = (Immediate) step;
        return;
      }
    }
  }

  private void send(List<KvCall> run) {
    List<CompletableFuture<Answer>> replies = new ArrayList<>(run.size());
    if (run.get(0).kind() == CommandKind.WRITE) {
      List<WriteRequest> requests = new ArrayList<>(run.size());
      int[] groups = new int[run.size()];
      for (int i = 0; i < run.size(); i++) {
        KvCall call = run.get(i);
        WriteRequest.Builder request = WriteRequest.newBuilder().addAllCommands(call.commands())
            .addAllWatches(call.watches());
        // A session per group the connection writes to (a request that cannot be routed fails alone).
        groups[i] = context.kv.groupOrZero(request);
        requests.add(request.setClientId(state.sessionId(groups[i])).setSequence(state.nextSequence(groups[i]))
            .build());
      }
      List<CompletableFuture<WriteResponse.Builder>> responses = context.kv.writeAll(requests);
      for (int i = 0; i < run.size(); i++) {
        KvCall call = run.get(i);
        int group = groups[i];
        replies.add(responses.get(i).handle((response, error) -> writeReply(call, group, response, error)));
      }
    } else {
      List<ReadRequest> requests = new ArrayList<>(run.size());
      for (KvCall call : run) {
        requests.add(ReadRequest.newBuilder().setCommand(call.commands().get(0))
            .setConsistency(state.staleReads || call.stale() ? ReadConsistency.STALE : ReadConsistency.LINEARIZABLE)
            .build());
      }
      List<CompletableFuture<ReadResponse.Builder>> responses = context.kv.readAll(requests);
      for (int i = 0; i < run.size(); i++) {
        KvCall call = run.get(i);
        replies.add(responses.get(i).handle((r, error) -> readReply(call, r, error)));
      }
    }
    CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
        .whenComplete((ignored, error) -> ctx.channel().eventLoop().execute(() -> answered(run, replies)));
  }

  /**
   * What a data call answers: one reply, or (a transaction that ran) the array of its commands'
   * replies; {@code items == null && single == null}: EXEC's nil, a watched key changed.
   */
  private record Answer(Reply single, List<Reply> items) {
    static final Answer WATCHED_KEY_CHANGED = new Answer(null, null);

    static Answer of(Reply single) {
      return new Answer(single, null);
    }
  }

  private Answer readReply(KvCall call, ReadResponse.Builder response, Throwable error) {
    if (error != null) {
      return Answer.of(call.transform().apply(RespErrors.toReply(error)));
    }
    if (call.watch()) {
      // Keys already watched keep their first digest: a change since the first WATCH still counts.
      List<Reply> digests = response.getReply().getArray().getItemsList();
      for (int i = 0; i < digests.size(); i++) {
        state.watches.putIfAbsent(call.commands().get(0).getArgs(i), digests.get(i).getBulk());
      }
      return Answer.of(Replies.OK);
    }
    if (call.exec()) {
      return new Answer(null, List.of(response.getReply())); // EXEC of one read: its array of one reply
    }
    return Answer.of(call.transform().apply(response.getReply()));
  }

  private Answer writeReply(KvCall call, int group, WriteResponse.Builder response, Throwable error) {
    if (error != null) {
      if (RespErrors.sessionLost(error)) {
        state.renewSession(group);
      }
      return Answer.of(RespErrors.toReply(error));
    }
    if (!call.exec()) {
      return Answer.of(response.getReplies(0));
    }
    if (response.getWatchFailed()) {
      return Answer.WATCHED_KEY_CHANGED;
    }
    if (response.getRolledBack()) {
      // Stronger than Redis, which runs the rest of a transaction after a failed command: nothing applies.
      int failed = response.getRepliesCount();
      Reply cause = response.getReplies(failed - 1);
      Command command = call.commands().get(failed - 1);
      return Answer.of(Replies.error("EXECABORT Transaction rolled back, nothing was applied: command " + failed
          + " (" + command.getName() + ") failed: " + (cause.hasError() ? cause.getError() : cause.toString())));
    }
    return new Answer(null, response.getRepliesList());
  }

  private void answered(List<KvCall> run, List<CompletableFuture<Answer>> replies) {
    running = false;
    if (!ctx.channel().isActive()) {
      return;
    }
    for (int i = 0; i < run.size(); i++) {
      KvCall call = run.get(i);
      Answer answer = replies.get(i).join();
      if (answer == Answer.WATCHED_KEY_CHANGED) {
        ByteBuf out = ctx.alloc().buffer();
        RespEncoder.writeNullArray(out, state.protocol);
        ctx.write(out);
      } else if (answer.items() != null) {
        writeArray(call, answer.items());
      } else {
        write(answer.single(), call.shapes().get(0));
      }
    }
    Immediate after = afterRun;
    afterRun = null;
    if (after != null && answerAt(after)) {
      return;
    }
    ctx.flush();
    drain();
  }

  /** Writes an answer given at once; true if it ends the connection (flushed, then closed). */
  private boolean answerAt(Immediate immediate) {
    write(immediate.reply(), immediate.shape());
    if (immediate.close()) {
      closing = true;
      ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
    }
    return immediate.close();
  }

  private void writeArray(KvCall call, List<Reply> items) {
    ByteBuf out = ctx.alloc().buffer();
    out.writeByte('*').writeCharSequence(Integer.toString(items.size()), StandardCharsets.US_ASCII);
    out.writeByte('\r').writeByte('\n');
    for (int i = 0; i < items.size(); i++) {
      RespEncoder.write(out, items.get(i), state.protocol, call.shapes().get(i));
    }
    ctx.write(out);
  }

  private void write(Reply reply, ReplyShape shape) {
    ByteBuf out = ctx.alloc().buffer();
    RespEncoder.write(out, reply, state.protocol, shape);
    ctx.write(out);
  }

  /** A request is an array of bulk strings, or an inline command (telnet): split on spaces as Redis does. */
  private static List<byte[]> argv(RedisMessage msg) {
    List<byte[]> argv = new ArrayList<>();
    if (msg instanceof ArrayRedisMessage array) {
      for (RedisMessage child : array.children()) {
        if (child instanceof FullBulkStringRedisMessage bulk && !bulk.isNull()) {
          argv.add(ByteBufUtil.getBytes(bulk.content()));
        } else {
          throw new IllegalArgumentException("expected an array of bulk strings");
        }
      }
    } else if (msg instanceof InlineCommandRedisMessage inline) {
      for (String word : inline.content().trim().split("\\s+")) {
        if (!word.isEmpty()) {
          argv.add(word.getBytes(StandardCharsets.UTF_8));
        }
      }
    } else {
      throw new IllegalArgumentException("expected a command (an array of bulk strings), got " + msg);
    }
    return argv;
  }
}
