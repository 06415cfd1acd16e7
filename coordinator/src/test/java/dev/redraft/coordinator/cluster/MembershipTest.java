package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.PromoteNodeRequest;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.api.v1.TransferLeadershipRequest;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.raft.RaftStatus;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** Nodes join and leave through the admin API, one change at a time, while clients keep writing. */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MembershipTest {
  @TempDir
  Path dir;

  @Test
  void growingThreeToFiveAndShrinkingBackLosesNoWriteAndAppliesNoneTwice() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      IncrementLoad load = new IncrementLoad(List.of(cluster.client(), cluster.client(), cluster.client()),
          "counter", Duration.ofSeconds(180));
      awaitMoreAcknowledged(load, 100);

      long committedBefore = cluster.status(cluster.awaitLeader()).commitIndex();
      int n4 = cluster.addNode(false);
      // Acknowledged only once the new voter committed the configuration naming it (an entry after all those
      // committed before the addition): from then on it can vote.
      assertThat(cluster.status(n4).commitIndex()).as("the new voter's commit index right after the addition")
          .isGreaterThan(committedBefore);
      assertThat(cluster.status(n4).peers()).as("the new voter's own view of the configuration right after the addition")
          .containsKey(TestCluster.id(n4));
      awaitMoreAcknowledged(load, 50);
      // The new node serves: a write and a linearizable read through it alone.
      RedraftClient viaNew = cluster.clientOf(n4);
      viaNew.set("joined", "n4");
      assertThat(viaNew.get("joined")).isEqualTo("n4");
      int n5 = cluster.addNode(false);
      awaitMoreAcknowledged(load, 50);
      assertThat(voters(cluster)).containsExactlyInAnyOrder("n1", "n2", "n3", "n4", "n5");

      // Shrink by two of the original nodes (the leader among them, if it is one of n1, n2).
      cluster.removeNode(0, n4);
      awaitMoreAcknowledged(load, 50);
      cluster.removeNode(1, n5);
      awaitMoreAcknowledged(load, 50);
      load.close();

      assertThat(voters(cluster)).containsExactlyInAnyOrder("n3", "n4", "n5");
      assertCounterWithinBoundsOnRunningNodes(cluster, load);
    }
  }

  @Test
  void leadershipTransferLeaderRemovalAndLearnerPromotion() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      RedraftClient client = cluster.client();
      client.set("before", "changes");
      int leader = cluster.awaitLeader();
      int target = (leader + 1) % 3;
      try (Grpc admin = new Grpc(cluster.endpoint(leader))) {
        String newLeader = admin.admin().transferLeadership(
            TransferLeadershipRequest.newBuilder().setNodeId(TestCluster.id(target)).build()).getLeaderId();
        assertThat(newLeader).isEqualTo(TestCluster.id(target));
      }
      assertThat(cluster.awaitLeader()).isEqualTo(target);

      // Remove the leader itself, asking another node: it forwards to the leader, which steps down.
      int other = (target + 1) % 3;
      cluster.removeNode(target, other);
      int afterRemoval = cluster.awaitLeader();
      assertThat(afterRemoval).isNotEqualTo(target);
      assertThat(client.incr("after-removal")).isEqualTo(1);

      // A learner receives everything but does not vote; promoted, it votes.
      int learner = cluster.addNode(true);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        try (Jedis redis = cluster.redis(learner).jedis()) {
          assertThat(redis.get("before")).isEqualTo("changes");
        }
      });
      RaftStatus status = cluster.status(cluster.awaitLeader());
      assertThat(status.learners()).containsExactly(TestCluster.id(learner));
      try (Grpc admin = new Grpc(cluster.endpoint(learner))) {
        MembershipResponse promoted = admin.admin().promoteNode(
            PromoteNodeRequest.newBuilder().setNodeId(TestCluster.id(learner)).build());
        assertThat(promoted.getMembersList()).filteredOn(m -> m.getNodeId().equals(TestCluster.id(learner)))
            .singleElement().satisfies(m -> assertThat(m.getVoter()).isTrue());
      }
      assertThat(voters(cluster)).hasSize(3).contains(TestCluster.id(learner));
      client.set("after", "promotion");
      cluster.awaitSameAppliedIndex();
      String digest = cluster.digest(cluster.awaitLeader());
      for (int n : cluster.running()) {
        assertThat(cluster.digest(n)).as("digest of %s", TestCluster.id(n)).isEqualTo(digest);
      }
    }
  }

  @Test
  void changesThatWouldBreakTheClusterAreRefusedAndChangeNothing() throws Exception {
    try (TestCluster cluster = TestCluster.start(5, dir)) {
      int leader = cluster.awaitLeader();
      try (Grpc admin = new Grpc(cluster.endpoint(leader))) {
        assertRefused(() -> admin.admin().addNode(AddNodeRequest.newBuilder().setNodeId("n2")
            .setRaftAddress("127.0.0.1:1").build()), Status.Code.FAILED_PRECONDITION, "already a member");
        assertRefused(() -> admin.admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId("nobody").build()),
            Status.Code.FAILED_PRECONDITION, "not a member");
        assertRefused(() -> admin.admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId("bad id!").build()),
            Status.Code.INVALID_ARGUMENT, "not valid");
        assertRefused(() -> admin.admin().promoteNode(PromoteNodeRequest.newBuilder().setNodeId("n2").build()),
            Status.Code.FAILED_PRECONDITION, "not a learner");
        assertRefused(() -> admin.admin().addNode(AddNodeRequest.newBuilder().setNodeId("n9")
            .setRaftAddress("no-port").build()), Status.Code.INVALID_ARGUMENT, "raft_address");

        // Two of five voters down: removing a third live one would leave 2 reachable of 4.
        List<Integer> followers = cluster.running().stream().filter(n -> n != leader).toList();
        cluster.stopNode(followers.get(0));
        cluster.stopNode(followers.get(1));
        await().atMost(Duration.ofSeconds(20)).until(() -> !cluster.node(leader).raft().membership()
            .reachableMembers().contains(TestCluster.id(followers.get(1))));
        assertRefused(() -> admin.admin().removeNode(RemoveNodeRequest.newBuilder()
            .setNodeId(TestCluster.id(followers.get(2))).build()), Status.Code.FAILED_PRECONDITION, "lose quorum");
      }
      assertThat(voters(cluster)).hasSize(5);
      assertThat(cluster.client().incr("still-writable")).isEqualTo(1);
    }
  }

  @Test
  void theLastVoterCannotBeRemoved() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, dir); Grpc admin = new Grpc(cluster.endpoint(0))) {
      assertRefused(() -> admin.admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId("n1").build()),
          Status.Code.FAILED_PRECONDITION, "last voter");
    }
  }

  private static void assertRefused(Runnable call, Status.Code code, String messagePart) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(messagePart);
    });
  }

  private static List<String> voters(TestCluster cluster) {
    RaftStatus status = cluster.status(cluster.awaitLeader());
    return status.peers().keySet().stream().filter(id -> !status.learners().contains(id)).toList();
  }

  private static void awaitMoreAcknowledged(IncrementLoad load, long more) {
    long target = load.acknowledged() + more;
    await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged() >= target);
  }

  static void assertCounterWithinBoundsOnRunningNodes(TestCluster cluster, IncrementLoad load) {
    long index = cluster.awaitSameAppliedIndex();
    String digest = cluster.digest(cluster.awaitLeader());
    for (int n : cluster.running()) {
      try (Jedis redis = cluster.redis(n).jedis()) {
        long counter = Long.parseLong(redis.get("counter"));
        assertThat(counter).as("counter on %s at index %d (acknowledged %d, unknown %d)", TestCluster.id(n), index,
            load.acknowledged(), load.unknown()).isBetween(load.acknowledged(), load.acknowledged() + load.unknown());
      }
      assertThat(cluster.digest(n)).as("digest of %s", TestCluster.id(n)).isEqualTo(digest);
    }
  }
}
