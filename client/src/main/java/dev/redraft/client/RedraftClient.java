package dev.redraft.client;

import com.google.protobuf.ByteString;
import dev.redraft.api.v1.ClusterStatusResponse;
import dev.redraft.api.v1.Command;
import dev.redraft.api.v1.NodeStatusResponse;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ReadResponse;
import dev.redraft.api.v1.Reply;
import dev.redraft.api.v1.WatchedKey;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.api.v1.WriteResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The Redraft client: writes go through the Raft log exactly once, reads are linearizable unless
 * asked otherwise. Any endpoint can serve any call; the client retries on another one when a node
 * is down or has no leader. Thread-safe; close it to release its channels and its thread.
 *
 * <pre>{@code
 * try (RedraftClient client = RedraftClient.builder().endpoints(List.of("127.0.0.1:7001")).build()) {
 *   client.set("greeting", "hello");
 *   String value = client.get("greeting");
 * }
 * }</pre>
 */
public final class RedraftClient implements AutoCloseable, StringCommands, KeyCommands, HashCommands,
    ListCommands, SetCommands, SortedSetCommands {
  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

  private final EndpointPool endpoints;
  private final SessionPool sessions = new SessionPool();
  private final ScheduledThreadPoolExecutor scheduler;
  private final RetryingCaller caller;
  private final AdminClient admin;
  /**
   * Concurrent calls share RPCs (WriteMany, ReadMany): fewer calls in flight means more operations per
   * call, and the per-call cost (HTTP/2 frames, a thread hand-off each way, on client and server; and
   * on the leader, a Raft entry per call) is what bounded a load of many threads. One call in flight:
   * 50 writers, 3 nodes on 2 cores, ~8,300 writes/s at 171 us of CPU per write against ~3,800 at
   * 352 us with two (scripts/bench.sh; see README "Benchmark"). In a sharded cluster a round is one
   * call per node leading some of its operations' groups, and the next round waits for all of them: a
   * coalescer per group, each with its own call in flight, cut the rounds into small entries (4 groups,
   * 50 writers: 2,021 writes/s at 949 us of CPU per write, against 3,246 at 579 us in rounds).
   */
  private static final int MAX_CALLS_IN_FLIGHT = 1;
  private static final int MAX_OPERATIONS_PER_CALL = 256;
  private static final long MAX_BYTES_PER_CALL = 4L * 1024 * 1024;
  private final CallCoalescer<WriteRequest, WriteResponse> writes;
  private final CallCoalescer<ReadRequest, ReadResponse> reads;
  /** A sharded cluster's layout: sends each request straight to the leader of its key's group. */
  private final GroupRouter router;
  private volatile boolean closed;

  private RedraftClient(Builder builder) {
    this.endpoints = new EndpointPool(builder.endpoints, builder.channels());
    this.scheduler = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "redraft-client-retry-" + THREAD_NUMBER.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    this.caller = new RetryingCaller(endpoints, builder.retryPolicy, builder.requestTimeout,
        builder.connectTimeout != null ? builder.connectTimeout : builder.requestTimeout, scheduler);
    this.admin = new AdminClient(caller, this::checkOpen);
    this.router = new GroupRouter(admin::clusterSlotsAsync, scheduler);
    // Each round of waiting operations goes out as one call per node that leads their keys' groups.
    Function<WriteRequest, GroupRouter.Target> writeTarget = request -> router.targetOf(routingKey(request));
    Function<ReadRequest, GroupRouter.Target> readTarget = request -> router.targetOf(routingKey(request));
    this.writes = new CallCoalescer<>(new KvSenders.Writes(caller, router, writeTarget), MAX_CALLS_IN_FLIGHT,
        MAX_OPERATIONS_PER_CALL, MAX_BYTES_PER_CALL, WriteRequest::getSerializedSize,
        request -> nodeOf(writeTarget.apply(request)));
    this.reads = new CallCoalescer<>(new KvSenders.Reads(caller, router, readTarget), MAX_CALLS_IN_FLIGHT,
        MAX_OPERATIONS_PER_CALL, MAX_BYTES_PER_CALL, ReadRequest::getSerializedSize,
        request -> nodeOf(readTarget.apply(request)));
    router.start();
  }

  /** The call of a round an operation goes in: its target's node (null: the usual route). */
  private static Object nodeOf(GroupRouter.Target target) {
    return target == null ? null : target.address();
  }

  /**
   * The key a write is routed by: its first watched key, else its first command's first argument (the
   * key of nearly every command; where it is not, the node that gets the request routes it, one hop).
   */
  private static ByteString routingKey(WriteRequest request) {
    if (request.getWatchesCount() > 0) {
      return request.getWatches(0).getKey();
    }
    return request.getCommandsCount() > 0 && request.getCommands(0).getArgsCount() > 0
        ? request.getCommands(0).getArgs(0) : null;
  }

  /** A linearizable read goes to its key's group's leader; other reads take any node. */
  private static ByteString routingKey(ReadRequest request) {
    return request.getConsistency() == ReadConsistency.LINEARIZABLE && request.getCommand().getArgsCount() > 0
        ? request.getCommand().getArgs(0) : null;
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- writes ----

  /** One write command, or several applied as one atomic batch. Throws on a Redis error reply. */
  @Override
  public WriteResult write(Command... commands) {
    return await(writeAsync(commands));
  }

  public CompletableFuture<WriteResult> writeAsync(Command... commands) {
    return batchAsync(List.of(commands));
  }

  /**
   * An atomic batch: all commands are applied in order, or none. Throws
   * {@link BatchRolledBackException} if one failed and the batch was rolled back.
   */
  public WriteResult batch(List<Command> commands) {
    return await(batchAsync(commands));
  }

  public CompletableFuture<WriteResult> batchAsync(List<Command> commands) {
    return batchAsync(commands, List.of());
  }

  /**
   * Reads the keys' digests linearizably (Redis' WATCH), for {@link #batchIfUnchanged}. The digest
   * covers a key's type, value and TTL; an absent key has one too.
   */
  public Watch watch(String... keys) {
    Reply reply = read(Commands.of("WATCH", keys)).reply();
    Map<ByteString, ByteString> digests = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      digests.put(ByteString.copyFromUtf8(keys[i]), reply.getArray().getItems(i).getBulk());
    }
    return new Watch(digests);
  }

  /**
   * An atomic batch that runs only if no key of {@code watch} changed since it was read (optimistic
   * check-and-set, as Redis' WATCH/MULTI/EXEC). If one changed, nothing runs and the result says
   * {@link WriteResult#watchFailed()}: read again and retry.
   */
  public WriteResult batchIfUnchanged(Watch watch, List<Command> commands) {
    return await(batchAsync(commands, watch.toProto()));
  }

  private CompletableFuture<WriteResult> batchAsync(List<Command> commands, List<WatchedKey> watches) {
    if (commands.isEmpty()) {
      throw new IllegalArgumentException("a write needs at least one command");
    }
    checkOpen();
    Session session = sessions.acquire();
    // Built once: every retry sends the same (client_id, sequence), so the server applies it once.
    WriteRequest request = WriteRequest.newBuilder()
        .setClientId(session.clientId())
        .setSequence(session.nextSequence())
        .addAllCommands(commands)
        .addAllWatches(watches)
        .build();
    CompletableFuture<WriteResponse> response;
    try {
      response = writes.submit(request);
    } catch (RuntimeException e) {
      sessions.release(session);
      throw e;
    }
    return response.handle((reply, failure) -> {
      if (failure == null) {
        sessions.release(session);
        return checkWrite(WriteResult.of(reply));
      }
      RuntimeException error = FailureTranslator.forWrite(failure);
      if (error instanceof OutcomeUnknownException || error instanceof IllegalStateException) {
        sessions.retire(session);
      } else {
        sessions.release(session);
      }
      throw new CompletionException(error);
    });
  }

  // ---- reads ----

  /** A linearizable read. Throws on a Redis error reply. */
  @Override
  public ReadResult read(Command command) {
    return read(command, ReadConsistency.LINEARIZABLE);
  }

  public ReadResult read(Command command, ReadConsistency consistency) {
    return await(readAsync(command, consistency));
  }

  public CompletableFuture<ReadResult> readAsync(Command command) {
    return readAsync(command, ReadConsistency.LINEARIZABLE);
  }

  public CompletableFuture<ReadResult> readAsync(Command command, ReadConsistency consistency) {
    Objects.requireNonNull(command, "command");
    if (consistency != ReadConsistency.LINEARIZABLE && consistency != ReadConsistency.STALE) {
      throw new IllegalArgumentException("read consistency must be LINEARIZABLE or STALE (for AT_INDEX use "
          + "readAtIndex with the log index to wait for)");
    }
    return send(ReadRequest.newBuilder().setCommand(command).setConsistency(consistency).build());
  }

  /**
   * Read-your-writes on any node: the answering node reads its Redis once it has applied at least
   * {@code minLogIndex}, e.g. {@link WriteResult#logIndex()} of this client's last write. Cheaper than
   * a linearizable read (no leader round), but later writes of others may not be seen yet.
   */
  public ReadResult readAtIndex(Command command, long minLogIndex) {
    return await(readAtIndexAsync(command, minLogIndex));
  }

  public CompletableFuture<ReadResult> readAtIndexAsync(Command command, long minLogIndex) {
    Objects.requireNonNull(command, "command");
    if (minLogIndex < 1) {
      throw new IllegalArgumentException("minLogIndex must be 1 or more (a write's logIndex), got " + minLogIndex);
    }
    return send(ReadRequest.newBuilder().setCommand(command).setConsistency(ReadConsistency.AT_INDEX)
        .setMinLogIndex(minLogIndex).build());
  }

  private CompletableFuture<ReadResult> send(ReadRequest request) {
    checkOpen();
    return reads.submit(request)
        .handle((reply, failure) -> {
          if (failure != null) {
            throw new CompletionException(FailureTranslator.forRead(failure));
          }
          return checkRead(new ReadResult(reply.getHeader(), reply.getReply()));
        });
  }

  // ---- generic ----

  /**
   * Any catalog command by name: sent as a read if {@link ReadOnlyCommands} lists it, else as a
   * write. Returns Redis' typed reply.
   */
  public Reply command(String name, String... args) {
    Command command = Commands.of(name, args);
    return ReadOnlyCommands.isRead(name) ? read(command).reply() : write(command).reply();
  }

  public Reply command(String name, byte[]... args) {
    Command command = Commands.of(name, args);
    return ReadOnlyCommands.isRead(name) ? read(command).reply() : write(command).reply();
  }

  // ---- admin ----

  /** The Admin service (status, membership, leadership, snapshots) over this client's channels. */
  public AdminClient admin() {
    return admin;
  }

  /** Every member as it reports itself, asked through any endpoint. Same as {@code admin().clusterStatus()}. */
  public ClusterStatusResponse clusterStatus() {
    return admin.clusterStatus();
  }

  /** The status of whichever node answers (the first endpoint that is up). */
  public NodeStatusResponse nodeStatus() {
    return admin.nodeStatus();
  }

  /** The endpoints given to the builder. */
  public List<String> endpoints() {
    return endpoints.configured();
  }

  /** Shuts down every channel and the retry thread; calls still running fail. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    router.close();
    caller.close();
    scheduler.shutdownNow();
    endpoints.close();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- package-private views for tests ----

  int lanesCreated() {
    return sessions.lanesCreated();
  }

  String leaderHint() {
    return endpoints.leaderHint();
  }

  // ---- helpers ----

  private static WriteResult checkWrite(WriteResult result) {
    if (result.watchFailed()) {
      return result;
    }
    if (result.rolledBack()) {
      throw new BatchRolledBackException(result);
    }
    for (Reply reply : result.replies()) {
      if (reply.hasError()) {
        throw new RedisErrorException(reply.getError());
      }
    }
    return result;
  }

  private static ReadResult checkRead(ReadResult result) {
    if (result.reply().hasError()) {
      throw new RedisErrorException(result.reply().getError());
    }
    return result;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the Redraft client is closed; build a new one");
    }
  }

  /** Waits for an async call; rethrows its failure as the unchecked exception it carries. */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedraftException("interrupted while waiting for the cluster; a write may or may not "
          + "have been applied", e);
    } catch (ExecutionException e) {
      Throwable cause = FailureTranslator.unwrap(e);
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new RedraftException("call failed: " + cause, cause);
    }
  }

  /** Configures a {@link RedraftClient}. */
  public static final class Builder {
    private List<String> endpoints = List.of();
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private ChannelFactory channelFactory;
    private TlsSettings tls;
    private String token;

    private Builder() {}

    /** The nodes' public API addresses, {@code host:port}; tried in this order. */
    public Builder endpoints(List<String> hostPorts) {
      List<String> cleaned = new ArrayList<>();
      for (String endpoint : hostPorts) {
        if (endpoint == null || endpoint.isBlank()) {
          throw new IllegalArgumentException("an endpoint is empty; expected host:port entries");
        }
        cleaned.add(endpoint.trim());
      }
      this.endpoints = List.copyOf(cleaned);
      return this;
    }

    public Builder endpoints(String... hostPorts) {
      return endpoints(List.of(hostPorts));
    }

    /** The longest a call may take, retries included (default 10 s). */
    public Builder requestTimeout(Duration timeout) {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("requestTimeout must be a positive duration, got " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * How long a call keeps retrying while no node has answered at all (every connection refused),
     * e.g. 2 s for a command-line tool that should fail fast against a stopped cluster. Once any
     * node answers, only the request timeout applies. Default: the request timeout.
     */
    public Builder connectTimeout(Duration timeout) {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("connectTimeout must be a positive duration, got " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    /**
     * TLS to the nodes (a cluster started with tls-cert/tls-key/tls-ca): the CA to trust and the
     * client certificate to present. Reads the files now; a missing or unreadable one throws
     * IllegalArgumentException naming it. Replaces any {@link #channelFactory}.
     */
    public Builder tls(TlsSettings settings) {
      Objects.requireNonNull(settings, "tls").credentials();
      this.tls = settings;
      this.channelFactory = null;
      return this;
    }

    /**
     * A bearer token sent with every call, instead of a client certificate, to a cluster whose nodes
     * have a {@code tokens-file}; needs {@link #tls}: a token never crosses the network in clear text.
     */
    public Builder token(String token) {
      this.token = BearerToken.checked(token);
      return this;
    }

    /** How channels are opened (default: plaintext, or {@link #tls}); the client closes what it opens. */
    public Builder channelFactory(ChannelFactory factory) {
      this.channelFactory = Objects.requireNonNull(factory, "channelFactory");
      return this;
    }

    ChannelFactory channels() {
      if (channelFactory != null) {
        if (token != null) {
          throw new IllegalArgumentException("a token goes with tls(...), not with a channelFactory of your own:"
              + " add the token to the channels you open");
        }
        return channelFactory;
      }
      if (tls == null) {
        if (token != null) {
          throw new IllegalArgumentException("a token is only sent over TLS: give tls(TlsSettings) too");
        }
        return ChannelFactory.plaintext();
      }
      return ChannelFactory.tls(tls, token);
    }

    public RedraftClient build() {
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException(
            "no endpoints: give at least one node's API address, host:port");
      }
      return new RedraftClient(this);
    }
  }
}
