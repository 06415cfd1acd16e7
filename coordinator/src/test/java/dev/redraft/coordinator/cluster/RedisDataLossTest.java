package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.Reply;
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
 * A follower's Redis restarts empty while the cluster is idle: no read through that node ever
 * answers from the empty Redis (each read checks the applied-index marker), the node notices by
 * itself, rebuilds its Redis from its snapshot and log, and serves the right data again.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RedisDataLossTest {
  @TempDir
  Path dir;

  @Test
  void readsNeverSeeTheLostStateAndTheNodeRebuildsItsRedis() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      RedraftClient client = cluster.client();
      client.set("k", "before");
      int follower = cluster.aFollower();
      cluster.awaitSameAppliedIndex();

      cluster.redis(follower).restart(); // no persistence: comes back empty; no write follows
      try (Grpc viaFollower = new Grpc(cluster.endpoint(follower))) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int answered = 0;
        while (System.nanoTime() < deadline) {
          for (ReadConsistency consistency : new ReadConsistency[] {ReadConsistency.LINEARIZABLE, ReadConsistency.STALE}) {
            try {
              Reply reply = viaFollower.kv().read(ReadRequest.newBuilder()
                  .setCommand(command("GET", "k")).setConsistency(consistency).build()).getReply();
              assertThat(reply.getBulk().toStringUtf8()).as("a %s read through the rebuilt node", consistency)
                  .isEqualTo("before");
              answered++;
            } catch (StatusRuntimeException e) {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("not ready");
            }
          }
        }
        assertThat(answered).as("the node serves again once rebuilt").isPositive();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(follower).health().isReady());
      client.set("k2", "after");
      cluster.awaitSameAppliedIndex();
      assertThat(cluster.digest(follower)).isEqualTo(cluster.digest(cluster.awaitLeader()));
    }
  }
}
