package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's Redis restarts empty while the cluster runs: the node notices at its next apply
 * (the applied-index marker is gone), refuses to serve, says why, and never answers from the
 * empty Redis; the rest of the cluster keeps serving.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RedisDataLossTest {
  @TempDir
  Path dir;

  @Test
  void nodeWhoseRedisLostItsDataRefusesToServeAndSaysWhy() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      RedraftClient client = cluster.client();
      client.set("k", "before");
      int follower = cluster.aFollower();
      cluster.awaitSameAppliedIndex();

      cluster.redis(follower).restart(); // no persistence: comes back empty
      client.set("k2", "after"); // the follower's next apply finds its marker gone

      // It may first be briefly not ready for a transient reason (its connection to the restarted
      // Redis broke) before its retry finds the marker gone.
      await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(follower).health().needsRepair());
      assertThat(cluster.node(follower).health().isReady()).isFalse();
      assertThat(cluster.node(follower).health().reason()).contains("must be repaired");
      try (Grpc viaFollower = new Grpc(cluster.endpoint(follower))) {
        for (ReadConsistency consistency : new ReadConsistency[] {ReadConsistency.LINEARIZABLE, ReadConsistency.STALE}) {
          assertThatThrownBy(() -> viaFollower.kv().read(ReadRequest.newBuilder()
                  .setCommand(command("GET", "k")).setConsistency(consistency).build()))
              .isInstanceOfSatisfying(StatusRuntimeException.class,
                  e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
              .hasMessageContaining("not ready");
        }
      }
      // The majority keeps serving, and the client library routes around the broken node.
      assertThat(client.get("k")).isEqualTo("before");
      client.set("k3", "still writable");
      assertThat(client.get("k3")).isEqualTo("still writable");
    }
  }
}
