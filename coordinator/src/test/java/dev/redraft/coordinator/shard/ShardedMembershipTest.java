package dev.redraft.coordinator.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.AddNodeRequest;
import dev.redraft.api.v1.Member;
import dev.redraft.api.v1.MembershipResponse;
import dev.redraft.api.v1.RemoveNodeRequest;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes of a sharded cluster (issue 16), 3 nodes x 2 groups: a node added through one call
 * joins every group (and serves, its replicas identical to the others'), a removal leaves every group, the
 * same call asked again is answered, and an addition one group refuses (a node configured for one group
 * only) is undone in the groups it had reached.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShardedMembershipTest {
  private static final int GROUPS = 2;

  @TempDir
  Path dir;

  @Test
  void aNodeJoinsAndLeavesEveryGroup() throws Exception {
    try (TestCluster cluster = TestCluster.startSharded(3, GROUPS, dir)) {
      RedraftClient client = cluster.client();
      for (int i = 0; i < 40; i++) {
        client.set("before:" + i, "v" + i);
      }
      int added = cluster.addNode(false);
      String id = TestCluster.id(added);
      for (int g = 0; g < GROUPS; g++) {
        int group = g;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(cluster.node(0).raft(group).status().peers()).as("group %d's members", group).containsKey(id));
      }
      RedraftClient viaNew = cluster.clientOf(added);
      for (int i = 0; i < 40; i++) {
        viaNew.set("after:" + i, "w" + i);
      }
      assertThat(viaNew.get("before:7")).isEqualTo("v7");
      cluster.awaitEqualReplicas(List.of(0, 1, 2, added));

      // Asked of a node that does not lead group 0: the change is forwarded to group 0's leader, which runs it.
      String groupZeroLeader = cluster.node(0).raft(0).status().leaderId();
      int notLeadingGroupZero = TestCluster.id(0).equals(groupZeroLeader) ? 1 : 0;
      try (Grpc admin = cluster.grpc(notLeadingGroupZero)) {
        MembershipResponse again = admin.admin().addNode(AddNodeRequest.newBuilder().setNodeId(id)
            .setRaftAddress(cluster.raftAddress(added)).build());
        assertThat(again.getMembersList()).extracting(Member::getNodeId).as("asked again: the same membership")
            .containsExactlyInAnyOrder("n1", "n2", "n3", id);
      }

      cluster.removeNode(added, 1);
      for (int g = 0; g < GROUPS; g++) {
        int group = g;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(cluster.node(0).raft(group).status().peers()).as("group %d's members", group)
                .doesNotContainKey(id).hasSize(3));
      }
      client.set("after-removal", "x");
      assertThat(cluster.clientOf(2).get("after-removal")).isEqualTo("x");
    }
  }

  @Test
  void anAdditionThatOneGroupRefusesIsUndoneInTheOthers() throws Exception {
    try (TestCluster cluster = TestCluster.startSharded(3, GROUPS, dir)) {
      int odd = cluster.startNodeOfGroupZeroOnly();
      String id = TestCluster.id(odd);
      try (Grpc admin = cluster.grpc(0)) {
        assertThatThrownBy(() -> admin.admin().addNode(AddNodeRequest.newBuilder().setNodeId(id)
            .setRaftAddress(cluster.raftAddress(odd)).build()))
            .hasMessageContaining("failed in Raft group 1")
            .hasMessageContaining("undone");
      }
      for (int g = 0; g < GROUPS; g++) {
        assertThat(cluster.node(1).raft(g).status().peers()).as("group %d's members", g).doesNotContainKey(id)
            .hasSize(3);
      }
      cluster.client().set("still", "writable");
      try (Grpc admin = cluster.grpc(2)) {
        assertThatThrownBy(() -> admin.admin().removeNode(RemoveNodeRequest.newBuilder().setNodeId("n9").build()))
            .hasMessageContaining("not a member");
      }
    }
  }
}
