package dev.redraft.coordinator.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.redraft.api.KeySlot;
import dev.redraft.coordinator.testing.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/** The key slot is Redis Cluster's: checked against a real redis-server in cluster mode (CLUSTER KEYSLOT). */
class KeySlotTest {
  @TempDir
  Path dir;

  @Test
  void theSpecsExamples() {
    // Redis Cluster specification: CRC16 of "123456789" is 0x31C3.
    assertThat(KeySlot.crc16(bytes("123456789"), 0, 9)).isEqualTo(0x31C3);
    assertThat(slot("{user1000}.following")).isEqualTo(slot("{user1000}.followers")).isEqualTo(slot("user1000"));
    assertThat(slot("foo{}{bar}")).as("an empty tag: the whole key").isEqualTo(crc("foo{}{bar}"));
    assertThat(slot("foo{{bar}}zap")).as("the tag is '{bar'").isEqualTo(slot("{bar"));
    assertThat(slot("foo{bar}{zap}")).as("the first tag").isEqualTo(slot("bar"));
  }

  @Test
  void everySlotIsTheOneRedisComputes() throws Exception {
    int port = FreePorts.next();
    Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(), "--dir",
        dir.toString(), "--save", "", "--appendonly", "no").redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    try (Jedis jedis = connect(port)) {
      Random random = new Random(42);
      for (String key : List.of("", "{", "}", "{}", "a{b}c", "{a}{b}", "x{}y{z}", "é{ü}", "{{}}")) {
        assertThat(slot(key)).as("slot of '%s'", key).isEqualTo(redisSlot(jedis, bytes(key)));
      }
      for (int i = 0; i < 2_000; i++) {
        byte[] key = new byte[random.nextInt(24)];
        random.nextBytes(key);
        if (i % 3 == 0 && key.length > 4) {
          key[random.nextInt(key.length / 2)] = '{';
          key[key.length / 2 + random.nextInt(key.length / 2)] = '}';
        }
        assertThat(KeySlot.of(key)).isEqualTo(redisSlot(jedis, key));
      }
    } finally {
      redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A connection once the server answers PING (it was just started). */
  private static Jedis connect(int port) {
    return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> {
          Jedis jedis = new Jedis("127.0.0.1", port);
          try {
            jedis.ping();
            return jedis;
          } catch (RuntimeException e) {
            jedis.close();
            throw e;
          }
        }, jedis -> true);
  }

  private static int redisSlot(Jedis jedis, byte[] key) {
    return ((Long) jedis.sendCommand(Protocol.Command.CLUSTER, bytes("KEYSLOT"), key)).intValue();
  }

  private static int slot(String key) {
    return KeySlot.of(bytes(key));
  }

  private static int crc(String key) {
    byte[] bytes = bytes(key);
    return KeySlot.crc16(bytes, 0, bytes.length) & (KeySlot.SLOTS - 1);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
