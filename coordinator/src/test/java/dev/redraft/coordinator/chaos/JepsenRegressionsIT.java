package dev.redraft.coordinator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.api.v1.WriteResponse;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.chaos.harness.ChaosCluster;
import dev.redraft.coordinator.chaos.harness.ChaosRun;
import dev.redraft.coordinator.chaos.harness.FaultType;
import dev.redraft.coordinator.chaos.harness.Requirements;
import dev.redraft.coordinator.chaos.harness.RunDirs;
import dev.redraft.coordinator.chaos.harness.Workload;
import dev.redraft.coordinator.chaos.history.Operation;
import dev.redraft.coordinator.testing.Grpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One named reproduction per class of bug that Jepsen found in RedisRaft (2020), run against
 * separate coordinator JVMs with their own Redis, histories checked for linearizability.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JepsenRegressionsIT {
  private static final Duration HOLD = Duration.ofSeconds(8);

  @BeforeEach
  void requirements() {
    Requirements.assumeMultiProcessCluster();
  }

  /** RedisRaft: "total data loss on failover" and "a write repeated forever". */
  @Test
  void failoverWithDataPresentKeepsEveryAcknowledgedWrite() throws Exception {
    Path dir = RunDirs.create("failover-with-data");
    long seed = System.currentTimeMillis();
    try (ChaosCluster cluster = ChaosCluster.start(dir, new ChaosCluster.Options())) {
      ChaosRun run = new ChaosRun(cluster, dir, seed, Workload.Settings.defaults().withClients(6)
          .withMaxDuration(Duration.ofMinutes(3)));
      preload(cluster, run, "pre:", 300, "v");
      run.apply(FaultType.KILL_RESTART_LEADER, HOLD);
      run.apply(FaultType.KILL_RESTART_LEADER, HOLD);
      ChaosRun.Verdict verdict = run.finish(); // final reads of every key, pre:* included
      assertThat(verdict.problems()).as(verdict.summary()).isEmpty();
      RunDirs.prune(dir);
    }
  }

  /**
   * RedisRaft: "empty reads after restarts", "crashes at snapshot/log boundaries", and INCR applied
   * twice on replay. Nodes take a snapshot every 200 entries with 1 MB log segments, and 2.4 MB of
   * values are written first, so each node has compacted its log (purged segments before its
   * snapshot) when every node is killed at once and restarted, twice: each restores its snapshot
   * and replays the rest of its log into a Redis that already holds most of it.
   */
  @Test
  void restartAfterSnapshotAndCompactionReplaysTheLogWithoutDoubleApplyOrEmptyReads() {
    Path dir = RunDirs.create("restart-replay");
    ChaosCluster.Options options = new ChaosCluster.Options();
    for (int i = 0; i < 3; i++) {
      options.flags(i, "--snapshot-threshold=200", "--log-segment-size-bytes=1048576");
    }
    try (ChaosCluster cluster = ChaosCluster.start(dir, options)) {
      ChaosRun run = new ChaosRun(cluster, dir, System.currentTimeMillis(), Workload.Settings.defaults()
          .withClients(6).withMaxDuration(Duration.ofMinutes(3)));
      preload(cluster, run, "big:", 300, "x".repeat(8 * 1024) + ":");
      for (int round = 0; round < 2; round++) {
        run.awaitWrites();
        awaitCompacted(cluster);
        for (int i = 0; i < cluster.size(); i++) {
          cluster.node(i).kill();
        }
        for (int i = 0; i < cluster.size(); i++) {
          cluster.node(i).start();
        }
        cluster.awaitReadyLeader(Duration.ofSeconds(120));
      }
      run.awaitWrites();
      ChaosRun.Verdict verdict = run.finish(); // final reads of every key, big:* included
      assertThat(verdict.problems()).as(verdict.summary()).isEmpty();
      RunDirs.prune(dir);
    }
  }

  /**
   * RedisRaft: "lost updates when membership changed during a partition". Twice: the leader is
   * isolated and at once asked to remove a follower (it must not acknowledge), the majority's new
   * leader removes it, and on heal it is wiped and added back; writes continue throughout.
   */
  @Test
  void membershipChangeDuringAPartitionLosesNoUpdate() {
    Path dir = RunDirs.create("membership-during-partition");
    long seed = System.currentTimeMillis();
    try (ChaosCluster cluster = ChaosCluster.start(dir, new ChaosCluster.Options())) {
      ChaosRun run = new ChaosRun(cluster, dir, seed, Workload.Settings.defaults().withClients(6)
          .withMaxDuration(Duration.ofMinutes(3)));
      run.apply(FaultType.MEMBER_CHANGE_DURING_PARTITION, HOLD);
      run.apply(FaultType.MEMBER_CHANGE_DURING_PARTITION, HOLD);
      ChaosRun.Verdict verdict = run.finish();
      assertThat(verdict.problems()).as(verdict.summary()).isEmpty();
      RunDirs.prune(dir);
    }
  }

  /** Writes {@code count} keys (acknowledged, recorded in the run's history) besides the workload's. */
  private static void preload(ChaosCluster cluster, ChaosRun run, String prefix, int count, String value) {
    try (RedraftClient client = RedraftClient.builder().endpoints(cluster.endpoints())
        .requestTimeout(Duration.ofSeconds(30)).build()) {
      for (int i = 0; i < count; i++) {
        long id = run.history().nextId();
        long invoke = System.nanoTime();
        client.set(prefix + i, value + i);
        run.history().add(Operation.write(id, -2, prefix + i, value + i, invoke, System.nanoTime(), Operation.Outcome.OK));
      }
    }
  }

  /** Every node took a snapshot and purged the log segments before it. */
  private static void awaitCompacted(ChaosCluster cluster) {
    dev.redraft.coordinator.chaos.harness.Poll.until("every node compacted its log after a snapshot",
        Duration.ofSeconds(90), () -> {
          for (int i = 0; i < cluster.size(); i++) {
            boolean snapshot = cluster.node(i).status().map(s -> s.getSnapshotIndex() > 0).orElse(false);
            if (!snapshot || cluster.firstLogIndex(i).orElse(0) == 0) {
              return java.util.Optional.empty();
            }
          }
          return java.util.Optional.of(true);
        });
  }

  /**
   * RedisRaft: "replies delivered to the wrong client through follower proxying". Clients talk
   * only to one follower, which forwards every write to the leader; each client increments its
   * own counter, which starts in its own range of values, so a reply meant for another client is
   * out of range. The leader is killed midway, so forwarded writes are retried across a leader
   * change.
   */
  @Test
  void repliesThroughAFollowerReachTheClientThatAsked() throws Exception {
    Path dir = RunDirs.create("follower-replies");
    try (ChaosCluster cluster = ChaosCluster.start(dir, new ChaosCluster.Options())) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(60));
      int follower = (leader + 1) % cluster.size();
      String endpoint = cluster.node(follower).apiAddress();
      int clients = 6;
      long perClient = 1_000_000;
      List<String> wrong = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLongArray acknowledged = new AtomicLongArray(clients);
      List<Thread> threads = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      for (int c = 0; c < clients; c++) {
        int id = c;
        Thread thread = new Thread(() -> {
          String key = "own:" + id;
          String session = "follower-client-" + id + "-" + System.nanoTime();
          long base = (id + 1) * perClient;
          long sequence = 0;
          long last = 0;
          try (Grpc viaFollower = new Grpc(endpoint)) {
            while (running.get() && System.nanoTime() < deadline && acknowledged.get(id) < 2_000) {
              sequence++;
              boolean first = sequence == 1;
              var request = Grpc.write(session, sequence, first
                  ? Grpc.command("INCRBY", key, Long.toString(base)) : Grpc.command("INCR", key));
              WriteResponse response = null;
              // Retries carry the same (session, sequence): the server applies it once and replays the reply.
              for (int attempt = 0; attempt < 200 && response == null && System.nanoTime() < deadline; attempt++) {
                try {
                  response = viaFollower.kv().withDeadlineAfter(5, TimeUnit.SECONDS).write(request);
                } catch (RuntimeException retry) {
                  sleepQuietly(100);
                }
              }
              if (response == null) {
                return;
              }
              long value = response.getReplies(0).getInteger();
              if (value / perClient != id + 1 || value <= last) {
                wrong.add("client " + id + " (key " + key + ", sequence " + sequence + ", previous reply " + last
                    + ") got " + value);
              }
              last = value;
              acknowledged.incrementAndGet(id);
            }
          }
        }, "follower-client-" + c);
        threads.add(thread);
        thread.start();
      }
      awaitAcknowledged(acknowledged, 100);
      cluster.node(leader).kill();
      awaitAcknowledgedAfter(acknowledged, 100);
      cluster.node(leader).start();
      running.set(false);
      for (Thread thread : threads) {
        thread.join(60_000);
      }
      assertThat(wrong).as("replies that belong to another client or go backwards").isEmpty();
      // Each client's counter holds exactly its own acknowledged increments (no retry applied twice).
      cluster.awaitSameAppliedIndex(Duration.ofSeconds(90));
      for (int c = 0; c < clients; c++) {
        String value = cluster.redisGet(0, "own:" + c);
        assertThat(value).isNotNull();
        assertThat(Long.parseLong(value) - (c + 1) * perClient + 1).as("increments of client %d", c)
            .isEqualTo(acknowledged.get(c));
      }
      RunDirs.prune(dir);
    }
  }

  private static void awaitAcknowledged(AtomicLongArray acknowledged, long each) {
    dev.redraft.coordinator.chaos.harness.Poll.until("every client acknowledged " + each + " writes",
        Duration.ofSeconds(60), () -> {
          for (int i = 0; i < acknowledged.length(); i++) {
            if (acknowledged.get(i) < each) {
              return java.util.Optional.empty();
            }
          }
          return java.util.Optional.of(true);
        });
  }

  private static void awaitAcknowledgedAfter(AtomicLongArray acknowledged, long more) {
    long[] start = new long[acknowledged.length()];
    for (int i = 0; i < start.length; i++) {
      start[i] = acknowledged.get(i);
    }
    dev.redraft.coordinator.chaos.harness.Poll.until("every client acknowledged " + more + " more writes",
        Duration.ofSeconds(60), () -> {
          for (int i = 0; i < start.length; i++) {
            if (acknowledged.get(i) < start[i] + more) {
              return java.util.Optional.empty();
            }
          }
          return java.util.Optional.of(true);
        });
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
