package dev.redraft.coordinator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.chaos.harness.ChaosCluster;
import dev.redraft.coordinator.chaos.harness.ChaosRun;
import dev.redraft.coordinator.chaos.harness.FaultType;
import dev.redraft.coordinator.chaos.harness.Requirements;
import dev.redraft.coordinator.chaos.harness.RunDirs;
import dev.redraft.coordinator.chaos.harness.Workload;
import dev.redraft.coordinator.testing.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three coordinator JVMs, each with its own Redis, under ten clients over many keys, through one
 * fault of every kind in turn (each held, then healed): partitions (leader isolated,
 * majority/minority, one-way), the leader paused, a coordinator killed and restarted, a Redis that
 * lost its data, a skewed wall clock. Then: the history is linearizable, counters lost nothing and
 * counted nothing twice, every Redis is identical at the same applied index, writes resumed within
 * {@link ChaosRun#RESUME_BOUND} after each heal, no node logged a crash, and the write gap of each
 * fault (for the workload's clients, and for a writer bound to each node the fault did not cut off)
 * stayed within {@link ChaosRun#gapBound} (the target, election-timeout-max + 1 s, plus election-timeout-max
 * for each repeated election, e.g. a split vote, counted by the terms the cluster went through).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FaultScheduleIT {
  /** Long enough for the elections a fault causes (1-2 s each, a few in a row) and for writes to go on meanwhile. */
  private static final Duration HOLD = Duration.ofSeconds(6);

  @Test
  void everyFaultKindInTurnKeepsTheHistoryLinearizableAndTheReplicasIdentical() {
    Requirements.assumeMultiProcessCluster();
    boolean skew = Requirements.faketimeAvailable();
    List<FaultType> schedule = new ArrayList<>(List.of(
        FaultType.PARTITION_ISOLATE_LEADER,
        FaultType.PARTITION_MAJORITY_MINORITY,
        FaultType.PARTITION_ONE_WAY,
        FaultType.PAUSE_LEADER,
        FaultType.KILL_RESTART_LEADER,
        FaultType.KILL_RESTART_COORDINATOR,
        FaultType.REDIS_DATA_LOSS));
    if (skew) {
      schedule.add(FaultType.CLOCK_SKEW);
    } else {
      System.out.println("CLOCK_SKEW skipped: libfaketime is not installed (apt-get install -y faketime)");
    }
    // The secure configuration: TLS and roles on every API and Raft connection (issue 15 asks for the
    // fault suite to run with it); the membership schedule below stays plaintext.
    runSchedule("fault-schedule", schedule, true);
  }

  /**
   * Membership changes under load: a node removed while running and added back wiped, a node
   * killed and replaced by one with a fresh id and empty storage, and a change during a partition
   * (one sent to the isolated leader, which must not acknowledge it, and the removal of that leader
   * by the majority), and the leader isolated the moment a wiped node was added back (the others,
   * one of them that node, must elect a leader). Same verdict as above, plus: every slot's node is a
   * voter at the end.
   */
  @Test
  void membershipChangesUnderLoadAndDuringAPartitionLoseNothing() {
    Requirements.assumeMultiProcessCluster();
    List<FaultType> schedule = List.of(FaultType.MEMBER_REMOVE_READD, FaultType.MEMBER_REPLACE,
        FaultType.MEMBER_CHANGE_DURING_PARTITION, FaultType.MEMBER_ADD_THEN_ISOLATE_LEADER);
    runSchedule("fault-schedule-membership", schedule, false);
  }

  /**
   * A sharded cluster (3 nodes x 3 Raft groups, leaders spread over the nodes) under the faults that hit
   * a leader and a Redis (issue 16: the fault suite's bounded set on a sharded cluster): slot moves whose
   * driver, source or target leader is cut off, then killed, as each starts (the faults after them run on
   * the moved map), a leader killed, a Redis emptied: the same verdict, with every group's replicas identical
   * at the end, and the same write-gap bound (its elections: the most any one group went through; for a move,
   * 4 s more: see ChaosRun#gapBound). Seven leader faults in a row on 3 groups stayed within it (longest 3.2 s
   * through one node, two elections, bound 5.5 s); moves with kills or cuts, 1.1-2.2 s. (PAUSE_LEADER and
   * PARTITION_ISOLATE_LEADER alone run in the unsharded schedule.)
   */
  @Test
  void aShardedClusterKeepsEveryGroupLinearizableUnderLeaderFaults() {
    Requirements.assumeMultiProcessCluster();
    runSchedule("fault-schedule-sharded", List.of(FaultType.SLOT_MOVE_ISOLATE_LEADER, FaultType.SLOT_MOVE_KILL_LEADER,
        FaultType.KILL_RESTART_LEADER, FaultType.REDIS_DATA_LOSS), false, 3, true);
  }

  /**
   * For looking at chosen faults: {@code -Dchaos.faults=PAUSE_LEADER,PAUSE_LEADER} (skipped without it);
   * {@code -Dchaos.tls=true} runs them with TLS and roles, {@code -Dchaos.groups=3} on a sharded cluster.
   */
  @Test
  void selectedFaults() {
    String faults = System.getProperty("chaos.faults", "");
    org.junit.jupiter.api.Assumptions.assumeFalse(faults.isBlank(), "set -Dchaos.faults=KIND,KIND to run chosen faults");
    Requirements.assumeMultiProcessCluster();
    runSchedule("fault-schedule-selected", java.util.Arrays.stream(faults.split(",")).map(String::trim)
        .map(FaultType::valueOf).toList(), Boolean.getBoolean("chaos.tls"), Integer.getInteger("chaos.groups", 1), true);
  }

  /**
   * One cluster (with TLS and roles if {@code tls}), each fault of {@code schedule} held for {@link #HOLD}
   * and healed in turn, then the verdict.
   */
  private static void runSchedule(String name, List<FaultType> schedule, boolean tls) {
    runSchedule(name, schedule, tls, 1, true);
  }

  private static void runSchedule(String name, List<FaultType> schedule, boolean tls, int groups,
      boolean gapBounds) {
    Path dir = RunDirs.create(name);
    long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
    ChaosCluster.Options options = new ChaosCluster.Options().groups(groups);
    if (tls) {
      try {
        options.tls(TestCa.create(dir.resolve("ca"), name + "-ca"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make the test CA", e);
      }
    }
    try (ChaosCluster cluster = ChaosCluster.start(dir, options)) {
      ChaosRun run = new ChaosRun(cluster, dir, seed, Workload.Settings.defaults().withMaxDuration(Duration.ofMinutes(6)));
      if (gapBounds) {
        run.assertGapBounds();
      }
      try {
        for (FaultType fault : schedule) {
          run.apply(fault, HOLD);
        }
      } catch (AssertionError | RuntimeException stopped) {
        run.abort(stopped);
        throw stopped;
      }
      ChaosRun.Verdict verdict = run.finish();
      System.out.println(verdict.summary());
      assertThat(verdict.problems()).as("chaos run (seed %d) failed; files in %s%n%s", seed, dir, verdict.summary())
          .isEmpty();
      assertThat(run.faults()).hasSize(schedule.size());
      RunDirs.prune(dir);
    }
  }
}
