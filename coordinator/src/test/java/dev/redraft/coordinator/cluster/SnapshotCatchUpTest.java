package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.ClusterStatusRequest;
import dev.redraft.api.v1.MemberStatus;
import dev.redraft.api.v1.TakeSnapshotRequest;
import dev.redraft.client.Commands;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Snapshots are the Redis state at an exact log index: a node that fell behind the purged log, or a
 * brand-new one, installs the leader's snapshot into its Redis and ends identical; a node whose
 * Redis lost its data rebuilds it by itself.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SnapshotCatchUpTest {
  /** Snapshots every 200 entries and small log segments, so the log is purged after a few hundred writes. */
  private static final Map<String, String> FREQUENT_SNAPSHOTS =
      Map.of("snapshot-threshold", "200", "log-segment-size-bytes", "1048576");
  private static final String VALUE = "v".repeat(1000);

  @TempDir
  Path dir;

  @Test
  void followerBehindThePurgedLogCatchesUpFromTheLeadersSnapshot() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir, FREQUENT_SNAPSHOTS)) {
      RedraftClient client = cluster.client();
      for (int i = 0; i < 50; i++) {
        client.incr("counter");
      }
      int follower = cluster.aFollower();
      cluster.awaitSameAppliedIndex();
      long appliedWhenStopped = cluster.status(follower).appliedIndex();
      cluster.stopNode(follower);

      for (int i = 0; i < 1_500; i++) { // ~1.5 MB of log: whole segments behind several snapshots
        client.write(Commands.of("SET", "key:" + (i % 300), VALUE + i));
        client.incr("counter");
      }
      int leader = cluster.awaitLeader();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> cluster.status(leader).firstLogIndex() > appliedWhenStopped + 1);

      cluster.restartNode(follower);
      client.incr("counter");
      cluster.awaitSameAppliedIndex();
      assertThat(cluster.node(follower).raft().stateMachine().snapshotStats().latestIndex())
          .as("the follower holds the leader's snapshot").isGreaterThan(appliedWhenStopped);
      assertIdentical(cluster);
      try (Jedis redis = cluster.redis(follower).jedis()) {
        assertThat(redis.get("counter")).isEqualTo("1551");
      }
    }
  }

  @Test
  void aNewNodeJoinsAClusterHolding100kKeysAndEndsIdentical() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir, Map.of("snapshot-threshold", "100"))) {
      RedraftClient client = cluster.client();
      for (int batch = 0; batch < 100; batch++) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
          args.add("k:" + (batch * 1_000 + i));
          args.add("value-" + i);
        }
        client.write(Commands.of("MSET", args.toArray(String[]::new)));
      }
      try (Grpc admin = new Grpc(cluster.endpoint(cluster.awaitLeader()))) {
        assertThat(admin.admin().takeSnapshot(TakeSnapshotRequest.getDefaultInstance()).getSnapshotIndex())
            .isPositive();
      }
      long started = System.nanoTime();
      int joined = cluster.addNode(false);
      client.set("after", "join");
      cluster.awaitSameAppliedIndex();
      long joinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      try (Jedis redis = cluster.redis(joined).jedis()) {
        assertThat(redis.dbSize()).as("100k keys plus Redraft's own").isGreaterThan(100_000);
        assertThat(redis.get("k:99999")).isEqualTo("value-999");
      }
      assertIdentical(cluster);
      System.out.printf("joining a cluster of 100k keys took %d ms%n", joinMs);
    }
  }

  @Test
  void aRedisThatRestartedEmptyIsRebuiltWhileTheNodeRunsAndLosesNoWrite() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir, FREQUENT_SNAPSHOTS)) {
      IncrementLoad load = new IncrementLoad(List.of(cluster.client(), cluster.client()), "counter",
          Duration.ofSeconds(120));
      await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged() >= 500);
      int follower = cluster.aFollower();
      cluster.redis(follower).restart(); // comes back empty, with the node running
      long acked = load.acknowledged();
      await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged() >= acked + 300);
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(follower).health().isReady());
      load.close();
      MembershipTest.assertCounterWithinBoundsOnRunningNodes(cluster, load);
    }
  }

  @Test
  void aRedisThatLostItsDataWhileTheNodeWasDownIsReloadedAtStart() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir, FREQUENT_SNAPSHOTS)) {
      RedraftClient client = cluster.client();
      for (int i = 0; i < 400; i++) {
        client.incr("counter");
      }
      int follower = cluster.aFollower();
      cluster.awaitSameAppliedIndex();
      cluster.stopNode(follower);
      cluster.redis(follower).restart();
      cluster.restartNode(follower);
      client.incr("counter");
      cluster.awaitSameAppliedIndex();
      try (Jedis redis = cluster.redis(follower).jedis()) {
        assertThat(redis.get("counter")).isEqualTo("401");
      }
      assertIdentical(cluster);
    }
  }

  @Test
  void snapshotsUnderWritesAreReportedWithTheirPause() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir, FREQUENT_SNAPSHOTS)) {
      IncrementLoad load = new IncrementLoad(List.of(cluster.client(), cluster.client()), "counter",
          Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged() >= 1_000);
      load.close();
      try (Grpc admin = new Grpc(cluster.endpoint(0))) {
        List<MemberStatus> members = admin.admin().clusterStatus(ClusterStatusRequest.getDefaultInstance())
            .getMembersList();
        assertThat(members).hasSize(3).allSatisfy(m -> {
          assertThat(m.getSnapshotIndex()).as("snapshot index of %s", m.getNodeId()).isPositive();
          assertThat(m.getVoter()).isTrue();
        });
        long longest = members.stream().mapToLong(MemberStatus::getLongestSnapshotPauseMs).max().orElseThrow();
        System.out.printf("longest apply pause caused by a snapshot: %d ms%n", longest);
      }
      MembershipTest.assertCounterWithinBoundsOnRunningNodes(cluster, load);
    }
  }

  private static void assertIdentical(TestCluster cluster) {
    String digest = cluster.digest(cluster.awaitLeader());
    for (int n : cluster.running()) {
      assertThat(cluster.digest(n)).as("digest of %s", TestCluster.id(n)).isEqualTo(digest);
    }
  }
}
