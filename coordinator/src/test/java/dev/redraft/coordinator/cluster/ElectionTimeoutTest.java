package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.v1.TransferLeadershipRequest;
import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower campaigns within election-timeout-max of the leader's last message. Ratis' own follower
 * timer checks only at the end of each whole random timeout, so on its own it campaigns up to twice
 * that late; the node's ElectionTimer closes the gap. The fast node n1 has a fixed 1 s timeout
 * (min 1000, max 1001 ms) and the others 0.8-6 s, so when the leader (n2 or n3) stops, n1 mostly
 * campaigns first: with its timer it leads about 1 s after the leader's last message; on Ratis' timer
 * alone it would start its election at a random point between 1 and 2 s after it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ElectionTimeoutTest {
  private static final Map<String, String> FAST = Map.of(
      "election-timeout-min-ms", "1000", "election-timeout-max-ms", "1001");
  /**
   * A lower minimum: a voter grants a pre-vote only once it has heard nothing from the leader for its
   * own minimum election timeout, and its last heartbeat may have come a little after n1's.
   */
  private static final Map<String, String> SLOW = Map.of(
      "election-timeout-min-ms", "800", "election-timeout-max-ms", "6000");
  private static final int FAST_NODE = 0;
  /**
   * From the leader's Raft server stopping: its last heartbeat (up to 0.5 s before), the timeout (1 s),
   * the timer's tick, a pre-vote and a vote round on loopback (with a term written to disk), with room for a
   * loaded 2-core machine. Below 2 s: Ratis' own timer sleeps a timeout and then looks, so alone it can take
   * up to two; and the count of elections the timers started (below) tells the two apart as well.
   */
  private static final Duration ELECTED_WITHIN = Duration.ofMillis(1_000 + 800);

  @TempDir
  Path dir;

  @Test
  void aFollowerCampaignsWithinTheElectionTimeoutOfTheLeadersLastMessage() throws Exception {
    try (TestCluster cluster = TestCluster.startWithNodeConfig(3, dir, i -> i == FAST_NODE ? FAST : SLOW)) {
      long timerElections = 0;
      for (int round = 1; round <= 3; round++) {
        int leader = slowLeader(cluster);
        int other = 3 - leader;
        long startedBefore = electionsStarted(cluster, FAST_NODE, other);
        // The leader's Raft server first: the rest of a node's shutdown takes a while, heartbeats go on meanwhile.
        long stopped = System.nanoTime();
        cluster.node(leader).raftHost().close();
        cluster.stopNode(leader);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(5))
            .until(() -> cluster.status(FAST_NODE).role().equals("LEADER")
                || cluster.status(other).role().equals("LEADER"));
        Duration took = Duration.ofNanos(System.nanoTime() - stopped);
        assertThat(took).as("round %d: a new leader %d ms after the leader %s had stopped", round, took.toMillis(),
            TestCluster.id(leader)).isLessThanOrEqualTo(ELECTED_WITHIN);
        cluster.restartNode(leader);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> cluster.status(leader).role().equals("FOLLOWER") && !cluster.status(leader).leaderId().isEmpty());
        // Read after the restart: a timer counts its election once the start call returned, which can be after
        // the election was won.
        timerElections += electionsStarted(cluster, FAST_NODE, other) - startedBefore;
      }
      // Ratis' own timer fires first only when its sleep happens to end within the timer's tick of the
      // timeout (about 2% of rounds); the nodes' timers must have started the other elections.
      assertThat(timerElections).as("elections the nodes' election timers started in 3 rounds")
          .isGreaterThanOrEqualTo(2);
    }
  }

  private static long electionsStarted(TestCluster cluster, int... nodes) {
    long started = 0;
    for (int node : nodes) {
      started += cluster.node(node).raft().electionsStarted();
    }
    return started;
  }

  /** Makes one of the slow nodes lead (by a leadership transfer if n1 leads) and returns its index. */
  private static int slowLeader(TestCluster cluster) {
    int leader = cluster.awaitLeader();
    if (leader != FAST_NODE) {
      return leader;
    }
    int target = 1;
    try (Grpc admin = cluster.grpc(leader)) {
      admin.admin().transferLeadership(TransferLeadershipRequest.newBuilder().setNodeId(TestCluster.id(target)).build());
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> cluster.status(target).role().equals("LEADER"));
    return target;
  }
}
