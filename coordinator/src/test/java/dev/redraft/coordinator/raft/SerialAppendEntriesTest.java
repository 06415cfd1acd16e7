package dev.redraft.coordinator.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two appendEntries streams from one leader must not reach the follower's log at once (Ratis 3.3.0
 * refuses the second with "Already running a method" and the leader resets its stream again).
 */
class SerialAppendEntriesTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final SerialAppendEntries gate = new SerialAppendEntries();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger inside = new AtomicInteger();
  private final AtomicInteger mostInsideAtOnce = new AtomicInteger();

  @AfterEach
  void releaseBlockedRequests() {
    release.countDown();
  }

  @Test
  void aSecondStreamsRequestWaitsUntilTheFirstStreamsRequestIsDone() throws Exception {
    ServerCall.Listener<Object> oldStream = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());
    ServerCall.Listener<Object> newStream = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());

    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> oldStream.onMessage("entries 367-368"));
    awaitInside(1);
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> newStream.onMessage("entries 367-369"));

    // Held for 300 ms, time for the second request to get in were it not gated.
    await().during(Duration.ofMillis(300)).atMost(WAIT)
        .until(() -> mostInsideAtOnce.get() == 1 && !second.isDone());

    release.countDown();
    CompletableFuture.allOf(first, second).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(mostInsideAtOnce).hasValue(1);
  }

  /** Each group has its own log: one group's request never waits for another's. */
  @Test
  void requestsOfDifferentGroupsGoOnSideBySideAndOfOneGroupOneAtATime() throws Exception {
    ServerCall.Listener<Object> groupA = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());
    ServerCall.Listener<Object> groupB = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());
    ServerCall.Listener<Object> groupAOtherStream = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());

    // A thread per request, so that only the gate can hold one back.
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(3);
    CompletableFuture<Void> a = CompletableFuture.runAsync(() -> groupA.onMessage(append("group-a")), threads);
    awaitInside(1);
    CompletableFuture<Void> b = CompletableFuture.runAsync(() -> groupB.onMessage(append("group-b")), threads);
    awaitInside(2);
    CompletableFuture<Void> aAgain = CompletableFuture.runAsync(() -> groupAOtherStream.onMessage(append("group-a")),
        threads);
    // Held for 300 ms, time for the second request of group A to get in were it not gated.
    await().during(Duration.ofMillis(300)).atMost(WAIT)
        .until(() -> mostInsideAtOnce.get() == 2 && !aAgain.isDone());

    release.countDown();
    CompletableFuture.allOf(a, b, aAgain).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    threads.shutdown();
  }

  private static RaftProtos.AppendEntriesRequestProto append(String group) {
    return RaftProtos.AppendEntriesRequestProto.newBuilder()
        .setServerRequest(RaftProtos.RaftRpcRequestProto.newBuilder().setRaftGroupId(RaftProtos.RaftGroupIdProto
            .newBuilder().setId(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFromUtf8(group))))
        .build();
  }

  @Test
  void otherRaftCallsAreNotGated() {
    ServerCall.Listener<Object> append = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());
    ServerCall.Listener<Object> vote = blockingListener(RaftServerProtocolServiceGrpc.getRequestVoteMethod());

    CompletableFuture.runAsync(() -> append.onMessage("entries"));
    awaitInside(1);
    CompletableFuture.runAsync(() -> vote.onMessage("vote"));

    awaitInside(2);
  }

  @Test
  void theServerIsBuiltWithTheGate() {
    Parameters parameters = RaftSettings.serverParameters(null, new BehindCandidateVotes(), new LeasedPreVotes("test"),
        new LeaderStreamLoss());
    assertThat(GrpcConfigKeys.Server.servicesCustomizer(parameters)).isNotNull();
  }

  /** A call of {@code method} whose handler holds each request until the test releases it. */
  private <Q, A> ServerCall.Listener<Object> blockingListener(MethodDescriptor<Q, A> method) {
    ServerCall<Object, Object> call = new StubServerCall(method.getFullMethodName());
    return gate.interceptCall(call, new Metadata(), (c, headers) -> new ServerCall.Listener<>() {
      @Override
      public void onMessage(Object request) {
        mostInsideAtOnce.accumulateAndGet(inside.incrementAndGet(), Math::max);
        try {
          release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          inside.decrementAndGet();
        }
      }
    });
  }

  private void awaitInside(int count) {
    await().atMost(WAIT).untilAtomic(inside, greaterThanOrEqualTo(count));
  }
}
