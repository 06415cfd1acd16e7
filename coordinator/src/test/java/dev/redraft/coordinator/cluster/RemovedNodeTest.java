package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.KVGrpc;
import dev.redraft.api.v1.ReadConsistency;
import dev.redraft.api.v1.ReadRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node removed through the admin API stops serving: stale reads, linearizable reads and writes all
 * get a "removed from the cluster" error, whether it was running when it was removed (the leader
 * stops replicating to it, so it may never apply the configuration that removes it) or was down and
 * started again afterwards; the remaining members keep serving.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RemovedNodeTest {
  /** How long a removed node may keep serving before it finds out. */
  private static final Duration DETECTION_BOUND = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  void aRunningNodeThatWasRemovedRefusesEveryRequest() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      int leader = cluster.awaitLeader();
      int removed = cluster.aFollower();
      RedraftClient client = cluster.client();
      client.set("before", "1");
      cluster.awaitSameAppliedIndex();
      // The key is there before the removal, so a stale read that still answers returns data.
      assertThat(staleRead(cluster.endpoint(removed), "before")).isEqualTo("1");

      try (Grpc admin = new Grpc(cluster.endpoint(leader))) {
        admin.admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId(TestCluster.id(removed)).build());
      }

      awaitRefusedAsRemoved(cluster.endpoint(removed));
      assertRemainingServe(cluster, removed);
      assertThat(cluster.node(removed).health().isRemoved()).isTrue();
    }
  }

  @Test
  void aNodeRemovedWhileDownRefusesEveryRequestOnceStartedAgain() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      int leader = cluster.awaitLeader();
      int removed = cluster.aFollower();
      cluster.client().set("before", "1");
      cluster.awaitSameAppliedIndex();
      cluster.stopNode(removed);

      try (Grpc admin = new Grpc(cluster.endpoint(leader))) {
        admin.admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId(TestCluster.id(removed)).build());
      }
      cluster.restartNode(removed);

      awaitRefusedAsRemoved(cluster.endpoint(removed));
      assertRemainingServe(cluster, removed);
    }
  }

  /** A stale read, a linearizable read and a write through the node each fail with the removed error. */
  private static void awaitRefusedAsRemoved(String endpoint) {
    AtomicLong sequence = new AtomicLong();
    String clientId = UUID.randomUUID().toString();
    try (Grpc node = new Grpc(endpoint)) {
      // Short deadlines: on a node that still takes writes, a write waits for a commit that never
      // reaches it; that must count as "not refused", not stall the poll.
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(node.channel());
      await().atMost(DETECTION_BOUND).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        assertRemovedError(() -> kv.withDeadlineAfter(3, TimeUnit.SECONDS).read(ReadRequest.newBuilder()
            .setCommand(command("GET", "before")).setConsistency(ReadConsistency.STALE).build()));
        assertRemovedError(() -> kv.withDeadlineAfter(3, TimeUnit.SECONDS).read(ReadRequest.newBuilder()
            .setCommand(command("GET", "before")).build()));
        assertRemovedError(() -> kv.withDeadlineAfter(3, TimeUnit.SECONDS)
            .write(Grpc.write(clientId, sequence.incrementAndGet(), command("SET", "after-removal", "x"))));
      });
    }
  }

  private static void assertRemovedError(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("removed from the cluster");
    });
  }

  /** The other two nodes still take a write and answer a linearizable read with it. */
  private static void assertRemainingServe(TestCluster cluster, int removed) {
    int[] remaining = IntStream.range(0, cluster.size()).filter(i -> i != removed).toArray();
    RedraftClient client = cluster.clientOf(remaining);
    client.set("after", "2");
    for (int index : remaining) {
      assertThat(cluster.clientOf(index).get("after")).isEqualTo("2");
    }
  }

  private static String staleRead(String endpoint, String key) {
    try (Grpc node = new Grpc(endpoint)) {
      return node.kv().read(ReadRequest.newBuilder().setCommand(command("GET", key))
          .setConsistency(ReadConsistency.STALE).build()).getReply().getBulk().toStringUtf8();
    }
  }
}
