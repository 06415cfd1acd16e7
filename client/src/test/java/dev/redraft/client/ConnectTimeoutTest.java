package dev.redraft.client;

import static dev.redraft.client.testing.ScriptedServer.fail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.redraft.client.testing.ScriptedServer;
import io.grpc.Status;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connect timeout: a call gives up early when no node answers at all, and only then. */
@Timeout(60)
class ConnectTimeoutTest {
  /** A loopback port nothing listens on (bound, then released). */
  private static String closedEndpoint() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  @Test
  void noNodeListeningFailsWithinTheConnectTimeoutNotTheRequestTimeout() throws Exception {
    try (RedraftClient client = RedraftClient.builder()
        .endpoints(closedEndpoint(), closedEndpoint())
        .requestTimeout(Duration.ofSeconds(20))
        .connectTimeout(Duration.ofMillis(800))
        .build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> client.get("k"))
          .isInstanceOf(ClusterUnavailableException.class)
          .hasMessageContaining("no node answered");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void aNodeThatAnswersUnavailableIsRetriedForTheWholeRequestTimeout() throws Exception {
    try (ScriptedServer node = new ScriptedServer()) {
      node.onRead((request, observer) -> fail(observer, Status.UNAVAILABLE.withDescription("no leader yet")));
      try (RedraftClient client = RedraftClient.builder()
          .endpoints(node.endpoint())
          .channelFactory(ScriptedServer.channels())
          .retryPolicy(RetryPolicy.defaults().withMaxAttempts(1000).withBackoff(Duration.ofMillis(20), Duration.ofMillis(50)))
          .requestTimeout(Duration.ofMillis(1500))
          .connectTimeout(Duration.ofMillis(200))
          .build()) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.get("k")).isInstanceOf(ClusterUnavailableException.class)
            .hasMessageNotContaining("no node answered");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1000));
      }
    }
  }
}
