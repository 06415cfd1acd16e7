package dev.redraft.coordinator.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.redraft.coordinator.redis.ApplyRequest.SessionLimits;
import dev.redraft.coordinator.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Not in the default suite (minutes): the session table's size and Redis memory for a million and
 * more distinct client ids at the default cap, driving apply.lua directly. Run with
 * {@code -Dtest=SessionTableFootprintMeasurement -Dredraft.measureSessions=true}; figures go to stdout.
 */
class SessionTableFootprintMeasurement {
  @TempDir
  Path dir;

  @Test
  void aMillionClientIdsAndMoreLeaveTheTableAtItsCap() {
    assumeTrue(Boolean.getBoolean("redraft.measureSessions"), "set -Dredraft.measureSessions=true to measure");
    int cap = 1_000_000;
    int total = Integer.getInteger("redraft.measureSessions.total", 1_200_000);
    int batch = 1_000;
    SessionLimits limits = new SessionLimits(86_400_000, cap);
    RedisServerProcess server = RedisServerProcess.start(dir.resolve("redis"));
    try (Jedis jedis = server.jedis(); RedisApplier applier = new RedisApplier(
        new RedisEndpoint("127.0.0.1", server.port(), server.password(), Duration.ofSeconds(60)))) {
      long before = usedMemory(jedis);
      String base = UUID.randomUUID().toString();
      List<RedisCommand> incr = List.of(new RedisCommand(
          List.of(bytes("INCR"), bytes("counter")), new int[] {1}));
      long time = 1_700_000_000_000L;
      long index = 0;
      long started = System.nanoTime();
      for (int from = 0; from < total; from += batch) {
        List<ApplyRequest> requests = new ArrayList<>(batch);
        for (int i = from; i < Math.min(total, from + batch); i++) {
          // One ms apart: the least recently used session is far past the eviction grace at the cap.
          requests.add(new ApplyRequest(++index, base + "-" + i, 1, time + i, incr, false, "0123456789abcdef", limits));
        }
        List<ApplyResult> results = applier.apply(index - requests.size(), requests);
        assertThat(results).extracting(ApplyResult::outcome).containsOnly(ApplyOutcome.APPLIED);
        if (from + batch == cap) {
          report(jedis, "at " + cap + " client ids", before, started);
        }
      }
      report(jedis, "after " + total + " client ids", before, started);
      assertThat(jedis.hlen(RedisApplier.SESSIONS_KEY)).isEqualTo(Math.min(cap, total));
      assertThat(jedis.hexists(RedisApplier.SESSIONS_KEY, base + "-0")).as("the oldest went first").isEqualTo(total <= cap);
      assertThat(jedis.hexists(RedisApplier.SESSIONS_KEY, base + "-" + (total - 1))).isTrue();
    } finally {
      server.stop();
    }
  }

  private static void report(Jedis jedis, String when, long before, long started) {
    long used = usedMemory(jedis);
    System.out.printf("sessions %s: HLEN %d, ZCARD %d, MEMORY USAGE sessions %d B, session-times %d B,"
            + " used_memory %d -> %d (+%d B, %.1f B per session), %.1f s%n", when,
        jedis.hlen(RedisApplier.SESSIONS_KEY), jedis.zcard(RedisApplier.SESSION_TIMES_KEY),
        jedis.memoryUsage(RedisApplier.SESSIONS_KEY, 0), jedis.memoryUsage(RedisApplier.SESSION_TIMES_KEY, 0),
        before, used, used - before, (used - before) / (double) jedis.hlen(RedisApplier.SESSIONS_KEY),
        (System.nanoTime() - started) / 1e9);
  }

  private static long usedMemory(Jedis jedis) {
    for (String line : jedis.info("memory").split("\r\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()));
      }
    }
    throw new IllegalStateException("no used_memory in INFO memory");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
