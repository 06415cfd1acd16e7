package dev.redraft.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.client.Commands;
import dev.redraft.client.RedraftClient;
import dev.redraft.coordinator.testing.TestCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Several clients write a mix of commands through different nodes; afterwards every node's Redis
 * holds identical data (same digest at the same log index) and it is what the acknowledged writes
 * imply.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplicationTest {
  private static final int CLIENTS = 6;
  private static final int OPS_PER_CLIENT = 120;

  @TempDir
  Path dir;

  @Test
  void concurrentMixedWritesLeaveEveryRedisIdenticalAndAsAcknowledged() throws Exception {
    try (TestCluster cluster = TestCluster.start(3, dir)) {
      AtomicLong sharedIncrements = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        // Each client enters through a different node: followers forward to the leader.
        RedraftClient client = cluster.clientOf(c % cluster.size());
        int id = c;
        done.add(pool.submit(() -> {
          for (int i = 0; i < OPS_PER_CLIENT; i++) {
            String p = "c" + id + ":";
            switch (i % 6) {
              case 0 -> client.set(p + "s", Integer.toString(i));
              case 1 -> {
                client.incr("shared:counter");
                sharedIncrements.incrementAndGet();
              }
              case 2 -> client.write(Commands.of("HSET", p + "h", "f" + (i % 10), Integer.toString(i)));
              case 3 -> client.write(Commands.of("RPUSH", p + "l", Integer.toString(i)));
              case 4 -> client.write(Commands.of("SADD", p + "set", Integer.toString(i % 20)));
              default -> client.batch(List.of(
                  Commands.of("ZADD", p + "z", Integer.toString(i), "m" + (i % 7)),
                  Commands.of("INCR", p + "batches")));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(4, TimeUnit.MINUTES);
      }
      pool.shutdown();

      long index = cluster.awaitSameAppliedIndex();
      String digest = cluster.digest(0);
      for (int n = 0; n < cluster.size(); n++) {
        assertThat(cluster.digest(n)).as("digest of n%d at index %d", n + 1, index).isEqualTo(digest);
        try (Jedis redis = cluster.redis(n).jedis()) {
          assertThat(redis.get("shared:counter")).isEqualTo(Long.toString(sharedIncrements.get()));
          for (int c = 0; c < CLIENTS; c++) {
            String p = "c" + c + ":";
            int lastSet = lastMatching(i -> i % 6 == 0);
            assertThat(redis.get(p + "s")).isEqualTo(Integer.toString(lastSet));
            List<String> pushed = new ArrayList<>();
            for (int i = 3; i < OPS_PER_CLIENT; i += 6) {
              pushed.add(Integer.toString(i));
            }
            assertThat(redis.lrange(p + "l", 0, -1)).as("list order of client %d", c).containsExactlyElementsOf(pushed);
            assertThat(redis.hlen(p + "h")).isEqualTo(5); // i % 6 == 2 gives i % 10 in {0, 2, 4, 6, 8}
            assertThat(redis.hget(p + "h", "f8")).isEqualTo(Integer.toString(lastMatching(i -> i % 6 == 2 && i % 10 == 8)));
            assertThat(redis.scard(p + "set")).isEqualTo(10);
            assertThat(redis.get(p + "batches")).isEqualTo(Integer.toString(OPS_PER_CLIENT / 6));
            assertThat(redis.zcard(p + "z")).isEqualTo(7);
          }
        }
      }
    }
  }

  private static int lastMatching(java.util.function.IntPredicate matches) {
    int last = -1;
    for (int i = 0; i < OPS_PER_CLIENT; i++) {
      if (matches.test(i)) {
        last = i;
      }
    }
    return last;
  }
}
