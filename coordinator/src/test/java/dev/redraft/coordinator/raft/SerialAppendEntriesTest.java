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
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.Status;
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
    ServerCall.Listener<String> oldStream = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());
    ServerCall.Listener<String> newStream = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());

    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> oldStream.onMessage("entries 367-368"));
    awaitInside(1);
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> newStream.onMessage("entries 367-369"));

    Thread.sleep(300); // time for the second request to get in, were it not gated
    assertThat(mostInsideAtOnce).hasValue(1);
    assertThat(second).isNotDone();

    release.countDown();
    CompletableFuture.allOf(first, second).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(mostInsideAtOnce).hasValue(1);
  }

  @Test
  void otherRaftCallsAreNotGated() {
    ServerCall.Listener<String> append = blockingListener(RaftServerProtocolServiceGrpc.getAppendEntriesMethod());
    ServerCall.Listener<String> vote = blockingListener(RaftServerProtocolServiceGrpc.getRequestVoteMethod());

    CompletableFuture.runAsync(() -> append.onMessage("entries"));
    awaitInside(1);
    CompletableFuture.runAsync(() -> vote.onMessage("vote"));

    awaitInside(2);
  }

  @Test
  void theServerIsBuiltWithTheGate() {
    Parameters parameters = RaftSettings.serverParameters(null, new BehindCandidateVotes());
    assertThat(GrpcConfigKeys.Server.servicesCustomizer(parameters)).isNotNull();
  }

  /** A call of {@code method} whose handler holds each request until the test releases it. */
  private <Q, A> ServerCall.Listener<String> blockingListener(MethodDescriptor<Q, A> method) {
    ServerCall<String, String> call = new StubCall(method.getFullMethodName());
    return gate.interceptCall(call, new Metadata(), (c, headers) -> new ServerCall.Listener<>() {
      @Override
      public void onMessage(String request) {
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

  /** Only the method name matters to the gate. */
  private static final class StubCall extends ServerCall<String, String> {
    private final MethodDescriptor<String, String> method;

    StubCall(String fullMethodName) {
      MethodDescriptor.Marshaller<String> text = new MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(String value) {
          return new java.io.ByteArrayInputStream(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public String parse(java.io.InputStream stream) {
          throw new UnsupportedOperationException("not sent over a wire");
        }
      };
      this.method = MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName(fullMethodName).setRequestMarshaller(text).setResponseMarshaller(text).build();
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(String message) {}

    @Override
    public void close(Status status, Metadata trailers) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<String, String> getMethodDescriptor() {
      return method;
    }
  }
}
