package dev.redraft.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.AcknowledgeLeaderRequest;
import dev.redraft.api.v1.AcknowledgeLeaderResponse;
import dev.redraft.api.v1.AdminGrpc;
import dev.redraft.coordinator.node.MemberDirectory;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Calls to a peer's API over a channel that outlived the peer's restart. */
class PeerChannelsTest {
  /** A peer that only acknowledges leaders. */
  private static final class Peer extends AdminGrpc.AdminImplBase {
    @Override
    public void acknowledgeLeader(AcknowledgeLeaderRequest request, StreamObserver<AcknowledgeLeaderResponse> out) {
      out.onNext(AcknowledgeLeaderResponse.newBuilder().setAcknowledged(true).build());
      out.onCompleted();
    }
  }

  /**
   * A peer down for long enough that gRPC's reconnect backoff would have grown to several seconds (1 s,
   * 1.6 s, 2.6 s, 4.1 s, ...) is reached within 2 s of coming back, not at the channel's next scheduled
   * attempt: a leader whose other follower is lost must be able to confirm its leadership through this one.
   */
  @Test
  void aPeerBackOnItsAddressIsReachedWithinASecondHoweverLongItWasDown() throws Exception {
    int port = freePort();
    MemberDirectory members = new MemberDirectory();
    members.put("n2", new MemberDirectory.MemberAddresses("127.0.0.1:" + port, "127.0.0.1:1", ""));
    try (PeerChannels channels = new PeerChannels("n1", members, null)) {
      Server peer = start(port);
      assertThat(acknowledges(channels, 5_000)).isTrue();
      peer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

      // Down for 12 s while a leader keeps asking (its rounds run back to back): the backoff grows.
      await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> !acknowledges(channels, 200));

      Server back = start(port);
      try {
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
            .until(() -> acknowledges(channels, 200));
      } finally {
        back.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean acknowledges(PeerChannels channels, long deadlineMs) {
    try {
      return channels.admin("n2", deadlineMs, "confirm its leadership")
          .acknowledgeLeader(AcknowledgeLeaderRequest.getDefaultInstance()).getAcknowledged();
    } catch (RuntimeException unreachable) {
      return false;
    }
  }

  private static Server start(int port) throws IOException {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(new Peer()).build().start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
