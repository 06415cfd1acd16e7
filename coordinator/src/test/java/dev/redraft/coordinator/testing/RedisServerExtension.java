package dev.redraft.coordinator.testing;

import dev.redraft.coordinator.redis.RedisEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * One real redis-server for a test class (register as a static {@code @RegisterExtension} field): started
 * before its tests in a directory of its own, stopped (and its directory deleted) after them. Tests empty it
 * with {@link #flushAll}.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
  private Path dir;
  private RedisServerProcess server;
  private RedisEndpoint endpoint;

  @Override
  public void beforeAll(ExtensionContext context) {
    try {
      dir = Files.createTempDirectory("redraft-redis-" + context.getRequiredTestClass().getSimpleName());
      server = RedisServerProcess.start(dir.resolve("redis"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a directory for the test's Redis", e);
    }
    endpoint = new RedisEndpoint("127.0.0.1", server.port(), server.password(), Duration.ofSeconds(5));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (server != null) {
      server.stop();
    }
    if (dir != null) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  public RedisServerProcess server() {
    return server;
  }

  /** How the coordinator's Redis classes reach it. */
  public RedisEndpoint endpoint() {
    return endpoint;
  }

  /** A new connection (close it). */
  public Jedis jedis() {
    return server.jedis();
  }

  /** Deletes every key, Redraft's own included. */
  public void flushAll() {
    try (Jedis jedis = server.jedis()) {
      jedis.flushAll();
    }
  }
}
