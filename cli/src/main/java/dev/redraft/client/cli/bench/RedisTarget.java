package dev.redraft.client.cli.bench;

import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * A plain Redis baseline through Jedis, one connection per client. With {@code waitReplicas > 0}
 * every write is followed by {@code WAIT waitReplicas 0} on the same connection, and its latency
 * includes the WAIT.
 */
public final class RedisTarget implements Target {
  private static final int TIMEOUT_MS = 30_000;

  private final String name;
  private final String host;
  private final int port;
  private final int waitReplicas;

  public RedisTarget(String name, String host, int port, int waitReplicas) {
    this.name = name;
    this.host = host;
    this.port = port;
    this.waitReplicas = waitReplicas;
  }

  /** Parses {@code NAME=HOST:PORT[,wait=N]}. */
  public static RedisTarget parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("baseline '" + spec + "' is not NAME=HOST:PORT[,wait=N]");
    }
    String name = spec.substring(0, eq).trim();
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("baseline name '" + name + "' may use only letters, digits, '.', '_', '-'");
    }
    String[] parts = spec.substring(eq + 1).split(",");
    String address = parts[0].trim();
    int colon = address.lastIndexOf(':');
    int port;
    try {
      port = colon <= 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("baseline '" + spec + "': '" + address + "' is not HOST:PORT");
    }
    int wait = 0;
    for (int i = 1; i < parts.length; i++) {
      String option = parts[i].trim();
      if (!option.startsWith("wait=")) {
        throw new IllegalArgumentException("baseline '" + spec + "': unknown option '" + option + "' (only wait=N)");
      }
      try {
        wait = Integer.parseInt(option.substring(5));
      } catch (NumberFormatException e) {
        wait = -1;
      }
      if (wait < 0 || wait > 16) {
        throw new IllegalArgumentException("baseline '" + spec + "': wait must be 0..16 replicas");
      }
    }
    return new RedisTarget(name, address.substring(0, colon), port, wait);
  }

  @Override
  public String name() {
    return name;
  }

  public int waitReplicas() {
    return waitReplicas;
  }

  @Override
  public Session openSession() {
    return new RedisSession();
  }

  @Override
  public void preload(List<byte[]> keys, byte[] value) {
    try (RedisSession session = new RedisSession()) {
      for (int from = 0; from < keys.size(); from += 200) {
        List<byte[]> chunk = keys.subList(from, Math.min(keys.size(), from + 200));
        byte[][] args = new byte[chunk.size() * 2][];
        for (int i = 0; i < chunk.size(); i++) {
          args[2 * i] = chunk.get(i);
          args[2 * i + 1] = value;
        }
        session.connection().mset(args);
        session.awaitReplicas();
      }
    }
  }

  @Override
  public void close() {
    // Connections belong to the sessions.
  }

  private final class RedisSession implements Session {
    private Jedis jedis;

    Jedis connection() {
      if (jedis == null) {
        jedis = new Jedis(host, port, TIMEOUT_MS);
      }
      return jedis;
    }

    void awaitReplicas() {
      if (waitReplicas > 0) {
        long acked = jedis.waitReplicas(waitReplicas, 0);
        if (acked < waitReplicas) {
          throw new IllegalStateException("WAIT " + waitReplicas + " 0 returned " + acked);
        }
      }
    }

    private <T> T guarded(java.util.function.Supplier<T> call) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    @Override
    public void set(byte[] key, byte[] value) {
      guarded(() -> {
        connection().set(key, value);
        awaitReplicas();
        return null;
      });
    }

    @Override
    public void incr(byte[] key) {
      guarded(() -> {
        connection().incr(key);
        awaitReplicas();
        return null;
      });
    }

    @Override
    public void get(byte[] key) {
      guarded(() -> connection().get(key));
    }

    @Override
    public void batch(List<byte[]> keys, byte[] value) {
      guarded(() -> {
        Transaction transaction = connection().multi();
        for (byte[] key : keys) {
          transaction.set(key, value);
        }
        transaction.exec();
        awaitReplicas();
        return null;
      });
    }

    @Override
    public void close() {
      if (jedis != null) {
        try {
          jedis.close();
        } catch (RuntimeException ignored) {
          // already broken
        }
        jedis = null;
      }
    }
  }
}
