package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Group commit end to end: more concurrent writers than a node keeps proposals in flight (8) share
 * log entries, and each write still gets its own reply and is applied exactly once on every replica.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GroupCommitTest {
  private static final int WRITERS = 48;
  private static final int WRITES_EACH = 20;

  @TempDir
  Path dir;

  @Test
  void concurrentWritesShareLogEntriesAndEachGetsItsOwnReplyAndIsAppliedOnce() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      long before = cluster.awaitSameAppliedIndex();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<List<String>>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        // All through one node, so its group committer has far more writes than proposals in flight.
        RedraftClient client = cluster.clientOf(0);
        String own = "own:" + w;
        done.add(pool.submit(() -> {
          List<String> wrongReplies = new ArrayList<>();
          for (long i = 1; i <= WRITES_EACH; i++) {
            long reply = client.incr(own);
            if (reply != i) {
              wrongReplies.add(own + " INCR #" + i + " replied " + reply);
            }
            client.incr("total");
          }
          return wrongReplies;
        }));
      }
      List<String> wrongReplies = new ArrayList<>();
      for (Future<List<String>> f : done) {
        wrongReplies.addAll(f.get(4, TimeUnit.MINUTES));
      }
      pool.shutdown();
      assertThat(wrongReplies).as("replies that belong to another write of the same group").isEmpty();

      long entries = cluster.awaitSameAppliedIndex() - before;
      int writes = WRITERS * WRITES_EACH * 2;
      System.out.printf("group commit: %d writes in %d log entries%n", writes, entries);
      // Without group commit every write takes an entry of its own (entries >= writes).
      assertThat(entries).as("log entries used by %d concurrent writes", writes).isLessThan(writes * 3L / 4);
      String digest = cluster.digest(0);
      for (int n = 0; n < cluster.size(); n++) {
        assertThat(cluster.digest(n)).isEqualTo(digest);
        try (Jedis redis = cluster.redis(n).jedis()) {
          assertThat(redis.get("total")).isEqualTo(Integer.toString(WRITERS * WRITES_EACH));
          for (int w = 0; w < WRITERS; w++) {
            assertThat(redis.get("own:" + w)).isEqualTo(Integer.toString(WRITES_EACH));
          }
        }
      }
    }
  }
}
