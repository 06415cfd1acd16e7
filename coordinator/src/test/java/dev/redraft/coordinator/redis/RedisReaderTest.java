package dev.redraft.coordinator.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.redraft.coordinator.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/** Reads through pooled connections against a real redis-server. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisReaderTest {
  private static final int POOLED = 4;

  @TempDir
  Path dir;

  /**
   * Every pooled connection dies when Redis restarts. A read must not fail on them (one read through a
   * node whose Redis had restarted failed with "Unexpected end of stream", as an internal error).
   */
  @Test
  void readsAfterARedisRestartDoNotFailOnConnectionsPooledBeforeIt() {
    RedisServerProcess server = RedisServerProcess.start(dir.resolve("redis"));
    JedisPool pool = new RedisEndpoint("127.0.0.1", server.port(), server.password(), Duration.ofSeconds(5)).pool(POOLED);
    try (RedisReader reader = new RedisReader(pool)) {
      List<Jedis> held = IntStream.range(0, POOLED).mapToObj(i -> pool.getResource()).toList();
      held.forEach(jedis -> assertThat(jedis.ping()).isEqualTo("PONG"));
      held.forEach(Jedis::close); // back to the pool, idle
      assertThat(pool.getNumIdle()).isEqualTo(POOLED);

      server.restart(); // empty, no persistence

      for (int i = 0; i < POOLED; i++) {
        assertThat(get(reader, "k")).as("read %d after the restart", i).isEqualTo("$-1\r\n");
      }
    } finally {
      server.stop();
    }
  }

  private static String get(RedisReader reader, String key) {
    return new String(reader.read(new RedisCommand(List.of(bytes("GET"), bytes(key)), new int[] {1}), 0),
        StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
