package dev.redraft.coordinator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A real redis-server process for tests: loopback only, its own password, no persistence (a
 * restart comes back empty, as a Redis that lost its data), DEBUG DIGEST enabled. Its log and
 * configuration stay in its directory for post-mortems.
 */
public final class RedisServerProcess {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final Path dir;
  private final int port;
  private final String password;
  private Process process;

  private RedisServerProcess(Path dir, int port, String password) {
    this.dir = dir;
    this.port = port;
    this.password = password;
  }

  public static RedisServerProcess start(Path dir) {
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    return start(dir, HexFormat.of().formatHex(secret));
  }

  /** A Redis with a given password (a node's Redis of every group shares one). */
  public static RedisServerProcess start(Path dir, String password) {
    RedisServerProcess server = new RedisServerProcess(dir, FreePorts.next(), password);
    server.launch();
    return server;
  }

  public int port() {
    return port;
  }

  public String password() {
    return password;
  }

  /** The operating system's process id (for SIGSTOP/SIGKILL faults). */
  public long pid() {
    return process.pid();
  }

  /** A new authenticated connection; the caller closes it. */
  public Jedis jedis() {
    return new Jedis(new HostAndPort("127.0.0.1", port),
        DefaultJedisClientConfig.builder().password(password).timeoutMillis(5_000)
            .autoNegotiateProtocol(false).build());
  }

  /** Kills the process and starts it again on the same port: it comes back empty. */
  public void restart() {
    stop();
    launch();
  }

  /** Kills the process (SIGKILL): everything in memory is gone. */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void launch() {
    try {
      Files.createDirectories(dir);
      Path config = dir.resolve("redis.conf");
      Files.writeString(config, String.join("\n",
          "bind 127.0.0.1",
          "port " + port,
          "protected-mode yes",
          "requirepass " + password,
          "dir " + dir.toAbsolutePath(),
          "logfile " + dir.resolve("redis.log").toAbsolutePath(),
          "save \"\"",
          "appendonly no",
          "maxmemory-policy noeviction",
          "enable-debug-command local",
          ""), StandardCharsets.UTF_8);
      process = new ProcessBuilder("redis-server", config.toString())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.out").toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server (is it installed? apt-get install -y redis-server)", e);
    }
    awaitPing();
  }

  private void awaitPing() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited: see " + dir.resolve("redis.log"));
      }
      try (Jedis jedis = jedis()) {
        if ("PONG".equals(jedis.ping())) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for redis-server", e);
      }
    }
    throw new IllegalStateException("redis-server on port " + port + " did not answer within " + START_TIMEOUT, last);
  }
}
