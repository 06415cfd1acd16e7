package dev.redraft.client;

import static dev.redraft.client.testing.ScriptedServer.answer;
import static dev.redraft.client.testing.ScriptedServer.fail;
import static dev.redraft.client.testing.ScriptedServer.failRetryable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.ResponseHeader;
import dev.redraft.api.v1.WriteRequest;
import dev.redraft.client.testing.ScriptedServer;
import dev.redraft.client.testing.TestReplies;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RedraftClientRetryTest {
  private static final RetryPolicy FAST = RetryPolicy.defaults()
      .withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
      .withAttemptTimeout(Duration.ofSeconds(2));

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }

  private ScriptedServer server() {
    ScriptedServer server = new ScriptedServer();
    toClose.add(server);
    return server;
  }

  private RedraftClient client(RetryPolicy policy, ScriptedServer... servers) {
    List<String> endpoints = new ArrayList<>();
    for (ScriptedServer server : servers) {
      endpoints.add(server.endpoint());
    }
    RedraftClient client = RedraftClient.builder()
        .endpoints(endpoints)
        .retryPolicy(policy)
        .requestTimeout(Duration.ofSeconds(10))
        .channelFactory(ScriptedServer.channels())
        .build();
    toClose.add(0, client);
    return client;
  }

  @Test
  void retriesUnavailableWithTheSameClientIdAndSequence() {
    ScriptedServer node = server();
    AtomicInteger calls = new AtomicInteger();
    node.onWrite((request, observer) -> {
      if (calls.incrementAndGet() <= 2) {
        fail(observer, Status.UNAVAILABLE.withDescription("no leader"));
      } else {
        answer(observer, node.writeReply(TestReplies.integer(1)));
      }
    });
    RedraftClient client = client(FAST, node);

    long before = System.currentTimeMillis();
    assertThat(client.incr("counter")).isEqualTo(1);
    long after = System.currentTimeMillis();

    assertThat(node.writes).hasSize(3);
    WriteRequest first = node.writes.get(0);
    // The lane's opening stamp: the cluster refuses its first write's late retry once the session is gone.
    String stamp = first.getClientId().substring(first.getClientId().lastIndexOf('@') + 1);
    assertThat(Long.parseLong(stamp)).isBetween(before, after);
    assertThat(first.getSequence()).isEqualTo(1);
    assertThat(node.writes).allSatisfy(retry -> {
      assertThat(retry.getClientId()).isEqualTo(first.getClientId());
      assertThat(retry.getSequence()).isEqualTo(first.getSequence());
    });
  }

  @Test
  void unavailableEndpointIsRotatedAwayAndTheRetryKeepsItsSession() {
    ScriptedServer down = server().onWrite((request, observer) ->
        fail(observer, Status.UNAVAILABLE.withDescription("node not ready")));
    ScriptedServer up = server();
    RedraftClient client = client(FAST, down, up);

    client.set("k", "v");
    client.set("k", "w");

    assertThat(down.writes).hasSize(1);
    assertThat(up.writes).hasSize(2);
    assertThat(up.writes.get(0).getClientId()).isEqualTo(down.writes.get(0).getClientId());
    assertThat(up.writes.get(0).getSequence()).isEqualTo(down.writes.get(0).getSequence());
  }

  @Test
  void writesAndLinearizableReadsFollowTheLeaderHintStaleReadsStay() {
    ScriptedServer leader = server();
    ScriptedServer follower = server();
    follower.header(ResponseHeader.newBuilder().setLeaderApiAddress(leader.endpoint()).build());
    RedraftClient client = client(FAST, follower);

    client.set("a", "1");
    assertThat(client.leaderHint()).isEqualTo(leader.endpoint());
    client.set("b", "2");
    client.get("a");
    client.read(Commands.of("GET", "a"), ReadConsistency.STALE);

    assertThat(follower.writes).hasSize(1);
    assertThat(leader.writes).hasSize(1);
    // The leader serves linearizable reads without asking another node; a stale read may go anywhere.
    assertThat(leader.reads).extracting(ReadRequest::getConsistency).containsExactly(ReadConsistency.LINEARIZABLE);
    assertThat(follower.reads).extracting(ReadRequest::getConsistency).containsExactly(ReadConsistency.STALE);
  }

  @Test
  void invalidArgumentIsNotRetriedAndTheLaneIsReused() {
    ScriptedServer node = server();
    node.onWrite((request, observer) -> {
      if (request.getCommands(0).getName().equals("FOO")) {
        fail(observer, Status.INVALID_ARGUMENT.withDescription("unknown command 'FOO'"));
      } else {
        answer(observer, node.writeReply(TestReplies.ok()));
      }
    });
    RedraftClient client = client(FAST, node);

    assertThatThrownBy(() -> client.command("FOO", "x"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown command 'FOO'");
    assertThat(node.writes).hasSize(1);

    client.set("k", "v");
    assertThat(node.writes.get(1).getClientId()).isEqualTo(node.writes.get(0).getClientId());
    assertThat(node.writes.get(1).getSequence()).isEqualTo(2);
  }

  @Test
  void abortedAndFailedPreconditionAreRetriedOnlyWhenTheServerMarksThem() {
    ScriptedServer node = server();
    AtomicInteger calls = new AtomicInteger();
    node.onWrite((request, observer) -> {
      if (calls.incrementAndGet() == 1) {
        failRetryable(observer, Status.ABORTED.withDescription("leader changed"));
      } else {
        answer(observer, node.writeReply(TestReplies.ok()));
      }
    });
    RedraftClient client = client(FAST, node);
    assertThat(client.set("k", "v")).isTrue();
    assertThat(node.writes).hasSize(2);

    node.writes.clear();
    node.onWrite((request, observer) ->
        fail(observer, Status.FAILED_PRECONDITION.withDescription("session expired")));
    assertThatThrownBy(() -> client.set("k", "v"))
        .isInstanceOfSatisfying(RedraftRpcException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("session expired");
    assertThat(node.writes).hasSize(1);
  }

  /**
   * A frozen leader takes the request and never answers: after hedgeAfter the same write (same
   * session and sequence) also goes to another node, whose answer ends the call long before the
   * attempt timeout, and its header moves the leader hint away from the frozen node.
   */
  @Test
  void anUnansweredAttemptIsAlsoSentToAnotherNodeWithTheSameSession() {
    ScriptedServer frozen = server().onWrite((request, observer) -> { });
    ScriptedServer other = server();
    ScriptedServer newLeader = server();
    frozen.header(ResponseHeader.newBuilder().setLeaderApiAddress(frozen.endpoint()).build());
    other.header(ResponseHeader.newBuilder().setLeaderApiAddress(newLeader.endpoint()).build());
    RedraftClient client = client(FAST.withAttemptTimeout(Duration.ofSeconds(5)).withHedgeAfter(Duration.ofMillis(200)),
        frozen, other);

    long start = System.nanoTime();
    client.set("k", "v");
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(elapsedMillis).isBetween(150L, 2_000L);
    assertThat(frozen.writes).hasSize(1);
    assertThat(other.writes).hasSize(1);
    assertThat(other.writes.get(0).getClientId()).isEqualTo(frozen.writes.get(0).getClientId());
    assertThat(other.writes.get(0).getSequence()).isEqualTo(frozen.writes.get(0).getSequence());
    assertThat(client.leaderHint()).isEqualTo(newLeader.endpoint());
  }

  @Test
  void withoutHedgingAnUnansweredAttemptWaitsForItsTimeout() {
    ScriptedServer frozen = server().onWrite((request, observer) -> { });
    ScriptedServer other = server();
    RedraftClient client = client(FAST.withAttemptTimeout(Duration.ofMillis(600)).withHedgeAfter(Duration.ZERO),
        frozen, other);

    long start = System.nanoTime();
    client.set("k", "v");

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(550L);
    assertThat(frozen.writes).hasSize(1);
    assertThat(other.writes).hasSize(1);
  }

  @Test
  void attemptsAreBoundedAndAnUnknownOutcomeRetiresTheLane() {
    ScriptedServer node = server().onWrite((request, observer) ->
        fail(observer, Status.UNAVAILABLE.withDescription("no leader")));
    RedraftClient client = client(FAST.withMaxAttempts(3), node);

    assertThatThrownBy(() -> client.set("k", "v"))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("3 attempts")
        .hasMessageContaining("no leader");
    assertThat(node.writes).hasSize(3);

    assertThatThrownBy(() -> client.set("k", "v")).isInstanceOf(OutcomeUnknownException.class);
    assertThat(node.writes.get(3).getClientId()).isNotEqualTo(node.writes.get(0).getClientId());
    assertThat(client.lanesCreated()).isEqualTo(2);
  }

  @Test
  void theRequestTimeoutBoundsTheWholeCall() {
    // The node takes every request and never answers.
    ScriptedServer silent = server().onWrite((request, observer) -> { }).onRead((request, observer) -> { });
    RedraftClient client = RedraftClient.builder()
        .endpoints(silent.endpoint())
        .channelFactory(ScriptedServer.channels())
        .requestTimeout(Duration.ofMillis(700))
        .retryPolicy(FAST.withMaxAttempts(100).withAttemptTimeout(Duration.ofMillis(200)))
        .build();
    toClose.add(0, client);

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.set("k", "v"))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("DEADLINE_EXCEEDED");
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(elapsedMillis).isBetween(600L, 2_000L);
    assertThat(silent.writes).hasSizeBetween(3, 5);

    // A read that gets no answer is unavailable, never "outcome unknown".
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOf(ClusterUnavailableException.class)
        .isNotInstanceOf(OutcomeUnknownException.class);
  }

  @Test
  void aRefusedConnectionMeansTheWriteWasNotSentSoTheClusterIsUnavailableNotUnknown() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    RedraftClient client = RedraftClient.builder()
        .endpoints("127.0.0.1:" + closedPort)
        .retryPolicy(FAST.withMaxAttempts(2))
        .build();
    toClose.add(0, client);

    assertThatThrownBy(() -> client.set("k", "v"))
        .isInstanceOf(ClusterUnavailableException.class)
        .isNotInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("2 attempts")
        .hasMessageContaining("Connection refused");
  }

  @Test
  void malformedEndpointsAreRejectedWhenTheClientIsBuilt() {
    assertThatThrownBy(() -> RedraftClient.builder().endpoints("localhost").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'localhost' is not host:port");
    assertThatThrownBy(() -> RedraftClient.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no endpoints");
  }

  @Test
  void concurrentWritesUseDistinctLanes() throws Exception {
    ScriptedServer node = server();
    int writers = 4;
    AtomicReference<CountDownLatch> allSubmitted = new AtomicReference<>();
    node.onWrite((request, observer) -> {
      CountDownLatch latch = allSubmitted.get();
      try {
        // Hold every write until all of the round were submitted: all are in flight at once (the
        // first alone, the others waiting in the client, then together in one WriteMany call).
        latch.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(observer, node.writeReply(TestReplies.integer(1)));
    });
    RedraftClient client = client(FAST, node);

    List<WriteRequest> firstRound = concurrentRound(client, node, allSubmitted, writers);
    List<String> clientIds = firstRound.stream().map(WriteRequest::getClientId).toList();
    assertThat(clientIds).doesNotHaveDuplicates().hasSize(writers);
    assertThat(firstRound).allSatisfy(w -> assertThat(w.getSequence()).isEqualTo(1));
    String base = clientIds.get(0).substring(0, clientIds.get(0).lastIndexOf('-'));
    assertThat(clientIds).allSatisfy(id -> assertThat(id).matches(base + "-\\d+@\\d+"));

    // Back in the pool, the lanes are reused, still one write in flight each, with their next sequence.
    List<WriteRequest> secondRound = concurrentRound(client, node, allSubmitted, writers);
    assertThat(secondRound).extracting(WriteRequest::getClientId)
        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(clientIds);
    assertThat(secondRound).allSatisfy(w -> assertThat(w.getSequence()).isEqualTo(2));
    assertThat(client.lanesCreated()).isEqualTo(writers);
    assertThat(node.writeManyCalls).as("writes that waited shared a call").hasValue(2);
  }

  private static List<WriteRequest> concurrentRound(RedraftClient client, ScriptedServer node,
      AtomicReference<CountDownLatch> latch, int writers) throws Exception {
    int before = node.writes.size();
    latch.set(new CountDownLatch(1));
    List<CompletableFuture<WriteResult>> futures = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      futures.add(client.writeAsync(Commands.of("INCR", "k" + i)));
    }
    latch.get().countDown();
    for (CompletableFuture<WriteResult> future : futures) {
      assertThat(future.get(10, TimeUnit.SECONDS).reply().getInteger()).isEqualTo(1);
    }
    return List.copyOf(node.writes.subList(before, node.writes.size()));
  }

  @Test
  void sequentialWritesShareOneLaneWithIncreasingSequences() {
    ScriptedServer node = server();
    RedraftClient client = client(FAST, node);

    client.set("a", "1");
    client.set("b", "2");
    client.set("c", "3");

    assertThat(node.writes).extracting(WriteRequest::getClientId).containsOnly(node.writes.get(0).getClientId());
    assertThat(node.writes).extracting(WriteRequest::getSequence).containsExactly(1L, 2L, 3L);
  }

  @Test
  void readsAreRetriedAndCarryTheirConsistency() {
    ScriptedServer node = server();
    AtomicInteger calls = new AtomicInteger();
    node.onRead((request, observer) -> {
      if (calls.incrementAndGet() == 1) {
        fail(observer, Status.UNAVAILABLE.withDescription("not ready"));
      } else {
        answer(observer, node.readReply(TestReplies.bulk("v")));
      }
    });
    RedraftClient client = client(FAST, node);

    ReadResult result = client.read(Commands.of("GET", "k"), ReadConsistency.STALE);

    assertThat(result.reply().getBulk().toStringUtf8()).isEqualTo("v");
    assertThat(node.reads).hasSize(2);
    assertThat(node.reads).allSatisfy(r -> assertThat(r.getConsistency()).isEqualTo(ReadConsistency.STALE));
    assertThat(node.writes).isEmpty();
  }

  @Test
  void redisErrorRepliesAreThrownWithRedisMessageAndNotRetried() {
    String wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    ScriptedServer node = server();
    node.onWrite((request, observer) -> answer(observer, node.writeReply(TestReplies.error(wrongType))));
    node.onRead((request, observer) -> answer(observer, node.readReply(TestReplies.error(wrongType))));
    RedraftClient client = client(FAST, node);

    assertThatThrownBy(() -> client.lpush("a-string", "x"))
        .isInstanceOfSatisfying(RedisErrorException.class,
            e -> assertThat(e.errorCode()).isEqualTo("WRONGTYPE"))
        .hasMessage(wrongType);
    assertThatThrownBy(() -> client.get("a-list")).isInstanceOf(RedisErrorException.class).hasMessage(wrongType);
    assertThat(node.writes).hasSize(1);
    assertThat(node.reads).hasSize(1);
  }

  @Test
  void aRolledBackBatchCarriesItsReplies() {
    ScriptedServer node = server();
    node.onWrite((request, observer) -> answer(observer, node.writeReply(TestReplies.ok(),
        TestReplies.error("ERR value is not an integer or out of range")).toBuilder().setRolledBack(true).build()));
    RedraftClient client = client(FAST, node);

    assertThatThrownBy(() -> client.batch(List.of(
        Commands.of("SET", "a", "x"), Commands.of("INCR", "a"), Commands.of("SET", "b", "y"))))
        .isInstanceOfSatisfying(BatchRolledBackException.class, e -> {
          assertThat(e.replies()).hasSize(2);
          assertThat(e.failedIndex()).isEqualTo(1);
          assertThat(e.result().rolledBack()).isTrue();
        })
        .hasMessageContaining("command 2 failed: ERR value is not an integer");
    assertThat(node.writes).hasSize(1);
    assertThat(node.writes.get(0).getCommandsList()).extracting(c -> c.getName())
        .containsExactly("SET", "INCR", "SET");
  }

  @Test
  void asyncCallsCompleteWithResultsOrTheirException() throws Exception {
    ScriptedServer node = server();
    node.onRead((request, observer) -> answer(observer, node.readReply(
        request.getCommand().getName().equals("GET") ? TestReplies.bulk("v") : TestReplies.error("ERR bad"))));
    RedraftClient client = client(FAST, node);

    assertThat(client.readAsync(Commands.of("GET", "k")).get(5, TimeUnit.SECONDS).reply().getBulk().toStringUtf8())
        .isEqualTo("v");
    assertThat(client.writeAsync(Commands.of("SET", "k", "v")).get(5, TimeUnit.SECONDS).header()).isNotNull();
    assertThatThrownBy(() -> client.readAsync(Commands.of("STRLEN", "k")).get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RedisErrorException.class);
  }

  @Test
  void closeShutsDownEveryChannelAndTheRetryThread() throws Exception {
    ScriptedServer down = server().onWrite((request, observer) ->
        fail(observer, Status.UNAVAILABLE.withDescription("no leader")));
    ScriptedServer silent = server().onWrite((request, observer) -> { }); // never answers
    List<io.grpc.ManagedChannel> opened = new CopyOnWriteArrayList<>();
    RedraftClient client = RedraftClient.builder()
        .endpoints(down.endpoint(), silent.endpoint())
        .retryPolicy(FAST)
        .channelFactory(ScriptedServer.recordingChannels(opened))
        .build();
    // Fails on the first node, is retried (on the retry thread) on the second, and hangs there.
    var inFlight = client.writeAsync(Commands.of("SET", "k", "w"));
    await().atMost(Duration.ofSeconds(5)).until(() -> silent.writes.size() == 1);
    assertThat(retryThreads()).isNotEmpty();

    client.close();

    assertThat(opened).hasSize(2).allSatisfy(channel -> assertThat(channel.isTerminated()).isTrue());
    assertThat(inFlight).isCompletedExceptionally();
    assertThatThrownBy(inFlight::join).hasCauseInstanceOf(IllegalStateException.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> retryThreads().isEmpty());
    assertThatThrownBy(() -> client.get("k")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    client.close(); // idempotent
  }

  /**
   * A node down long enough that gRPC's reconnect backoff would have grown to seconds (1 s, 1.6 s, 2.6 s,
   * 4.1 s, 6.6 s, ...) is reached within 2 s of coming back by a client given only that node, not at the
   * channel's next scheduled connect (2.5-5 s later without {@link dev.redraft.api.FailedChannelReconnects}).
   */
  @Test
  @Timeout(60)
  void aNodeBackOnItsAddressIsReachedSoonHoweverLongItWasDown() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ScriptedServer node = ScriptedServer.onLoopbackPort(port);
    RedraftClient client = RedraftClient.builder()
        .endpoints(node.endpoint())
        .channelFactory(ChannelFactory.plaintext())
        .requestTimeout(Duration.ofSeconds(1))
        .retryPolicy(RetryPolicy.noRetries().withAttemptTimeout(Duration.ofMillis(500)))
        .build();
    toClose.add(0, client);
    assertThat(reads(client)).isTrue();
    node.close();

    // Down for 12 s while the application keeps calling (gRPC's own backoff would reach 6.6 s).
    await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(() -> !reads(client));

    ScriptedServer back = ScriptedServer.onLoopbackPort(port);
    toClose.add(back);
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> reads(client));
  }

  /**
   * A caller's own channel need not report its state ({@code ManagedChannel.getState} is optional): the
   * client still builds and calls through it, only without cutting a reconnect backoff short.
   */
  @Test
  void aChannelThatDoesNotReportItsStateStillCarriesCalls() {
    ScriptedServer node = server();
    RedraftClient client = RedraftClient.builder()
        .endpoints(node.endpoint())
        .channelFactory(endpoint -> new StatelessChannel(ScriptedServer.channels().open(endpoint)))
        .retryPolicy(FAST)
        .build();
    toClose.add(0, client);
    assertThat(reads(client)).isTrue();
    assertThat(node.reads).hasSize(1);
  }

  /** A ManagedChannel with only its abstract methods, as a caller might write one. */
  private static final class StatelessChannel extends ManagedChannel {
    private final ManagedChannel delegate;

    StatelessChannel(ManagedChannel delegate) {
      this.delegate = delegate;
    }

    @Override
    public ManagedChannel shutdown() {
      delegate.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      delegate.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public <Q, A> ClientCall<Q, A> newCall(MethodDescriptor<Q, A> method, CallOptions options) {
      return delegate.newCall(method, options);
    }

    @Override
    public String authority() {
      return delegate.authority();
    }
  }

  private static boolean reads(RedraftClient client) {
    try {
      client.get("k");
      return true;
    } catch (RedraftException unavailable) {
      return false;
    }
  }

  private static List<Thread> retryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("redraft-client-retry-") && t.isAlive())
        .toList();
  }
}
