package dev.redraft.coordinator.cluster;

import static dev.redraft.coordinator.testing.Grpc.command;
import static dev.redraft.coordinator.testing.Grpc.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.testing.Grpc;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write through a follower is answered once that follower applied it, so it waits until the
 * follower learns of the commit. Ratis alone says so only with the next entry or its periodic
 * heartbeat (every half minimum election timeout: 500 ms here), so a lone writer through a follower
 * waited ~500 ms per write; the leader's commit notice (commit-heartbeats, on by default) cuts that
 * to a few milliseconds.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CommitNoticeTest {
  private static final int WRITES = 30;

  @TempDir
  Path dir;

  @Test
  void aLoneWriterThroughAFollowerDoesNotWaitForThePeriodicHeartbeat() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      // Without the notice the median is ~500 ms (the heartbeat period); with it, a few ms even on
      // a busy machine. 200 ms leaves room for a loaded CI machine and still fails without it.
      assertThat(medianMillisPerWriteThroughAFollower(cluster, 30)).isLessThan(200);
    }
  }

  @Test
  void withoutNoticesAFollowerLearnsOfACommitOnlyWithRatisHeartbeat() throws Exception {
    // The same measurement with the notices off: shows the test above measures what it claims.
    try (TestCluster cluster = TestCluster.start(3, dir, Map.of("commit-heartbeats", "false"))) {
      assertThat(medianMillisPerWriteThroughAFollower(cluster, 5)).isGreaterThanOrEqualTo(200);
    }
  }

  /** Sequential writes by one client through a follower's API; the median time each took. */
  private static long medianMillisPerWriteThroughAFollower(TestCluster cluster, int writes) {
    int follower = cluster.aFollower();
    try (Grpc viaFollower = new Grpc(cluster.endpoint(follower))) {
      viaFollower.kv().write(write("notice-warmup", 1, command("SET", "warm", "up")));
      long[] millis = new long[writes];
      for (int i = 0; i < writes; i++) {
        long start = System.nanoTime();
        viaFollower.kv().write(write("notice-test", i + 1, command("SET", "k" + i, "v")));
        millis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      }
      Arrays.sort(millis);
      System.out.printf("ms per write through follower %s, sorted: %s%n", TestCluster.id(follower),
          Arrays.toString(millis));
      return millis[writes / 2];
    }
  }
}
